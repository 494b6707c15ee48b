//! The gateway's analytics batches: request log rows inserted, minute and hour rollups added to
//! what other batches (and other gateway processes) wrote before, all in one transaction.
//!
//! Log rows go in with COPY (`copy_log`); rollups with multi-row `INSERT … SELECT FROM
//! UNNEST(arrays)`: one statement per chunk of rows, every value bound. Rollup rows are sorted by key so that two processes upserting the same rows
//! lock them in the same order (no deadlock).

use std::collections::BTreeMap;
use std::net::IpAddr;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use sqlx::PgConnection;

use crate::domain::analytics::histogram::Histogram;
use crate::error::AppResult;

/// Rows per INSERT statement.
const CHUNK: usize = 5_000;

/// One request, as the Log Analyzer keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEntry {
    pub at: DateTime<Utc>,
    pub api: i64,
    pub client: Option<i64>,
    pub plan: Option<i64>,
    pub method: &'static str,
    /// Already cut to `log::MAX_LOGGED_PATH`.
    pub path: String,
    pub status: u16,
    pub latency_us: i64,
    pub bytes_in: i64,
    pub bytes_out: i64,
    pub client_ip: Option<IpAddr>,
    pub key_hint: Option<String>,
    pub failure: Option<String>,
}

/// What a rollup row counts: its minute (or hour) and dimensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RollupKey {
    pub at: DateTime<Utc>,
    pub api: i64,
    pub client: Option<i64>,
    pub plan: Option<i64>,
    pub status: u16,
    pub method: &'static str,
}

/// The counts of one rollup row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rollup {
    pub requests: i64,
    pub bytes_in: i64,
    pub bytes_out: i64,
    pub latency_us_sum: i64,
    pub hist: Histogram,
}

impl Rollup {
    pub fn add(&mut self, other: &Rollup) {
        self.requests += other.requests;
        self.bytes_in += other.bytes_in;
        self.bytes_out += other.bytes_out;
        self.latency_us_sum += other.latency_us_sum;
        self.hist.merge(&other.hist.0);
    }
}

/// Minute rollups keyed in order (the order rows are upserted in).
pub type Rollups = BTreeMap<RollupKey, Rollup>;

/// The hour rollups that the minute rollups add up to.
pub fn hours(minutes: &Rollups) -> Rollups {
    let mut out = Rollups::new();
    for (key, value) in minutes {
        let hour = key.at.duration_trunc(TimeDelta::hours(1)).unwrap_or(key.at);
        out.entry(RollupKey { at: hour, ..*key })
            .or_default()
            .add(value);
    }
    out
}

/// The per-API series of some rollups: the same sums without client, plan and method.
pub fn series(rollups: &Rollups) -> Rollups {
    let mut out = Rollups::new();
    for (key, value) in rollups {
        let key = RollupKey {
            client: None,
            plan: None,
            method: "",
            ..*key
        };
        out.entry(key).or_default().add(value);
    }
    out
}

/// Requests and errors (status >= 400) per (time, API, client, plan): the "top" tables' rows.
pub type Parties = BTreeMap<(DateTime<Utc>, i64, Option<i64>, Option<i64>), (i64, i64)>;

/// The callers of some rollups: their sums by API, client and plan alone.
pub fn parties(rollups: &Rollups) -> Parties {
    let mut out = Parties::new();
    for (key, value) in rollups {
        let row = out
            .entry((key.at, key.api, key.client, key.plan))
            .or_default();
        row.0 += value.requests;
        if crate::domain::analytics::report::is_error(key.status) {
            row.1 += value.requests;
        }
    }
    out
}

/// Writes one batch in the caller's transaction. The days' partitions must exist
/// (`partitions::ensure`).
pub async fn write(conn: &mut PgConnection, log: &[LogEntry], minutes: &Rollups) -> AppResult<()> {
    for chunk in log.chunks(CHUNK) {
        super::copy_log::copy_log(conn, chunk).await?;
    }
    let rows: Vec<_> = minutes.iter().collect();
    for chunk in rows.chunks(CHUNK) {
        upsert(conn, "analytics_minutes", "minute", chunk).await?;
    }
    let hours = hours(minutes);
    let rows: Vec<_> = hours.iter().collect();
    for chunk in rows.chunks(CHUNK) {
        upsert(conn, "analytics_hours", "hour", chunk).await?;
    }
    for (table, time, rollups) in [
        ("analytics_api_minutes", "minute", series(minutes)),
        ("analytics_api_hours", "hour", series(&hours)),
    ] {
        let rows: Vec<_> = rollups.iter().collect();
        for chunk in rows.chunks(CHUNK) {
            upsert_series(conn, table, time, chunk).await?;
        }
    }
    for (table, time, rows) in [
        ("analytics_party_minutes", "minute", parties(minutes)),
        ("analytics_party_hours", "hour", parties(&hours)),
    ] {
        let rows: Vec<_> = rows.into_iter().collect();
        for chunk in rows.chunks(CHUNK) {
            upsert_parties(conn, table, time, chunk).await?;
        }
    }
    Ok(())
}

type PartyRow = ((DateTime<Utc>, i64, Option<i64>, Option<i64>), (i64, i64));

/// Adds rows to a party table, like `upsert`.
async fn upsert_parties(
    conn: &mut PgConnection,
    table: &str,
    time: &str,
    rows: &[PartyRow],
) -> AppResult<()> {
    // The table and column names are this module's constants, never input.
    let sql = format!(
        "INSERT INTO {table} ({time}, api_version_id, client_version_id, plan_version_id,
             requests, errors)
         SELECT * FROM UNNEST($1::timestamptz[], $2::bigint[], $3::bigint[], $4::bigint[],
             $5::bigint[], $6::bigint[])
         ON CONFLICT ON CONSTRAINT {table}_key DO UPDATE SET
             requests = {table}.requests + EXCLUDED.requests,
             errors = {table}.errors + EXCLUDED.errors"
    );
    sqlx::query(&sql)
        .bind(rows.iter().map(|r| r.0.0).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.0.1).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.0.2).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.0.3).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.1.0).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.1.1).collect::<Vec<_>>())
        .execute(conn)
        .await?;
    Ok(())
}

/// Adds rows to a per-API series table, like `upsert`.
async fn upsert_series(
    conn: &mut PgConnection,
    table: &str,
    time: &str,
    rows: &[(&RollupKey, &Rollup)],
) -> AppResult<()> {
    // The table and column names are this module's constants, never input.
    let sql = format!(
        "INSERT INTO {table} ({time}, api_version_id, status, requests, bytes_in, bytes_out,
             latency_us_sum, latency_hist)
         SELECT at, api, status, n, b_in, b_out, lat, hist::bigint[]
         FROM UNNEST($1::timestamptz[], $2::bigint[], $3::smallint[], $4::bigint[], $5::bigint[],
             $6::bigint[], $7::bigint[], $8::text[])
           AS t(at, api, status, n, b_in, b_out, lat, hist)
         ON CONFLICT ON CONSTRAINT {table}_key DO UPDATE SET
             requests = {table}.requests + EXCLUDED.requests,
             bytes_in = {table}.bytes_in + EXCLUDED.bytes_in,
             bytes_out = {table}.bytes_out + EXCLUDED.bytes_out,
             latency_us_sum = {table}.latency_us_sum + EXCLUDED.latency_us_sum,
             latency_hist = analytics_hist_add({table}.latency_hist, EXCLUDED.latency_hist)"
    );
    let val = |f: fn(&Rollup) -> i64| rows.iter().map(|(_, v)| f(v)).collect::<Vec<_>>();
    sqlx::query(&sql)
        .bind(rows.iter().map(|(k, _)| k.at).collect::<Vec<_>>())
        .bind(rows.iter().map(|(k, _)| k.api).collect::<Vec<_>>())
        .bind(
            rows.iter()
                .map(|(k, _)| status(k.status))
                .collect::<Vec<_>>(),
        )
        .bind(val(|v| v.requests))
        .bind(val(|v| v.bytes_in))
        .bind(val(|v| v.bytes_out))
        .bind(val(|v| v.latency_us_sum))
        .bind(
            rows.iter()
                .map(|(_, v)| hist_literal(&v.hist))
                .collect::<Vec<_>>(),
        )
        .execute(conn)
        .await?;
    Ok(())
}

/// Adds rows to a rollup table (`time` is its time column): new keys are inserted, existing
/// ones summed, histograms merged.
async fn upsert(
    conn: &mut PgConnection,
    table: &str,
    time: &str,
    rows: &[(&RollupKey, &Rollup)],
) -> AppResult<()> {
    // The table and column names are this module's constants, never input.
    let sql = format!(
        "INSERT INTO {table} ({time}, api_version_id, client_version_id, plan_version_id, status,
             method, requests, bytes_in, bytes_out, latency_us_sum, latency_hist)
         SELECT at, api, client, plan, status, method, n, b_in, b_out, lat, hist::bigint[]
         FROM UNNEST($1::timestamptz[], $2::bigint[], $3::bigint[], $4::bigint[], $5::smallint[],
             $6::text[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[], $11::text[])
           AS t(at, api, client, plan, status, method, n, b_in, b_out, lat, hist)
         ON CONFLICT ON CONSTRAINT {table}_key DO UPDATE SET
             requests = {table}.requests + EXCLUDED.requests,
             bytes_in = {table}.bytes_in + EXCLUDED.bytes_in,
             bytes_out = {table}.bytes_out + EXCLUDED.bytes_out,
             latency_us_sum = {table}.latency_us_sum + EXCLUDED.latency_us_sum,
             latency_hist = analytics_hist_add({table}.latency_hist, EXCLUDED.latency_hist)"
    );
    let key = |f: fn(&RollupKey) -> i64| rows.iter().map(|(k, _)| f(k)).collect::<Vec<_>>();
    let opt = |f: fn(&RollupKey) -> Option<i64>| rows.iter().map(|(k, _)| f(k)).collect::<Vec<_>>();
    let val = |f: fn(&Rollup) -> i64| rows.iter().map(|(_, v)| f(v)).collect::<Vec<_>>();
    sqlx::query(&sql)
        .bind(rows.iter().map(|(k, _)| k.at).collect::<Vec<_>>())
        .bind(key(|k| k.api))
        .bind(opt(|k| k.client))
        .bind(opt(|k| k.plan))
        .bind(
            rows.iter()
                .map(|(k, _)| status(k.status))
                .collect::<Vec<_>>(),
        )
        .bind(rows.iter().map(|(k, _)| k.method).collect::<Vec<_>>())
        .bind(val(|v| v.requests))
        .bind(val(|v| v.bytes_in))
        .bind(val(|v| v.bytes_out))
        .bind(val(|v| v.latency_us_sum))
        .bind(
            rows.iter()
                .map(|(_, v)| hist_literal(&v.hist))
                .collect::<Vec<_>>(),
        )
        .execute(conn)
        .await?;
    Ok(())
}

/// Status codes are 100..=999 on the wire; SMALLINT holds them all.
fn status(code: u16) -> i16 {
    i16::try_from(code).unwrap_or(i16::MAX)
}

/// `{1,0,2}`: a histogram as an array literal. Passed as text because UNNEST flattens a
/// two-dimensional array instead of yielding its rows.
fn hist_literal(h: &Histogram) -> String {
    let mut s = String::with_capacity(h.0.len() * 2 + 2);
    s.push('{');
    for (i, n) in h.0.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&n.to_string());
    }
    s.push('}');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(at: &str, status: u16) -> RollupKey {
        RollupKey {
            at: at.parse().unwrap(),
            api: 1,
            client: Some(2),
            plan: None,
            status,
            method: "GET",
        }
    }

    #[test]
    fn minutes_add_up_to_their_hours() {
        let mut minutes = Rollups::new();
        let one = |n, us| {
            let mut r = Rollup {
                requests: n,
                bytes_in: 10 * n,
                bytes_out: 20 * n,
                latency_us_sum: us * n,
                hist: Histogram::default(),
            };
            r.hist.0[3] = n;
            r
        };
        minutes.insert(key("2026-11-27T10:01:00Z", 200), one(2, 500));
        minutes.insert(key("2026-11-27T10:59:00Z", 200), one(3, 500));
        minutes.insert(key("2026-11-27T11:00:00Z", 200), one(1, 500));
        minutes.insert(key("2026-11-27T10:02:00Z", 404), one(4, 500));
        let hours = hours(&minutes);
        assert_eq!(hours.len(), 3);
        let ten = &hours[&key("2026-11-27T10:00:00Z", 200)];
        assert_eq!((ten.requests, ten.bytes_in, ten.bytes_out), (5, 50, 100));
        assert_eq!(ten.hist.0[3], 5);
        assert_eq!(hours[&key("2026-11-27T11:00:00Z", 200)].requests, 1);
        assert_eq!(hours[&key("2026-11-27T10:00:00Z", 404)].requests, 4);
    }

    #[test]
    fn series_drop_client_plan_and_method() {
        let mut minutes = Rollups::new();
        let mut other = key("2026-11-27T10:01:00Z", 200);
        other.client = Some(3);
        other.method = "POST";
        for k in [key("2026-11-27T10:01:00Z", 200), other] {
            minutes.insert(
                k,
                Rollup {
                    requests: 2,
                    ..Rollup::default()
                },
            );
        }
        let series = series(&minutes);
        assert_eq!(series.len(), 1);
        let (k, v) = series.iter().next().unwrap();
        assert_eq!(
            (k.client, k.plan, k.method, v.requests),
            (None, None, "", 4)
        );
    }

    #[test]
    fn parties_count_requests_and_errors_per_caller() {
        let mut minutes = Rollups::new();
        for (status, n) in [(200, 5), (404, 2), (502, 1)] {
            minutes.insert(
                key("2026-11-27T10:01:00Z", status),
                Rollup {
                    requests: n,
                    ..Rollup::default()
                },
            );
        }
        let parties = parties(&minutes);
        assert_eq!(parties.values().copied().collect::<Vec<_>>(), [(8, 3)]);
    }

    #[test]
    fn histograms_travel_as_array_literals() {
        let mut h = Histogram(vec![0; 3]);
        h.0[1] = 7;
        assert_eq!(hist_literal(&h), "{0,7,0}");
        assert_eq!(status(404), 404);
        assert_eq!(status(u16::MAX), i16::MAX);
    }
}
