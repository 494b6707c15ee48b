//! The background side of analytics: batches written every `flush_every`, partitions made
//! ahead, expired data dropped every hour.

use std::sync::Weak;
use std::time::Duration;

use app::store::analytics::{partitions, write};
use chrono::{NaiveDate, Utc};

use super::Analytics;

/// How often expired partitions are looked for (and tomorrow's made).
const EXPIRE_EVERY: Duration = Duration::from_secs(3600);

pub(super) async fn every(analytics: Weak<Analytics>) {
    let Some(period) = analytics.upgrade().map(|a| a.config.flush_every) else {
        return;
    };
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(a) = analytics.upgrade() else {
            return;
        };
        flush(&a).await;
    }
}

/// Writes what every worker has buffered; on failure the batch is dropped and counted.
pub(super) async fn flush(a: &Analytics) {
    let (log, minutes) = a.take();
    if log.is_empty() && minutes.is_empty() {
        return;
    }
    let requests = minutes.values().map(|r| r.requests).sum::<i64>();
    let mut days: Vec<NaiveDate> = minutes.keys().map(|k| k.at.date_naive()).collect();
    days.extend(log.iter().map(|e| e.at.date_naive()));
    days.sort_unstable();
    days.dedup();
    let started = std::time::Instant::now();
    let limit = a.config.write_timeout;
    let timed_out = || format!("no answer within {} s", limit.as_secs_f64());
    // One deadline for the whole batch: partitions, a connection, the transaction.
    let deadline = tokio::time::Instant::now() + limit;
    let connected = tokio::time::timeout_at(deadline, async {
        ensure_days(a, &days).await?;
        Ok::<_, app::error::AppError>(a.pool.acquire().await?)
    })
    .await;
    let mut conn = match connected {
        Ok(Ok(conn)) => conn,
        Ok(Err(e)) => return dropped(a, requests, log.len(), &e.to_string()),
        Err(_) => return dropped(a, requests, log.len(), &timed_out()),
    };
    let written = tokio::time::timeout_at(deadline, async {
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        write::write(&mut tx, &log, &minutes).await?;
        tx.commit().await?;
        Ok::<_, app::error::AppError>(())
    })
    .await;
    let failure = match written {
        Ok(Ok(())) => {
            let ms = started.elapsed().as_millis();
            tracing::debug!(rows = log.len(), ms, "analytics batch written");
            return;
        }
        Ok(Err(e)) => e.to_string(),
        Err(_) => timed_out(),
    };
    // A batch cut short may leave the connection mid-COPY: it is closed rather than handed
    // back to the pool, where the next batch found it out of step ("expected CopyInResponse,
    // got CommandComplete" under `make bench`, and every later batch on it dropped).
    conn.close_on_drop();
    dropped(a, requests, log.len(), &failure);
}

/// Counts a batch that did not go in.
fn dropped(a: &Analytics, requests: i64, records: usize, failure: &str) {
    let records = i64::try_from(records).unwrap_or(i64::MAX);
    a.dropped
        .inc_by(u64::try_from(requests.max(records)).unwrap_or(0));
    tracing::warn!(requests, error = %failure, "analytics batch dropped: the database did not take it");
}

/// Creates the partitions of days not seen before.
async fn ensure_days(a: &Analytics, days: &[NaiveDate]) -> Result<(), app::error::AppError> {
    let missing: Vec<NaiveDate> = match a.days.lock() {
        Ok(known) => days
            .iter()
            .filter(|d| !known.contains(d))
            .copied()
            .collect(),
        Err(_) => days.to_vec(),
    };
    for day in missing {
        let mut tx = a.pool.begin().await?;
        partitions::ensure(&mut tx, day).await?;
        tx.commit().await?;
        if let Ok(mut known) = a.days.lock() {
            known.insert(day);
        }
    }
    Ok(())
}

/// Every hour: today's and tomorrow's partitions, and retention.
pub(super) async fn expire_every(analytics: Weak<Analytics>) {
    let mut tick = tokio::time::interval(EXPIRE_EVERY);
    loop {
        tick.tick().await;
        let Some(a) = analytics.upgrade() else {
            return;
        };
        let today = Utc::now().date_naive();
        let ahead = [today, today + chrono::Duration::days(1)];
        if let Err(e) = ensure_days(&a, &ahead).await {
            tracing::warn!(error = %e, "analytics partitions could not be created");
        }
        match partitions::expire(&a.pool, a.config.retention, Utc::now()).await {
            Ok(dropped) if !dropped.is_empty() => {
                tracing::info!(?dropped, "expired analytics partitions dropped");
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "analytics retention failed"),
        }
    }
}
