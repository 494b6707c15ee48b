//! Rate limits at the gateway: the calendar window and its headers, exact counts under
//! concurrent load, counters shared through Redis by two gateways, and the local fallback
//! when Redis is away.

mod support;

use std::time::Duration;

use app::domain::policy::PolicyType;
use app::store::PgPool;
use support::*;

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn the_eleventh_request_on_ten_per_minute_gets_429(pool: PgPool) {
    let per_minute = form(
        PolicyType::RateLimiting,
        &[
            ("limit", "10"),
            ("period", "Minute"),
            ("granularity", "Client"),
        ],
    );
    let key = echo_world(&pool, &[per_minute]).await;
    let (_, gw) = gateway(&pool, None).await;
    let http = http();
    let url = format!("http://{gw}/gateway/{ORG}/Echo/1.0/");
    // The limit counts per calendar minute: start well inside one, so all 11 calls share it.
    let second = chrono::Utc::now().timestamp() % 60;
    if second > 50 {
        tokio::time::sleep(Duration::from_secs((61 - second) as u64)).await;
    }
    for i in 1..=10 {
        let a = get(&http, &url, Some(&key)).await;
        assert_eq!(a.status, 200, "request {i}");
        assert_eq!(a.header("x-ratelimit-limit"), "10");
        assert_eq!(a.header("x-ratelimit-remaining"), (10 - i).to_string());
    }
    let refused = get(&http, &url, Some(&key)).await;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.header("x-policy-failure-code"), "10005");
    assert_eq!(refused.header("x-ratelimit-remaining"), "0");
    assert!(
        refused
            .header("x-ratelimit-reset")
            .parse::<i64>()
            .is_ok_and(|s| (0..=60).contains(&s))
    );
    let json = refused.json();
    assert_eq!(
        (json["failureCode"].as_u64(), json["responseCode"].as_u64()),
        (Some(10005), Some(429))
    );
    assert_eq!(json["type"], "Other");
}

/// Sends `total` requests at once, spread over `gateways`; how many got through.
async fn burst(gateways: &[std::net::SocketAddr], key: &str, total: usize) -> usize {
    let http = http();
    let mut tasks = Vec::new();
    for i in 0..total {
        let url = format!(
            "http://{}/gateway/{ORG}/Echo/1.0/",
            gateways[i % gateways.len()]
        );
        let (http, key) = (http.clone(), key.to_string());
        tasks.push(tokio::spawn(async move {
            get(&http, &url, Some(&key)).await.status
        }));
    }
    let mut ok = 0;
    for t in tasks {
        let status = t.await.expect("task");
        assert!(status == 200 || status == 429, "{status}");
        ok += usize::from(status == 200);
    }
    ok
}

/// Echo through plan Gold limited to `limit` requests an hour per client; App's key.
async fn limited_world(pool: &PgPool, limit: &str) -> String {
    let per_hour = form(
        PolicyType::RateLimiting,
        &[
            ("limit", limit),
            ("period", "Hour"),
            ("granularity", "Client"),
        ],
    );
    echo_world(pool, &[per_hour]).await
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn five_hundred_concurrent_requests_against_a_limit_of_100_let_exactly_100_through(
    pool: PgPool,
) {
    let key = limited_world(&pool, "100").await;
    let (_, gw) = gateway(&pool, None).await;
    assert_eq!(burst(&[gw], &key, 500).await, 100);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn two_gateways_sharing_redis_let_exactly_100_through_together(pool: PgPool) {
    let key = limited_world(&pool, "100").await;
    let redis = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    // Each test database has its own policy ids, but clear old buckets of the same ids anyway.
    let client = redis::Client::open(redis.as_str()).expect("redis url");
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .expect("Redis must be reachable at REDIS_URL (or 127.0.0.1:6379) for this test");
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("gatehouse:rl:*")
        .query_async(&mut conn)
        .await
        .expect("keys");
    if !keys.is_empty() {
        let _: () = redis::cmd("DEL")
            .arg(&keys)
            .query_async(&mut conn)
            .await
            .expect("del");
    }
    let (_, a) = gateway(&pool, Some(redis.clone())).await;
    let (_, b) = gateway(&pool, Some(redis)).await;
    assert_eq!(burst(&[a, b], &key, 500).await, 100);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn without_redis_the_gateway_counts_locally_and_keeps_serving(pool: PgPool) {
    let key = limited_world(&pool, "5").await;
    // Nothing listens on port 1: the gateway logs it and falls back to local counters.
    let (_, gw) = gateway(&pool, Some("redis://127.0.0.1:1".into())).await;
    assert_eq!(burst(&[gw], &key, 20).await, 5);
}
