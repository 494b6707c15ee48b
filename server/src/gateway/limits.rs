//! Rate limit and quota counters over fixed calendar windows (UTC). In memory by default, one
//! 64-bit counter per bucket, at most `max_buckets` of them, swept when their window ends; in
//! Redis, one atomic script per hit, when several gateways must share a limit. When Redis fails
//! or does not answer within its timeout the gateway keeps serving with its local counters (and
//! says so in the log), preferring availability over a strict shared limit; likewise a full
//! local map lets new subjects through uncounted, with a warning.

use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use app::domain::policy::Period;
use chrono::{DateTime, Datelike, TimeZone, Utc};
use dashmap::DashMap;

/// One window of a period: its index (for bucket keys) and when it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub index: i64,
    pub resets_at: DateTime<Utc>,
}

pub fn window(period: Period, now: DateTime<Utc>) -> Window {
    let secs = now.timestamp();
    let fixed = |len: i64| Window {
        index: secs.div_euclid(len),
        resets_at: Utc
            .timestamp_opt((secs.div_euclid(len) + 1) * len, 0)
            .single()
            .unwrap_or(now),
    };
    match period {
        Period::Second => fixed(1),
        Period::Minute => fixed(60),
        Period::Hour => fixed(3600),
        Period::Day => fixed(86_400),
        Period::Month => {
            let (y, m) = (now.year(), now.month());
            let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            Window {
                index: i64::from(y) * 12 + i64::from(m),
                resets_at: Utc
                    .with_ymd_and_hms(ny, nm, 1, 0, 0, 0)
                    .single()
                    .unwrap_or(now),
            }
        }
        Period::Year => Window {
            index: i64::from(now.year()),
            resets_at: Utc
                .with_ymd_and_hms(now.year() + 1, 1, 1, 0, 0, 0)
                .single()
                .unwrap_or(now),
        },
    }
}

/// A bucket: a hash of the policy, the window and whom it counts, so that finding it costs no
/// allocation whatever the subject (a caller-chosen User header value included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BucketKey(pub u64);

impl BucketKey {
    /// SipHash with fixed keys, so every gateway process names a bucket alike in Redis.
    pub fn new(policy: i64, window: Window, subject: impl Hash) -> Self {
        let mut h = std::hash::DefaultHasher::new();
        (policy, window.index, subject).hash(&mut h);
        BucketKey(h.finish())
    }
}

/// Counter settings: see the README's configuration table.
#[derive(Debug, Clone, Copy)]
pub struct CounterLimits {
    /// Local buckets kept at most; beyond it new subjects go uncounted (with a warning).
    pub max_buckets: usize,
    /// How long a Redis call may take before the local count is used instead.
    pub redis_timeout: Duration,
}

impl Default for CounterLimits {
    fn default() -> Self {
        Self {
            max_buckets: 1_000_000,
            redis_timeout: Duration::from_millis(50),
        }
    }
}

/// A local bucket: the count and when its window ends (unix seconds), for the sweep.
struct Cell {
    count: AtomicU64,
    expires: i64,
}

/// After a Redis failure, Redis is skipped for this long so that a hanging Redis costs one
/// timeout per second instead of one per request.
const REDIS_BACKOFF_MS: i64 = 1_000;

/// Counts hits per bucket and window: locally, or through Redis when configured.
pub struct Counters {
    local: DashMap<BucketKey, Cell>,
    limits: CounterLimits,
    /// Set when the cap refused a bucket; cleared by the sweep (one warning per sweep period).
    full: AtomicBool,
    redis: Option<redis::aio::ConnectionManager>,
    /// HIT_SCRIPT, hashed once (the hash names it in EVALSHA).
    script: redis::Script,
    /// Unix milliseconds before which Redis is not tried again; 0 while Redis answers.
    redis_retry_at: AtomicI64,
}

const HIT_SCRIPT: &str = r"
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIREAT', KEYS[1], ARGV[1]) end
return count";

impl Counters {
    pub fn local(limits: CounterLimits) -> Self {
        Self {
            local: DashMap::new(),
            limits,
            full: AtomicBool::new(false),
            redis: None,
            script: redis::Script::new(HIT_SCRIPT),
            redis_retry_at: AtomicI64::new(0),
        }
    }

    /// Counters shared through Redis; connecting fails fast when Redis is unreachable at start.
    pub async fn redis(url: &str, limits: CounterLimits) -> anyhow::Result<Self> {
        let client = redis::Client::open(url)
            .map_err(|e| anyhow::anyhow!("REDIS_URL: '{url}' is not a Redis URL: {e}"))?;
        // The connection manager retries for minutes on its own; start-up waits 2 s at most.
        let manager = tokio::time::timeout(
            Duration::from_secs(2),
            redis::aio::ConnectionManager::new(client),
        )
        .await
        .map_err(|_| anyhow::anyhow!("REDIS_URL: {url} did not answer within 2 s"))?
        .map_err(|e| anyhow::anyhow!("REDIS_URL: cannot connect to {url}: {e}"))?;
        Ok(Self {
            redis: Some(manager),
            ..Self::local(limits)
        })
    }

    /// Counts one hit; the count including it, or `None` when the bucket could not be kept
    /// (the local cap is reached): the caller lets the request through uncounted.
    pub async fn hit(&self, key: BucketKey, window: Window) -> Option<u64> {
        if let Some(manager) = &self.redis
            && self.redis_retry_at.load(Ordering::Relaxed) <= Utc::now().timestamp_millis()
        {
            // Boxed: the Redis call's state is large, and the request path's futures (which
            // contain this one) are moved around on every request, Redis or not.
            if let Some(count) = Box::pin(self.hit_redis(manager, key, window)).await {
                return Some(count);
            }
        }
        self.hit_local(key, window)
    }

    async fn hit_redis(
        &self,
        manager: &redis::aio::ConnectionManager,
        key: BucketKey,
        window: Window,
    ) -> Option<u64> {
        let name = format!("gatehouse:rl:{:016x}", key.0);
        // Expire a little after the window ends, so clocks that differ slightly agree.
        let expire_ms = window.resets_at.timestamp_millis() + 5_000;
        let mut conn = manager.clone();
        let mut invocation = self.script.key(&name);
        invocation.arg(expire_ms);
        let call = invocation.invoke_async(&mut conn);
        let error = match tokio::time::timeout(self.limits.redis_timeout, call).await {
            Ok(Ok(count)) => {
                if self.redis_retry_at.swap(0, Ordering::Relaxed) != 0 {
                    tracing::info!("Redis answers again: rate limits are shared again");
                }
                return Some(count);
            }
            Ok(Err(e)) => e.to_string(),
            Err(_) => format!(
                "no answer within {} ms (GATEHOUSE_REDIS_TIMEOUT_MS)",
                self.limits.redis_timeout.as_millis()
            ),
        };
        let retry_at = Utc::now().timestamp_millis() + REDIS_BACKOFF_MS;
        if self.redis_retry_at.swap(retry_at, Ordering::Relaxed) == 0 {
            tracing::warn!(
                error,
                "Redis failing: counting rate limits locally until it is back"
            );
        }
        None
    }

    fn hit_local(&self, key: BucketKey, window: Window) -> Option<u64> {
        if let Some(cell) = self.local.get(&key) {
            return Some(cell.count.fetch_add(1, Ordering::AcqRel) + 1);
        }
        if self.local.len() >= self.limits.max_buckets {
            if !self.full.swap(true, Ordering::Relaxed) {
                tracing::warn!(
                    max_buckets = self.limits.max_buckets,
                    "rate limit buckets at their cap (GATEHOUSE_RATE_LIMIT_MAX_BUCKETS): new subjects are let through uncounted until windows end"
                );
            }
            return None;
        }
        let cell = self.local.entry(key).or_insert_with(|| Cell {
            count: AtomicU64::new(0),
            expires: window.resets_at.timestamp(),
        });
        Some(cell.count.fetch_add(1, Ordering::AcqRel) + 1)
    }

    /// The count of `key` as the next `hit` would start from, without counting: Redis's when
    /// it is configured and answers, else the local one.
    pub async fn current(&self, key: BucketKey) -> u64 {
        if let Some(manager) = &self.redis
            && self.redis_retry_at.load(Ordering::Relaxed) <= Utc::now().timestamp_millis()
        {
            let mut conn = manager.clone();
            let name = format!("gatehouse:rl:{:016x}", key.0);
            let mut cmd = redis::cmd("GET");
            cmd.arg(&name);
            let get = cmd.query_async::<Option<u64>>(&mut conn);
            if let Ok(Ok(count)) = tokio::time::timeout(self.limits.redis_timeout, get).await {
                return count.unwrap_or(0);
            }
        }
        self.peek(key)
    }

    /// The local count of `key`, without counting (0 when it has none).
    pub fn peek(&self, key: BucketKey) -> u64 {
        self.local
            .get(&key)
            .map_or(0, |c| c.count.load(Ordering::Acquire))
    }

    /// Drops the buckets of windows that have ended; returns how many are left.
    pub fn sweep(&self, now: DateTime<Utc>) -> usize {
        let now = now.timestamp();
        self.local.retain(|_, cell| cell.expires > now);
        self.full.store(false, Ordering::Relaxed);
        self.local.len()
    }

    pub fn len(&self) -> usize {
        self.local.len()
    }

    pub fn is_empty(&self) -> bool {
        self.local.is_empty()
    }
}

/// How often ended windows are swept out of the local counters.
pub const SWEEP_EVERY: Duration = Duration::from_secs(5);

#[cfg(test)]
mod tests;
