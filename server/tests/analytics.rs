//! Gateway analytics: every request counted exactly once through two gateways, bytes counted,
//! retention dropping expired partitions, and the probe of the gateway's counters.

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use app::domain::policy::PolicyType;
use app::store::PgPool;
use app::store::analytics::partitions::{self, Retention};
use axum::body::Body;
use server::gateway::analytics::AnalyticsConfig;
use support::analytics::*;
use support::*;

/// Requests per status on the Echo and Down Metrics tabs (last hour), and the rows the
/// organization's Log Analyzer pages through.
async fn shown(pool: &PgPool) -> (BTreeMap<i16, i64>, i64) {
    use app::api::analytics::service;
    use app::domain::analytics::window::{Preset, Range};
    use app::domain::refs::VersionRef;
    let admin = app::domain::roles::Actor {
        username: "david".into(),
        is_admin: true,
        portal_only: false,
    };
    let window = service::window(Range::Last(Preset::Hour), 30).expect("window");
    let mut by_status = BTreeMap::new();
    for api in ["Echo", "Down"] {
        let api = VersionRef::new(ORG, api, "1.0");
        let metrics = service::api_metrics(pool, &admin, &api, window)
            .await
            .expect("metrics");
        for s in metrics.traffic.by_status {
            *by_status.entry(s.status as i16).or_default() += s.requests;
        }
    }
    let scope = app::store::analytics::Scope::Org(ORG.into());
    let mut rows = 0;
    let mut after = None;
    loop {
        let page =
            app::store::analytics::log::page(pool, &scope, &window, &Default::default(), after)
                .await
                .expect("log page");
        rows += page.rows.len() as i64;
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    (by_status, rows)
}

/// A world with every outcome: Echo (plan Gold, no limit) for App; Bronze (2 per hour) for
/// Tight; Down, whose upstream refuses connections. Returns (App's key, Tight's key).
async fn mixed_world(pool: &PgPool) -> (String, String) {
    let up = upstream().await;
    org(pool).await;
    plan(pool, "Gold", &[]).await;
    let two = form(
        PolicyType::RateLimiting,
        &[
            ("limit", "2"),
            ("period", "Hour"),
            ("granularity", "Client"),
        ],
    );
    plan(pool, "Bronze", &[two]).await;
    api(
        pool,
        "Echo",
        &format!("http://{up}/echo"),
        false,
        &["Gold", "Bronze"],
        &[],
    )
    .await;
    // Port 9 (discard) is closed on loopback: the connection is refused.
    api(pool, "Down", "http://127.0.0.1:9/", false, &["Gold"], &[]).await;
    let app = client(pool, "App", &[("Echo", "Gold"), ("Down", "Gold")], &[]).await;
    let tight = client(pool, "Tight", &[("Echo", "Bronze")], &[]).await;
    (app, tight)
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn every_request_through_two_gateways_is_counted_exactly_once(pool: PgPool) {
    let (app, tight) = mixed_world(&pool).await;
    let (_a, one) = gateway_analytics(&pool, AnalyticsConfig::default()).await;
    let (_b, two) = gateway_analytics(&pool, AnalyticsConfig::default()).await;
    let http = http();
    let mut seen: BTreeMap<i16, i64> = BTreeMap::new();
    let n: i64 = 100;
    for i in 0..n {
        let base = if i % 2 == 0 { &one } else { &two };
        let (path, key) = match i % 5 {
            0 => ("Echo/1.0/ok", Some(app.as_str())),
            1 => ("Echo/1.0/nokey", None),
            2 => ("Echo/1.0/badkey", Some("not-a-key")),
            3 => ("Echo/1.0/limited", Some(tight.as_str())),
            _ => ("Down/1.0/x", Some(app.as_str())),
        };
        let a = get(&http, &format!("{base}/{path}"), key).await;
        *seen.entry(a.status as i16).or_default() += 1;
    }
    let last = std::time::Instant::now();
    // 200, 401, 403, 429 and 502 all happened.
    for status in [200, 401, 403, 429, 502] {
        assert!(seen.contains_key(&status), "{status} in {seen:?}");
    }
    loop {
        let [minutes, hours, log] = stored(&pool).await;
        // What the console shows: the APIs' Metrics tabs and the organization's Log Analyzer.
        let (metrics, logged) = shown(&pool).await;
        if minutes == seen && hours == seen && log == seen && metrics == seen && logged == n {
            break;
        }
        assert!(
            last.elapsed() < Duration::from_secs(5),
            "within 5 s: expected {seen:?} ({n}), minutes {minutes:?}, hours {hours:?}, \
             log {log:?}, Metrics tabs {metrics:?}, Log Analyzer {logged}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The log line's details: the failure code, a short key, the path, the client address.
    let (key, failure, path, ip): (Option<String>, Option<String>, String, Option<String>) =
        sqlx::query_as(
            "SELECT key_hint, failure, path, host(client_ip) FROM analytics_log
             WHERE status = 429 LIMIT 1",
        )
        .fetch_one(&pool)
        .await
        .expect("row");
    assert_eq!(key.as_deref(), Some(format!("{}…", &tight[..4]).as_str()));
    assert_eq!(failure.as_deref(), Some("10005"));
    assert_eq!(path, "/limited");
    assert_eq!(ip.as_deref(), Some("127.0.0.1"));
    // Refusals keep their path too.
    let paths: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT path FROM analytics_log WHERE status IN (401, 403) ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .expect("paths");
    assert_eq!(paths, ["/badkey", "/nokey"]);
    let failures: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT failure FROM analytics_log WHERE failure IS NOT NULL ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .expect("failures");
    assert_eq!(
        failures,
        [
            "10005",
            "ApiKeyRequired",
            "InvalidApiKey",
            "UpstreamUnavailable"
        ]
    );
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn bytes_in_and_out_are_counted_with_or_without_a_content_length(pool: PgPool) {
    let key = echo_world(&pool, &[]).await;
    let (gw, base) = gateway_analytics(&pool, slow_flush()).await;
    let http = http();
    let sized = axum::http::Request::post(format!("{base}/Echo/1.0/sized"))
        .header("X-API-Key", &key)
        .body(Body::from(vec![b'a'; 1000]))
        .expect("request");
    let sized = send(&http, sized).await;
    let chunks =
        futures_util::stream::iter([vec![b'b'; 300], vec![b'c'; 400]].map(Ok::<_, std::io::Error>));
    let streamed = axum::http::Request::post(format!("{base}/Echo/1.0/streamed"))
        .header("X-API-Key", &key)
        .body(Body::from_stream(chunks))
        .expect("request");
    let streamed = send(&http, streamed).await;
    assert_eq!((sized.status, streamed.status), (200, 200));
    gw.flush_analytics().await;
    let rows: Vec<(String, i64, i64)> =
        sqlx::query_as("SELECT path, bytes_in, bytes_out FROM analytics_log ORDER BY path")
            .fetch_all(&pool)
            .await
            .expect("rows");
    assert_eq!(
        rows,
        [
            ("/sized".to_string(), 1000, sized.body.len() as i64),
            ("/streamed".to_string(), 700, streamed.body.len() as i64),
        ]
    );
    let (bytes_in, bytes_out): (i64, i64) = sqlx::query_as(
        "SELECT sum(bytes_in)::bigint, sum(bytes_out)::bigint FROM analytics_minutes",
    )
    .fetch_one(&pool)
    .await
    .expect("sums");
    assert_eq!(bytes_in, 1700);
    assert_eq!(bytes_out, (sized.body.len() + streamed.body.len()) as i64);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn retention_drops_expired_days_and_keeps_the_rest(pool: PgPool) {
    let now: chrono::DateTime<chrono::Utc> = "2026-11-27T12:00:00Z".parse().expect("now");
    let mut conn = pool.acquire().await.expect("conn");
    for days_ago in [0, 6, 7, 8, 29, 30, 31] {
        let day = (now - chrono::Duration::days(days_ago)).date_naive();
        partitions::ensure(&mut conn, day).await.expect("partition");
    }
    for hours_ago in [1, 400 * 24 - 1, 400 * 24 + 1] {
        let at = now - chrono::Duration::hours(hours_ago);
        sqlx::query(
            "INSERT INTO analytics_hours VALUES ($1, 1, NULL, NULL, 200, 'GET', 1, 0, 0, 0, '{1}')",
        )
        .bind(at)
        .execute(&mut *conn)
        .await
        .expect("hour");
        sqlx::query("INSERT INTO analytics_api_hours VALUES ($1, 1, 200, 1, 0, 0, 0, '{1}')")
            .bind(at)
            .execute(&mut *conn)
            .await
            .expect("api hour");
    }
    for minutes_ago in [1, 30 * 24 * 60 + 1] {
        sqlx::query("INSERT INTO analytics_api_minutes VALUES ($1, 1, 200, 1, 0, 0, 0, '{1}')")
            .bind(now - chrono::Duration::minutes(minutes_ago))
            .execute(&mut *conn)
            .await
            .expect("api minute");
    }
    let mut dropped = partitions::expire(&pool, Retention::default(), now)
        .await
        .expect("expire");
    dropped.sort();
    // The log keeps 7 days back (from the 20th on the 27th), minutes 30 (from the 28th of
    // October): a day goes once all of it is older than that.
    assert_eq!(
        dropped,
        [
            "analytics_log_20261027",
            "analytics_log_20261028",
            "analytics_log_20261029",
            "analytics_log_20261119",
            "analytics_minutes_20261027",
        ]
    );
    for (table, kept) in [
        ("analytics_hours", 2),
        ("analytics_api_hours", 2),
        ("analytics_api_minutes", 1),
    ] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(&pool)
            .await
            .expect("count");
        assert_eq!(n, kept, "{table}");
    }
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn the_probe_reads_the_counters_the_gateway_counts_in(pool: PgPool) {
    let limit = |t, limit: &str, period: &str, granularity: &str| {
        form(
            t,
            &[
                ("limit", limit),
                ("period", period),
                ("granularity", granularity),
            ],
        )
    };
    let key = echo_world(
        &pool,
        &[
            limit(PolicyType::RateLimiting, "5", "Hour", "Client"),
            limit(PolicyType::Quota, "100", "Day", "Api"),
            // Per IP address: one bucket per caller, not shown.
            limit(PolicyType::RateLimiting, "50", "Hour", "Ip"),
        ],
    )
    .await;
    let (gw, base) = gateway_analytics(&pool, slow_flush()).await;
    let http = http();
    for _ in 0..3 {
        assert_eq!(
            get(&http, &format!("{base}/Echo/1.0/"), Some(&key))
                .await
                .status,
            200
        );
    }
    let (client, api): (i64, i64) =
        sqlx::query_as("SELECT client_version_id, api_version_id FROM contracts LIMIT 1")
            .fetch_one(&pool)
            .await
            .expect("contract");
    let probe = gw.probe(pool.clone());
    let limits = probe.limits(client, api).await;
    let seen: Vec<_> = limits
        .iter()
        .map(|l| {
            (
                l.policy.as_str(),
                l.level.as_str(),
                l.limit,
                l.used,
                l.remaining,
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("Rate Limiting", "plan", 5, 3, 2),
            ("Quota", "plan", 100, 3, 97),
        ]
    );
    assert!(limits.iter().all(|l| l.resets_at > chrono::Utc::now()));
    // Another client's view of the same contract counts nothing.
    assert!(probe.limits(client + 1000, api).await.is_empty());
}
