//! A second gateway process (the gatehouse binary's gateway-only mode on its own port) learns
//! of registrations and retirements made through the console's use cases within a second.

mod support;

use std::time::{Duration, Instant};

use app::api;
use app::domain::refs::VersionRef;
use app::store::PgPool;
use axum::body::Body;
use support::*;

/// The URL of this test's own database (DATABASE_URL names the server, the pool the database).
fn database_url(pool: &PgPool) -> String {
    let db = pool
        .connect_options()
        .get_database()
        .map(str::to_string)
        .expect("db name");
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    match base.rfind('/') {
        Some(i) => format!("{}/{db}", &base[..i]),
        None => panic!("DATABASE_URL has no database"),
    }
}

/// Starts `gatehouse gateway` on a free port against `database_url`; killed when dropped.
fn spawn_gateway(database_url: &str) -> (tokio::process::Child, u16) {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
        l.local_addr().expect("addr").port()
    };
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args([
            "gateway",
            "--gateway-addr",
            &format!("127.0.0.1:{port}"),
            "--metrics-addr",
            "127.0.0.1:0",
        ])
        .env("DATABASE_URL", database_url)
        .env("GATEHOUSE_DEMO", "0")
        .kill_on_drop(true)
        .spawn()
        .expect("spawn gateway");
    (child, port)
}

/// Waits (up to 30 s) until the gateway on `port` answers its health check.
async fn wait_until_healthy(http: &HttpClient, port: u16) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = http
            .request(
                axum::http::Request::get(format!("http://127.0.0.1:{port}/healthz"))
                    .body(Body::empty())
                    .expect("req"),
            )
            .await
            && r.status() == 200
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the gateway process did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Polls `target` with `key` until it answers `want`; panics after a second.
async fn within_a_second(http: &HttpClient, target: &str, key: &str, want: u16) -> Duration {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(1) {
        if get(http, target, Some(key)).await.status == want {
            return start.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the second gateway did not answer {want} within 1 s");
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn a_second_gateway_process_learns_of_register_and_retire_within_a_second(pool: PgPool) {
    let up = upstream().await;
    org(&pool).await;
    plan(&pool, "Open", &[]).await;
    let endpoint = format!("http://{up}/echo");
    api(&pool, "Echo", &endpoint, false, &["Open"], &[]).await;
    let key = client(&pool, "App", &[], &[]).await;
    let c = api::contracts::service::NewContract {
        client: VersionRef::new(ORG, "App", "1.0"),
        api: VersionRef::new(ORG, "Echo", "1.0"),
        plan: VersionRef::new(ORG, "Open", "1.0"),
    };
    api::contracts::service::create(&pool, "david", &c, true)
        .await
        .expect("contract");

    let (mut child, port) = spawn_gateway(&database_url(&pool));
    let http = http();
    wait_until_healthy(&http, port).await;
    // The workers hand /gateway/... to the gateway and the rest to the router, as the route
    // "/gateway/{*rest}" did: nothing after the prefix is not a gateway request.
    let bare = format!("http://127.0.0.1:{port}/gateway/");
    assert_eq!(get(&http, &bare, Some(&key)).await.status, 404);
    let target = format!("http://127.0.0.1:{port}/gateway/{ORG}/Echo/1.0/");
    assert_eq!(
        get(&http, &target, Some(&key)).await.status,
        403,
        "not registered yet"
    );

    api::clients::service::register(&pool, "david", &VersionRef::new(ORG, "App", "1.0"))
        .await
        .expect("register");
    within_a_second(&http, &target, &key, 200).await;
    api::clients::service::retire(&pool, "david", &VersionRef::new(ORG, "App", "1.0"))
        .await
        .expect("retire");
    within_a_second(&http, &target, &key, 403).await;
    let _ = child.kill().await;
}
