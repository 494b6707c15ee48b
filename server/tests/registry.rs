//! How changes reach a gateway: each kind of change arrives as a delta (no full load) that
//! leaves the registry exactly as a full load would, and a skipped change number makes the
//! gateway load everything.

mod support;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use app::domain::lifecycle::ApiAction;
use app::domain::refs::VersionRef;
use app::store::{self, PgPool};
use server::gateway::Gateway;
use server::gateway::registry::{Builder, Registry};
use server::gateway::tls::Trust;
use support::*;

/// One line per entry, sorted: what a registry serves, comparable between two of them.
fn describe(r: &Registry) -> Vec<String> {
    let chain =
        |c: &[server::gateway::chain::Compiled]| -> Vec<i64> { c.iter().map(|p| p.id).collect() };
    let mut lines: Vec<String> = r
        .apis()
        .map(|a| {
            format!(
                "api {} id={} retired={} public={} upstream={:?} policies={:?}",
                a.name,
                a.id,
                a.retired,
                a.public,
                a.upstream,
                chain(&a.policies)
            )
        })
        .collect();
    lines.extend(r.clients().map(|(key, c)| {
        let contracts: Vec<String> = c
            .contracts
            .iter()
            .map(|(api, k)| format!("{api}:{}:{:?}", k.plan, chain(&k.policies)))
            .collect();
        format!(
            "client {key:?} {} id={} policies={:?} contracts={contracts:?}",
            c.name,
            c.id,
            chain(&c.policies)
        )
    }));
    lines.sort();
    lines
}

async fn full_load(pool: &PgPool) -> Registry {
    let mut builder = Builder::new(Trust::empty().expect("trust"));
    server::gateway::load::full(pool, &mut builder)
        .await
        .expect("full load")
}

async fn db_seq(pool: &PgPool) -> i64 {
    let mut conn = pool.acquire().await.expect("conn");
    store::gateway_feed::sequence(&mut conn)
        .await
        .expect("sequence")
}

/// Waits (up to 5 s) until the gateway has applied everything the database announced.
async fn settle(gw: &Gateway, pool: &PgPool) {
    let want = db_seq(pool).await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while gw.registry.load().seq < want {
        assert!(
            Instant::now() < deadline,
            "the gateway never reached change {want}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Settles, then checks that the change came as one more delta and that the registry is what
/// a full load makes of the database.
async fn applied_as_delta(gw: &Arc<Gateway>, pool: &PgPool, deltas_before: u64) {
    settle(gw, pool).await;
    let stats = &gw.feed_stats;
    assert_eq!(stats.full_loads.load(Ordering::Relaxed), 1, "no full load");
    assert_eq!(stats.deltas.load(Ordering::Relaxed), deltas_before + 1);
    let served = gw.registry.load_full();
    let full = full_load(pool).await;
    assert_eq!(served.seq, full.seq);
    assert_eq!(describe(&served), describe(&full));
}

async fn status(http: &HttpClient, gw: std::net::SocketAddr, api: &str, key: &str) -> u16 {
    get(
        http,
        &format!("http://{gw}/gateway/{ORG}/{api}/1.0/"),
        Some(key),
    )
    .await
    .status
}

async fn contract(pool: &PgPool, client: &str, api: &str) {
    let c = app::api::contracts::service::NewContract {
        client: VersionRef::new(ORG, client, "1.0"),
        api: VersionRef::new(ORG, api, "1.0"),
        plan: VersionRef::new(ORG, "Gold", "1.0"),
    };
    app::api::contracts::service::create(pool, "david", &c, true)
        .await
        .expect("contract");
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn every_kind_of_change_arrives_as_a_delta_equal_to_a_full_load(pool: PgPool) {
    let up = upstream().await;
    let echo = format!("http://{up}/echo");
    org(&pool).await;
    let limit = form(
        app::domain::policy::PolicyType::RateLimiting,
        &[
            ("limit", "1000"),
            ("granularity", "Client"),
            ("period", "Minute"),
        ],
    );
    plan(&pool, "Gold", &[limit]).await;
    api(&pool, "Echo", &echo, false, &["Gold"], &[]).await;
    let app_key = client(&pool, "App", &[("Echo", "Gold")], &[]).await;
    let (gw, addr) = gateway(&pool, None).await;
    let http = http();
    assert_eq!(status(&http, addr, "Echo", &app_key).await, 200);
    let deltas = |gw: &Gateway| gw.feed_stats.deltas.load(Ordering::Relaxed);

    // Client registered: a new key is served.
    let before = deltas(&gw);
    let second = client(&pool, "Second", &[("Echo", "Gold")], &[]).await;
    applied_as_delta(&gw, &pool, before).await;
    assert_eq!(status(&http, addr, "Echo", &second).await, 200);

    // API published: known, but App has no contract with it yet.
    let before = deltas(&gw);
    api(&pool, "Later", &echo, false, &["Gold"], &[]).await;
    applied_as_delta(&gw, &pool, before).await;
    assert_eq!(status(&http, addr, "Later", &app_key).await, 403);

    // Client re-registered with a contract more.
    contract(&pool, "App", "Later").await;
    let before = deltas(&gw);
    app::api::clients::service::register(&pool, "david", &VersionRef::new(ORG, "App", "1.0"))
        .await
        .expect("re-register");
    applied_as_delta(&gw, &pool, before).await;
    assert_eq!(status(&http, addr, "Later", &app_key).await, 200);

    // Contract deleted: access to that API ends at once, the others stay.
    let (version,): (i64,) =
        sqlx::query_as("SELECT id FROM client_versions WHERE client_id = 'App'")
            .fetch_one(&pool)
            .await
            .expect("client");
    let later = store::contracts::for_client_version(&pool, version)
        .await
        .expect("contracts")
        .into_iter()
        .find(|k| k.api_id == "Later")
        .expect("the Later contract");
    let before = deltas(&gw);
    app::api::contracts::service::delete(&pool, "david", &later)
        .await
        .expect("delete");
    applied_as_delta(&gw, &pool, before).await;
    assert_eq!(status(&http, addr, "Later", &app_key).await, 403);
    assert_eq!(status(&http, addr, "Echo", &app_key).await, 200);

    // Client retired: its key is unknown.
    let before = deltas(&gw);
    app::api::clients::service::retire(&pool, "david", &VersionRef::new(ORG, "Second", "1.0"))
        .await
        .expect("retire");
    applied_as_delta(&gw, &pool, before).await;
    assert_eq!(status(&http, addr, "Echo", &second).await, 403);

    // API retired: 410 for everyone.
    let before = deltas(&gw);
    app::api::apis::service::transition(
        &pool,
        "david",
        &VersionRef::new(ORG, "Echo", "1.0"),
        ApiAction::Retire,
    )
    .await
    .expect("retire API");
    applied_as_delta(&gw, &pool, before).await;
    assert_eq!(status(&http, addr, "Echo", &app_key).await, 410);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn a_skipped_change_number_makes_the_gateway_load_everything(pool: PgPool) {
    echo_world(&pool, &[]).await;
    let (gw, addr) = gateway(&pool, None).await;
    let http = http();

    // A change whose notification is lost: rows and number change, nothing is announced.
    let hidden = client(&pool, "Hidden", &[], &[]).await;
    contract(&pool, "Hidden", "Echo").await;
    let mut tx = pool.begin().await.expect("tx");
    sqlx::raw_sql(
        "UPDATE client_versions SET status = 'Registered', registered_at = now() WHERE client_id = 'Hidden';
         UPDATE contracts SET registered = TRUE
         WHERE client_version_id = (SELECT id FROM client_versions WHERE client_id = 'Hidden');
         UPDATE registry_sequence SET seq = seq + 1;",
    )
    .execute(&mut *tx)
    .await
    .expect("silent change");
    tx.commit().await.expect("commit");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        status(&http, addr, "Echo", &hidden).await,
        403,
        "unheard of"
    );

    // The next change announced carries a number one too far: the gap is seen and repaired.
    let next = client(&pool, "Next", &[("Echo", "Gold")], &[]).await;
    settle(&gw, &pool).await;
    assert_eq!(gw.feed_stats.full_loads.load(Ordering::Relaxed), 2);
    assert_eq!(status(&http, addr, "Echo", &hidden).await, 200);
    assert_eq!(status(&http, addr, "Echo", &next).await, 200);
    assert_eq!(
        describe(&gw.registry.load_full()),
        describe(&full_load(&pool).await)
    );
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn an_empty_notification_asks_for_a_full_load(pool: PgPool) {
    org(&pool).await;
    let (gw, _) = gateway(&pool, None).await;
    sqlx::query("SELECT pg_notify('gatehouse_registry', '')")
        .execute(&pool)
        .await
        .expect("notify");
    let deadline = Instant::now() + Duration::from_secs(5);
    while gw.feed_stats.full_loads.load(Ordering::Relaxed) < 2 {
        assert!(Instant::now() < deadline, "no full load");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
