//! Analytics off the request path. A request adds its log record and its minute rollup to its
//! HTTP worker's buffer (one uncontended mutex, no I/O); a background task takes every
//! worker's buffer each `flush_every` and writes it to Postgres in one transaction
//! (`app::store::analytics::write`). Buffers are bounded: when the database is slow or down,
//! records beyond the bound are dropped and counted (`gatehouse_analytics_dropped_total`)
//! rather than slowing traffic or growing memory. Shutdown flushes what is buffered.

mod body;
mod flush;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use app::store::analytics::partitions::Retention;
use app::store::analytics::write::{LogEntry, Rollup, RollupKey, Rollups};
use chrono::{DurationRound, NaiveDate, TimeDelta};
use prometheus::IntCounter;
use sqlx::PgPool;

pub use body::{CountedIn, Metered, Pending};

/// Analytics settings (README's configuration table).
#[derive(Debug, Clone, Copy)]
pub struct AnalyticsConfig {
    pub enabled: bool,
    pub flush_every: Duration,
    /// Log records waiting per process at most; the same bound holds for rollup rows.
    pub max_buffered: usize,
    pub retention: Retention,
}

impl Default for AnalyticsConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            flush_every: Duration::from_secs(2),
            max_buffered: 200_000,
            retention: Retention::default(),
        }
    }
}

/// What one worker has recorded since the last flush.
#[derive(Default)]
struct Buffer {
    log: Vec<LogEntry>,
    rollups: HashMap<RollupKey, Rollup>,
}

/// One HTTP worker's buffer.
#[derive(Default)]
pub struct Shard(Mutex<Buffer>);

/// The process's analytics: every worker's shard, the bound they share, the dropped count.
pub struct Analytics {
    config: AnalyticsConfig,
    shards: Mutex<Vec<Arc<Shard>>>,
    /// Log records plus rollup rows waiting, over all shards.
    buffered: AtomicUsize,
    dropped: IntCounter,
    pool: PgPool,
    /// Days whose partitions are known to exist.
    days: Mutex<HashSet<NaiveDate>>,
}

impl Analytics {
    pub fn new(pool: PgPool, config: AnalyticsConfig, dropped: IntCounter) -> Arc<Self> {
        Arc::new(Self {
            config,
            shards: Mutex::new(Vec::new()),
            buffered: AtomicUsize::new(0),
            dropped,
            pool,
            days: Mutex::new(HashSet::new()),
        })
    }

    pub fn enabled(&self) -> bool {
        self.config.enabled
    }

    /// A buffer for one more worker.
    pub fn shard(&self) -> Arc<Shard> {
        let shard = Arc::new(Shard::default());
        if let Ok(mut shards) = self.shards.lock() {
            shards.push(Arc::clone(&shard));
        }
        shard
    }

    /// Records one request in `shard`: its log record and its minute rollup.
    pub fn record(&self, shard: &Shard, entry: LogEntry) {
        let Ok(mut buffer) = shard.0.lock() else {
            self.dropped.inc();
            return;
        };
        let key = RollupKey {
            at: entry
                .at
                .duration_trunc(TimeDelta::minutes(1))
                .unwrap_or(entry.at),
            api: entry.api,
            client: entry.client,
            plan: entry.plan,
            status: entry.status,
            method: entry.method,
        };
        let latency = u64::try_from(entry.latency_us).unwrap_or(0);
        let (bytes_in, bytes_out) = (entry.bytes_in, entry.bytes_out);
        let has_row = buffer.rollups.contains_key(&key);
        let want = 1 + usize::from(!has_row);
        if self.buffered.fetch_add(want, Ordering::Relaxed) + want > self.config.max_buffered {
            self.buffered.fetch_sub(want, Ordering::Relaxed);
            self.dropped.inc();
            return;
        }
        let row = buffer.rollups.entry(key).or_default();
        row.requests += 1;
        row.bytes_in += bytes_in;
        row.bytes_out += bytes_out;
        row.latency_us_sum += i64::try_from(latency).unwrap_or(i64::MAX);
        row.hist.observe(latency);
        buffer.log.push(entry);
    }

    /// Takes every shard's records: the log and the merged minute rollups.
    fn take(&self) -> (Vec<LogEntry>, Rollups) {
        let shards: Vec<Arc<Shard>> = match self.shards.lock() {
            Ok(s) => s.clone(),
            Err(_) => return Default::default(),
        };
        let mut log = Vec::new();
        let mut rollups = Rollups::new();
        for shard in shards {
            let taken = match shard.0.lock() {
                Ok(mut b) => std::mem::take(&mut *b),
                Err(_) => continue,
            };
            self.buffered
                .fetch_sub(taken.log.len() + taken.rollups.len(), Ordering::Relaxed);
            log.extend(taken.log);
            for (key, value) in taken.rollups {
                rollups.entry(key).or_default().add(&value);
            }
        }
        (log, rollups)
    }

    /// Writes what is buffered now (also at shutdown).
    pub async fn flush(&self) {
        flush::flush(self).await;
    }

    /// Starts the flush and retention tasks; they stop when the analytics are dropped.
    pub fn start(self: &Arc<Self>) {
        if !self.config.enabled {
            return;
        }
        tokio::spawn(flush::every(Arc::downgrade(self)));
        tokio::spawn(flush::expire_every(Arc::downgrade(self)));
    }
}
