//! Gateways with analytics settings of their own, and what their batches stored.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use app::store::PgPool;
use server::gateway::analytics::AnalyticsConfig;
use server::gateway::{Gateway, GatewayConfig};

use super::{ORG, get, http, serve, start, test_config};

pub async fn gateway_analytics(
    pool: &PgPool,
    analytics: AnalyticsConfig,
) -> (Arc<Gateway>, String) {
    let config = GatewayConfig {
        analytics,
        ..test_config()
    };
    let (gw, addr) = start(pool, config).await;
    (gw, format!("http://{addr}/gateway/{ORG}"))
}

pub fn slow_flush() -> AnalyticsConfig {
    AnalyticsConfig {
        flush_every: Duration::from_secs(3600),
        ..Default::default()
    }
}

/// Requests per status in the minute rollups, the hour rollups and the log.
pub async fn stored(pool: &PgPool) -> [BTreeMap<i16, i64>; 3] {
    let [minutes, hours, log] = stored_all(pool).await;
    let [api_minutes, api_hours] = stored_series(pool).await;
    // The per-API series and the callers' sums always say what the rollups say.
    assert_eq!((&api_minutes, &api_hours), (&minutes, &hours));
    for (table, rollup) in [
        ("analytics_party_minutes", &minutes),
        ("analytics_party_hours", &hours),
    ] {
        let (requests, errors): (Option<i64>, Option<i64>) = sqlx::query_as(&format!(
            "SELECT sum(requests)::bigint, sum(errors)::bigint FROM {table}"
        ))
        .fetch_one(pool)
        .await
        .expect("parties");
        let total: i64 = rollup.values().sum();
        let failed: i64 = rollup
            .iter()
            .filter(|(s, _)| **s >= 400)
            .map(|(_, n)| n)
            .sum();
        assert_eq!(
            (requests.unwrap_or(0), errors.unwrap_or(0)),
            (total, failed),
            "{table}"
        );
    }
    [minutes, hours, log]
}

pub async fn stored_series(pool: &PgPool) -> [BTreeMap<i16, i64>; 2] {
    let mut out = [BTreeMap::new(), BTreeMap::new()];
    for (i, table) in ["analytics_api_minutes", "analytics_api_hours"]
        .iter()
        .enumerate()
    {
        let rows: Vec<(i16, i64)> = sqlx::query_as(&format!(
            "SELECT status, sum(requests)::bigint FROM {table} GROUP BY status"
        ))
        .fetch_all(pool)
        .await
        .expect("series");
        out[i] = rows.into_iter().collect();
    }
    out
}

pub async fn stored_all(pool: &PgPool) -> [BTreeMap<i16, i64>; 3] {
    let sum =
        |table: &str| format!("SELECT status, sum(requests)::bigint FROM {table} GROUP BY status");
    let minutes: Vec<(i16, i64)> = sqlx::query_as(&sum("analytics_minutes"))
        .fetch_all(pool)
        .await
        .expect("minutes");
    let hours: Vec<(i16, i64)> = sqlx::query_as(&sum("analytics_hours"))
        .fetch_all(pool)
        .await
        .expect("hours");
    let log: Vec<(i16, i64)> =
        sqlx::query_as("SELECT status, count(*) FROM analytics_log GROUP BY status")
            .fetch_all(pool)
            .await
            .expect("log");
    [minutes, hours, log].map(|rows| rows.into_iter().collect())
}

/// `gatehouse_analytics_dropped_total` from the gateway's /metrics.
pub async fn dropped(gw: &Arc<Gateway>) -> u64 {
    let addr = serve(gw.metrics_router()).await;
    let text = get(&http(), &format!("http://{addr}/metrics"), None).await;
    let text = String::from_utf8(text.body).expect("utf-8");
    text.lines()
        .find_map(|l| l.strip_prefix("gatehouse_analytics_dropped_total "))
        .and_then(|n| n.trim().parse().ok())
        .expect("counter")
}
