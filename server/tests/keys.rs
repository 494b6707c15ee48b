//! API keys with a lifecycle at the gateway: a rotation and a revocation reach it within a
//! second through the registry, ended keys get answers of their own (KeyRevoked, KeyExpired,
//! decided against the clock on each request), and keys' last use is written off the request
//! path.

mod support;

use std::time::{Duration, Instant};

use app::api::keys::service as keys;
use app::domain::keys::Grace;
use app::domain::refs::VersionRef;
use app::store::PgPool;
use support::*;

fn app_client() -> VersionRef {
    VersionRef::new(ORG, "App", "1.0")
}

/// Calls until `done` accepts the answer; how long that took, or a panic after 5 s.
async fn until(
    http: &HttpClient,
    url: &str,
    key: &str,
    done: impl Fn(&Answer) -> bool,
) -> Duration {
    let started = Instant::now();
    loop {
        let answer = get(http, url, Some(key)).await;
        if done(&answer) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "still {} {}",
            answer.status,
            String::from_utf8_lossy(&answer.body)
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn engine_error(a: &Answer, name: &str) -> bool {
    a.status == 403 && a.json()["error"] == name
}

async fn key_ids(pool: &PgPool) -> Vec<(i64, String, Option<chrono::DateTime<chrono::Utc>>)> {
    sqlx::query_as("SELECT id, api_key, last_used_at FROM client_keys ORDER BY id")
        .fetch_all(pool)
        .await
        .expect("keys")
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn rotation_and_revocation_reach_the_gateway_within_a_second(pool: PgPool) {
    let old = echo_world(&pool, &[]).await;
    let (_gw, addr) = gateway(&pool, None).await;
    let http = http();
    let url = format!("http://{addr}/gateway/{ORG}/Echo/1.0/hello");
    assert_eq!(get(&http, &url, Some(&old)).await.status, 200);

    let grace = Grace::hours(1).expect("grace");
    keys::rotate(&pool, "david", &app_client(), grace)
        .await
        .expect("rotate");
    let new = key_of(&pool, "App").await;
    assert_ne!(new, old);
    let took = until(&http, &url, &new, |a| a.status == 200).await;
    assert!(
        took < Duration::from_secs(1),
        "new key served after {took:?}"
    );
    // The old key keeps working in its grace period.
    assert_eq!(get(&http, &url, Some(&old)).await.status, 200);

    let old_id = key_ids(&pool).await[0].0;
    keys::revoke(&pool, "david", &app_client(), old_id)
        .await
        .expect("revoke");
    let took = until(&http, &url, &old, |a| engine_error(a, "KeyRevoked")).await;
    assert!(
        took < Duration::from_secs(1),
        "revocation applied after {took:?}"
    );
    let refused = get(&http, &url, Some(&old)).await;
    let body = refused.json();
    assert_eq!(body["type"], "GatewayError");
    assert!(body["message"].as_str().unwrap_or("").contains("revoked"));
    assert_eq!(get(&http, &url, Some(&new)).await.status, 200);
    // A key the registry never knew is still just invalid.
    let unknown = get(&http, &url, Some("no-such-key")).await;
    assert!(engine_error(&unknown, "InvalidApiKey"));
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn a_key_expires_at_the_end_of_its_grace_without_any_notification(pool: PgPool) {
    let old = echo_world(&pool, &[]).await;
    let (_gw, addr) = gateway(&pool, None).await;
    let http = http();
    let url = format!("http://{addr}/gateway/{ORG}/Echo/1.0/");
    keys::rotate(
        &pool,
        "david",
        &app_client(),
        Grace::hours(1).expect("grace"),
    )
    .await
    .expect("rotate");
    // Time passing, without waiting an hour: the grace ends 2 s from now, and a full load
    // (asked for as after any manual edit) brings that end to the gateway.
    sqlx::query(
        "UPDATE client_keys SET expires_at = now() + interval '2 seconds'
         WHERE expires_at IS NOT NULL",
    )
    .execute(&pool)
    .await
    .expect("shorten");
    let ends = Instant::now() + Duration::from_secs(2);
    sqlx::query("SELECT pg_notify('gatehouse_registry', '')")
        .execute(&pool)
        .await
        .expect("reload");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        get(&http, &url, Some(&old)).await.status,
        200,
        "in its grace"
    );
    tokio::time::sleep_until((ends + Duration::from_millis(1100)).into()).await;
    let expired = get(&http, &url, Some(&old)).await;
    assert!(
        engine_error(&expired, "KeyExpired"),
        "{} {}",
        expired.status,
        String::from_utf8_lossy(&expired.body)
    );
    let new = key_of(&pool, "App").await;
    assert_eq!(get(&http, &url, Some(&new)).await.status, 200);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn keys_last_use_is_written_off_the_request_path(pool: PgPool) {
    let old = echo_world(&pool, &[]).await;
    let (gw, addr) = gateway(&pool, None).await;
    let http = http();
    let url = format!("http://{addr}/gateway/{ORG}/Echo/1.0/");
    keys::rotate(
        &pool,
        "david",
        &app_client(),
        Grace::hours(1).expect("grace"),
    )
    .await
    .expect("rotate");
    let new = key_of(&pool, "App").await;
    until(&http, &url, &new, |a| a.status == 200).await;
    // Nothing written yet: requests only note their key.
    assert!(key_ids(&pool).await.iter().all(|k| k.2.is_none()));
    for _ in 0..5 {
        assert_eq!(get(&http, &url, Some(&new)).await.status, 200);
    }
    // An unknown key and a refused one note nothing.
    get(&http, &url, Some("no-such-key")).await;
    assert_eq!(
        gw.flush_key_use().await,
        1,
        "one key, however many requests"
    );
    let rows = key_ids(&pool).await;
    let used = |key: &str| rows.iter().find(|r| r.1 == key).and_then(|r| r.2);
    assert!(used(&new).is_some());
    assert!(used(&old).is_none(), "not used since the rotation");
    assert_eq!(gw.flush_key_use().await, 0, "nothing new");
}
