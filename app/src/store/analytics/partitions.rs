//! Day partitions of the request log and the minute rollups (`<table>_YYYYMMDD`, UTC days),
//! created before a batch needs them and dropped when their whole day has expired; expired
//! hour rollups are deleted.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sqlx::{PgConnection, PgPool};

use crate::error::AppResult;

/// The partitioned tables, each with its retention in days.
pub const TABLES: [&str; 2] = ["analytics_log", "analytics_minutes"];

/// How long analytics are kept, in days (`GATEHOUSE_ANALYTICS_*_DAYS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub log_days: i64,
    pub minute_days: i64,
    pub hour_days: i64,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            log_days: 7,
            minute_days: 30,
            hour_days: 400,
        }
    }
}

impl Retention {
    fn days(&self, table: &str) -> i64 {
        match table {
            "analytics_log" => self.log_days,
            _ => self.minute_days,
        }
    }
}

fn partition_name(table: &str, day: NaiveDate) -> String {
    format!("{table}_{}", day.format("%Y%m%d"))
}

/// The day a partition name stands for, when it is one of ours.
fn partition_day(table: &str, name: &str) -> Option<NaiveDate> {
    let suffix = name.strip_prefix(table)?.strip_prefix('_')?;
    if suffix.len() != 8 || !suffix.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::parse_from_str(suffix, "%Y%m%d").ok()
}

/// Creates the partitions of `day` in both tables if they are missing. Serialised by an
/// advisory lock: two gateway processes may reach a new day at once.
pub async fn ensure(conn: &mut PgConnection, day: NaiveDate) -> AppResult<()> {
    let next = day + Duration::days(1);
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('analytics_partitions'))")
        .execute(&mut *conn)
        .await?;
    for table in TABLES {
        // Names and bounds come from a date, never from input.
        let sql = format!(
            "CREATE TABLE IF NOT EXISTS {} PARTITION OF {table}
             FOR VALUES FROM ('{day} 00:00:00+00') TO ('{next} 00:00:00+00')",
            partition_name(table, day),
        );
        sqlx::query(&sql).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Drops partitions whose day ended more than their retention ago and deletes older hour
/// rollups. Returns the partitions dropped.
pub async fn expire(
    pool: &PgPool,
    retention: Retention,
    now: DateTime<Utc>,
) -> AppResult<Vec<String>> {
    let mut dropped = Vec::new();
    for table in TABLES {
        let names: Vec<String> = sqlx::query_scalar(
            "SELECT c.relname::text FROM pg_inherits i
             JOIN pg_class c ON c.oid = i.inhrelid
             JOIN pg_class p ON p.oid = i.inhparent
             WHERE p.relname = $1",
        )
        .bind(table)
        .fetch_all(pool)
        .await?;
        let oldest_kept = (now - Duration::days(retention.days(table))).date_naive();
        for name in names {
            let Some(day) = partition_day(table, &name) else {
                continue;
            };
            if day < oldest_kept {
                // `name` matched `<table>_YYYYMMDD` above.
                sqlx::query(&format!("DROP TABLE IF EXISTS {name}"))
                    .execute(pool)
                    .await?;
                dropped.push(name);
            }
        }
    }
    let expired = [
        ("analytics_hours", "hour", retention.hour_days),
        ("analytics_api_hours", "hour", retention.hour_days),
        ("analytics_api_minutes", "minute", retention.minute_days),
        ("analytics_party_hours", "hour", retention.hour_days),
        ("analytics_party_minutes", "minute", retention.minute_days),
    ];
    for (table, time, days) in expired {
        // Table and column names are the constants above.
        sqlx::query(&format!("DELETE FROM {table} WHERE {time} < $1"))
            .bind(now - Duration::days(days))
            .execute(pool)
            .await?;
    }
    Ok(dropped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_names_round_trip_and_strangers_are_ignored() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let name = partition_name("analytics_log", day);
        assert_eq!(name, "analytics_log_20261127");
        assert_eq!(partition_day("analytics_log", &name), Some(day));
        assert_eq!(partition_day("analytics_minutes", &name), None);
        for other in [
            "analytics_log_default",
            "analytics_log_2026112",
            "analytics_log_20261399",
            "analytics_log_2026112x",
        ] {
            assert_eq!(partition_day("analytics_log", other), None, "{other}");
        }
    }
}
