//! The world the analytics tests share, and fixtures written with plain SQL the way the
//! gateway's writer stores them (rollups by minute and hour, log rows), into default partitions.
//!
//! ACME (david; viewer is a Viewer) publishes `echo` 1.0 and `pay` 1.0 through the locked plan
//! Gold 1.0. CONS (rose; pat, a portal-only user, is an Owner) has the clients `app` 1.0 and
//! `web` 1.0, each with a contract to `echo` through Gold. OTHER (other) has the API `other` 1.0.
//! outsider belongs nowhere; admin is an administrator.
// Each test binary that includes this module uses a part of it.
#![allow(dead_code)]

use app::api::apis::create_api;
use app::api::clients::create_client;
use app::api::contracts::create_contract;
use app::api::orgs::create_organization;
use app::api::plans::{create_plan, lock_plan};
use app::domain::analytics::histogram::Histogram;
use app::domain::analytics::window::Range;
use app::domain::refs::VersionRef;
use app::domain::roles::Role;
use chrono::{DateTime, Duration, DurationRound, Utc};
use sqlx::PgPool;

use super::common;

pub fn s(v: &str) -> String {
    v.to_string()
}

pub fn echo() -> VersionRef {
    VersionRef::new("ACME", "echo", "1.0")
}

pub fn pay() -> VersionRef {
    VersionRef::new("ACME", "pay", "1.0")
}

pub fn client(id: &str) -> VersionRef {
    VersionRef::new("CONS", id, "1.0")
}

pub async fn world(pool: &PgPool) {
    for (name, admin, portal) in [
        ("david", false, false),
        ("viewer", false, false),
        ("rose", false, false),
        ("pat", false, true),
        ("other", false, false),
        ("outsider", false, false),
        ("admin", true, false),
    ] {
        common::user(pool, name, admin, portal).await;
    }
    {
        let _o = common::as_user(pool, "david").await;
        create_organization(s("ACME"), s("Acme"), String::new())
            .await
            .expect("org");
        common::join(pool, "ACME", "viewer", Role::Viewer).await;
        create_plan(s("ACME"), s("Gold"), s("Gold"), s("1.0"), String::new())
            .await
            .expect("plan");
        lock_plan(s("ACME"), s("Gold"), s("1.0"))
            .await
            .expect("lock");
        for api in ["echo", "pay"] {
            common::api_offered(
                "ACME",
                api,
                "http://127.0.0.1:9/",
                false,
                &[("Gold", false)],
                true,
            )
            .await;
        }
    }
    {
        let _o = common::as_user(pool, "rose").await;
        create_organization(s("CONS"), s("Consumer"), String::new())
            .await
            .expect("org");
        common::join(pool, "CONS", "pat", Role::Owner).await;
        for id in ["app", "web"] {
            create_client(s("CONS"), s(id), s(id), s("1.0"), String::new())
                .await
                .expect("client");
            create_contract(client(id), echo(), s("Gold"), s("1.0"))
                .await
                .expect("contract");
        }
    }
    let _o = common::as_user(pool, "other").await;
    create_organization(s("OTHER"), s("Other"), String::new())
        .await
        .expect("org");
    create_api(s("OTHER"), s("other"), s("other"), s("1.0"), String::new())
        .await
        .expect("api");
    partitions(pool).await;
}

/// Default partitions, which take every day (the writer creates day partitions instead).
pub async fn partitions(pool: &PgPool) {
    for table in ["analytics_log", "analytics_minutes"] {
        sqlx::query(&format!(
            "CREATE TABLE {table}_default PARTITION OF {table} DEFAULT"
        ))
        .execute(pool)
        .await
        .expect("partition");
    }
}

/// The row id of a version (`table`: api_versions, client_versions, plan_versions).
pub async fn id_of(pool: &PgPool, table: &str, v: &VersionRef) -> i64 {
    let column = table.trim_end_matches("_versions");
    sqlx::query_scalar(&format!(
        "SELECT id FROM {table} WHERE org_id = $1 AND {column}_id = $2 AND version = $3"
    ))
    .bind(&v.org)
    .bind(&v.id)
    .bind(&v.version)
    .fetch_one(pool)
    .await
    .expect("version id")
}

/// The ids of the world's versions.
pub struct Ids {
    pub echo: i64,
    pub pay: i64,
    pub other: i64,
    pub app: i64,
    pub web: i64,
    pub gold: i64,
}

pub async fn ids(pool: &PgPool) -> Ids {
    Ids {
        echo: id_of(pool, "api_versions", &echo()).await,
        pay: id_of(pool, "api_versions", &pay()).await,
        other: id_of(
            pool,
            "api_versions",
            &VersionRef::new("OTHER", "other", "1.0"),
        )
        .await,
        app: id_of(pool, "client_versions", &client("app")).await,
        web: id_of(pool, "client_versions", &client("web")).await,
        gold: id_of(
            pool,
            "plan_versions",
            &VersionRef::new("ACME", "Gold", "1.0"),
        )
        .await,
    }
}

/// The start of the hour three hours ago: fixtures' windows start here, well inside the
/// minute rollups' retention and clear of the current hour.
pub fn t0() -> DateTime<Utc> {
    (Utc::now() - Duration::hours(3))
        .duration_trunc(Duration::hours(1))
        .expect("hour")
}

/// The hour from `t0()`: charted from minute rollups, one point a minute.
pub fn hour_range() -> Range {
    Range::Custom {
        from: t0(),
        to: t0() + Duration::hours(1),
    }
}

/// Who sent a request: API, client and plan version ids.
#[derive(Debug, Clone, Copy)]
pub struct Parties {
    pub api: i64,
    pub client: Option<i64>,
    pub plan: Option<i64>,
}

/// Which rollups a fixture goes into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rollups {
    Minutes,
    Hours,
    Both,
}

/// `requests` requests of `status` at `at`, each taking `latency_us` with 10 bytes in and 100
/// out, added to the rollups the way the writer upserts them.
pub async fn rollup(
    pool: &PgPool,
    into: Rollups,
    at: DateTime<Utc>,
    who: Parties,
    (status, requests, latency_us): (i16, i64, u64),
) {
    let mut hist = Histogram::default();
    for _ in 0..requests {
        hist.observe(latency_us);
    }
    let tables: &[(&str, &str, Duration)] = match into {
        Rollups::Minutes => &[("analytics_minutes", "minute", Duration::minutes(1))],
        Rollups::Hours => &[("analytics_hours", "hour", Duration::hours(1))],
        Rollups::Both => &[
            ("analytics_minutes", "minute", Duration::minutes(1)),
            ("analytics_hours", "hour", Duration::hours(1)),
        ],
    };
    for (table, time, unit) in tables {
        sqlx::query(&format!(
            "INSERT INTO {table} ({time}, api_version_id, client_version_id, plan_version_id,
                 status, method, requests, bytes_in, bytes_out, latency_us_sum, latency_hist)
             VALUES ($1, $2, $3, $4, $5, 'GET', $6, $6 * 10, $6 * 100, $6 * $7, $8)
             ON CONFLICT ON CONSTRAINT {table}_key DO UPDATE SET
                 requests = {table}.requests + excluded.requests,
                 bytes_in = {table}.bytes_in + excluded.bytes_in,
                 bytes_out = {table}.bytes_out + excluded.bytes_out,
                 latency_us_sum = {table}.latency_us_sum + excluded.latency_us_sum,
                 latency_hist = analytics_hist_add({table}.latency_hist, excluded.latency_hist)"
        ))
        .bind(at.duration_trunc(*unit).expect("truncate"))
        .bind(who.api)
        .bind(who.client)
        .bind(who.plan)
        .bind(status)
        .bind(requests)
        .bind(latency_us as i64)
        .bind(&hist.0)
        .execute(pool)
        .await
        .expect("rollup");
        // The per-API series the writer keeps beside each rollup.
        sqlx::query(&format!(
            "INSERT INTO analytics_api_{time}s ({time}, api_version_id, status, requests,
                 bytes_in, bytes_out, latency_us_sum, latency_hist)
             VALUES ($1, $2, $3, $4, $4 * 10, $4 * 100, $4 * $5, $6)
             ON CONFLICT ON CONSTRAINT analytics_api_{time}s_key DO UPDATE SET
                 requests = analytics_api_{time}s.requests + excluded.requests,
                 bytes_in = analytics_api_{time}s.bytes_in + excluded.bytes_in,
                 bytes_out = analytics_api_{time}s.bytes_out + excluded.bytes_out,
                 latency_us_sum = analytics_api_{time}s.latency_us_sum + excluded.latency_us_sum,
                 latency_hist = analytics_hist_add(analytics_api_{time}s.latency_hist,
                                                   excluded.latency_hist)"
        ))
        .bind(at.duration_trunc(*unit).expect("truncate"))
        .bind(who.api)
        .bind(status)
        .bind(requests)
        .bind(latency_us as i64)
        .bind(&hist.0)
        .execute(pool)
        .await
        .expect("series");
        // And the callers' sums.
        sqlx::query(&format!(
            "INSERT INTO analytics_party_{time}s ({time}, api_version_id, client_version_id,
                 plan_version_id, requests, errors)
             VALUES ($1, $2, $3, $4, $5, CASE WHEN $6 >= 400 THEN $5 ELSE 0 END)
             ON CONFLICT ON CONSTRAINT analytics_party_{time}s_key DO UPDATE SET
                 requests = analytics_party_{time}s.requests + excluded.requests,
                 errors = analytics_party_{time}s.errors + excluded.errors"
        ))
        .bind(at.duration_trunc(*unit).expect("truncate"))
        .bind(who.api)
        .bind(who.client)
        .bind(who.plan)
        .bind(requests)
        .bind(status)
        .execute(pool)
        .await
        .expect("parties");
    }
}

/// One request of the log.
#[derive(Debug, Clone)]
pub struct Logged {
    pub at: DateTime<Utc>,
    pub who: Parties,
    pub method: &'static str,
    pub path: String,
    pub status: i16,
    pub failure: Option<&'static str>,
}

/// A GET at `at_min` minutes past `t0()`.
pub fn row(at_min: i64, who: Parties, path: &str, status: i16) -> Logged {
    Logged {
        at: t0() + Duration::minutes(at_min),
        who,
        method: "GET",
        path: path.to_string(),
        status,
        failure: None,
    }
}

/// Writes log rows; returns their ids in order.
pub async fn log(pool: &PgPool, rows: &[Logged]) -> Vec<i64> {
    let mut ids = Vec::new();
    for r in rows {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO analytics_log (at, api_version_id, client_version_id, plan_version_id,
                 method, path, status, latency_us, bytes_in, bytes_out, client_ip, key_hint,
                 failure)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1500, 10, 100, '10.0.0.1', 'abcd…', $8)
             RETURNING id",
        )
        .bind(r.at)
        .bind(r.who.api)
        .bind(r.who.client)
        .bind(r.who.plan)
        .bind(r.method)
        .bind(&r.path)
        .bind(r.status)
        .bind(r.failure)
        .fetch_one(pool)
        .await
        .expect("log row");
        ids.push(id);
    }
    ids
}
