//! Analytics off the request path. A request adds its log record and its minute rollup to its
//! HTTP worker's buffer (one uncontended mutex, no I/O; places under the process's bound are
//! taken in chunks); a background task takes every worker's buffer each `flush_every` and
//! writes it to Postgres in one transaction
//! (`app::store::analytics::write`). Buffers are bounded: when the database is slow or down,
//! records beyond the bound are dropped and counted (`gatehouse_analytics_dropped_total`)
//! rather than slowing traffic or growing memory. Shutdown flushes what is buffered.

mod body;
mod flush;

use std::collections::hash_map::Entry;
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
    /// How long one batch may take to write before it is given up (and counted as dropped).
    pub write_timeout: Duration,
    pub retention: Retention,
}

impl Default for AnalyticsConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            flush_every: Duration::from_secs(2),
            max_buffered: 200_000,
            write_timeout: Duration::from_secs(10),
            retention: Retention::default(),
        }
    }
}

/// What one worker has recorded since the last flush.
#[derive(Default)]
struct Buffer {
    log: Vec<LogEntry>,
    /// foldhash, not SipHash: the key is ids, a minute and a status, hashed on every request.
    rollups: HashMap<RollupKey, Rollup, foldhash::fast::RandomState>,
    /// Places taken from the process's bound and not used yet.
    credit: usize,
}

/// The process-wide bound on records waiting. Workers take places from it in chunks of
/// `CREDIT_CHUNK` and count them down under their own lock, so that a request touches no
/// memory shared with the other workers.
struct Budget {
    max: usize,
    /// Places taken by the shards (used or held as credit).
    taken: AtomicUsize,
}

/// Places a shard takes at a time, and at most a 64th of the bound (a small bound is not held
/// up in the credit of a few workers while others drop).
const CREDIT_CHUNK: usize = 256;

impl Budget {
    /// Up to `CREDIT_CHUNK` places (at least `want`), or none when fewer than `want` are left.
    fn grant(&self, want: usize) -> usize {
        let mut taken = self.taken.load(Ordering::Relaxed);
        loop {
            let room = self.max.saturating_sub(taken);
            if room < want {
                return 0;
            }
            let chunk = CREDIT_CHUNK.min(self.max / 64).max(want);
            let grant = room.min(chunk);
            match self.taken.compare_exchange_weak(
                taken,
                taken + grant,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return grant,
                Err(now) => taken = now,
            }
        }
    }

    fn give_back(&self, places: usize) {
        self.taken.fetch_sub(places, Ordering::Relaxed);
    }
}

/// One HTTP worker's buffer, with what recording needs (no reference to the rest).
pub struct Shard {
    buffer: Mutex<Buffer>,
    budget: Arc<Budget>,
    dropped: IntCounter,
}

impl Shard {
    /// Records one request: its log record and its minute rollup.
    pub fn record(&self, entry: LogEntry) {
        let Ok(mut buffer) = self.buffer.lock() else {
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
        let Buffer {
            log,
            rollups,
            credit,
        } = &mut *buffer;
        let slot = rollups.entry(key);
        // A record takes one place, and its rollup row one more when it is new.
        let want = match slot {
            Entry::Occupied(_) => 1,
            Entry::Vacant(_) => 2,
        };
        if *credit < want {
            *credit += self.budget.grant(want);
            if *credit < want {
                self.dropped.inc();
                return;
            }
        }
        *credit -= want;
        let latency = u64::try_from(entry.latency_us).unwrap_or(0);
        let row = slot.or_default();
        row.requests += 1;
        row.bytes_in += entry.bytes_in;
        row.bytes_out += entry.bytes_out;
        row.latency_us_sum += i64::try_from(latency).unwrap_or(i64::MAX);
        row.hist.observe(latency);
        log.push(entry);
    }
}

/// The process's analytics: every worker's shard, the bound they share, the dropped count.
pub struct Analytics {
    config: AnalyticsConfig,
    shards: Mutex<Vec<Arc<Shard>>>,
    budget: Arc<Budget>,
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
            budget: Arc::new(Budget {
                max: config.max_buffered,
                taken: AtomicUsize::new(0),
            }),
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
        let shard = Arc::new(Shard {
            buffer: Mutex::default(),
            budget: Arc::clone(&self.budget),
            dropped: self.dropped.clone(),
        });
        if let Ok(mut shards) = self.shards.lock() {
            shards.push(Arc::clone(&shard));
        }
        shard
    }

    /// Takes every shard's records: the log and the merged minute rollups. Their places (and
    /// the shards' unused credit) go back to the bound.
    fn take(&self) -> (Vec<LogEntry>, Rollups) {
        let shards: Vec<Arc<Shard>> = match self.shards.lock() {
            Ok(s) => s.clone(),
            Err(_) => return Default::default(),
        };
        let mut log = Vec::new();
        let mut rollups = Rollups::new();
        for shard in shards {
            let taken = match shard.buffer.lock() {
                Ok(mut b) => std::mem::take(&mut *b),
                Err(_) => continue,
            };
            self.budget
                .give_back(taken.log.len() + taken.rollups.len() + taken.credit);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn budget(max: usize) -> Budget {
        Budget {
            max,
            taken: AtomicUsize::new(0),
        }
    }

    #[test]
    fn credit_comes_in_chunks_of_at_most_a_64th_of_the_bound_and_never_past_it() {
        let big = budget(200_000);
        assert_eq!(big.grant(1), CREDIT_CHUNK);
        // A small bound: a 64th of it, so that a few workers cannot hold it all.
        let small = budget(1_000);
        assert_eq!(small.grant(2), 15);
        // Tiny bounds grant what is asked while there is room, then nothing.
        let tiny = budget(3);
        assert_eq!((tiny.grant(2), tiny.grant(2), tiny.grant(1)), (2, 0, 1));
        assert_eq!(tiny.grant(1), 0);
        tiny.give_back(3);
        assert_eq!(tiny.grant(1), 1);
        // The last places of a big bound are granted as they are.
        let edge = Budget {
            max: 200_000,
            taken: AtomicUsize::new(200_000 - CREDIT_CHUNK - 10),
        };
        assert_eq!(
            (edge.grant(1), edge.grant(1), edge.grant(1)),
            (CREDIT_CHUNK, 10, 0)
        );
    }
}
