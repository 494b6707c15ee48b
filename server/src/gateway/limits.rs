//! Rate limit and quota counters over fixed calendar windows (UTC). In memory by default, one
//! atomic word per bucket; in Redis, one atomic script per hit, when several gateways must share
//! a limit. When Redis fails the gateway keeps serving with its local counters (and says so in
//! the log), preferring availability over a strict shared limit.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

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

/// Counts one hit in `bucket` for `window`; returns the count including this hit.
pub struct Counters {
    local: DashMap<String, Arc<AtomicU64>>,
    redis: Option<redis::aio::ConnectionManager>,
    /// HIT_SCRIPT, hashed once (the hash names it in EVALSHA).
    script: redis::Script,
    redis_failing: AtomicBool,
}

const HIT_SCRIPT: &str = r"
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIREAT', KEYS[1], ARGV[1]) end
return count";

impl Counters {
    pub fn local() -> Self {
        Self {
            local: DashMap::new(),
            redis: None,
            script: redis::Script::new(HIT_SCRIPT),
            redis_failing: AtomicBool::new(false),
        }
    }

    /// Counters shared through Redis; connecting fails fast when Redis is unreachable at start.
    pub async fn redis(url: &str) -> anyhow::Result<Self> {
        let client = redis::Client::open(url)
            .map_err(|e| anyhow::anyhow!("REDIS_URL: '{url}' is not a Redis URL: {e}"))?;
        // The connection manager retries for minutes on its own; start-up waits 2 s at most.
        let manager = tokio::time::timeout(
            std::time::Duration::from_secs(2),
            redis::aio::ConnectionManager::new(client),
        )
        .await
        .map_err(|_| anyhow::anyhow!("REDIS_URL: {url} did not answer within 2 s"))?
        .map_err(|e| anyhow::anyhow!("REDIS_URL: cannot connect to {url}: {e}"))?;
        Ok(Self {
            local: DashMap::new(),
            redis: Some(manager),
            script: redis::Script::new(HIT_SCRIPT),
            redis_failing: AtomicBool::new(false),
        })
    }

    pub async fn hit(&self, bucket: &str, window: Window) -> u64 {
        if let Some(manager) = &self.redis {
            // Boxed: the Redis call's state is large, and the request path's futures (which
            // contain this one) are moved around on every request, Redis or not.
            if let Some(count) = Box::pin(self.hit_redis(manager, bucket, window)).await {
                return count;
            }
        }
        self.hit_local(bucket, window)
    }

    async fn hit_redis(
        &self,
        manager: &redis::aio::ConnectionManager,
        bucket: &str,
        window: Window,
    ) -> Option<u64> {
        let key = format!("gatehouse:rl:{bucket}:{}", window.index);
        // Expire a little after the window ends, so clocks that differ slightly agree.
        let expire_ms = window.resets_at.timestamp_millis() + 5_000;
        let mut conn = manager.clone();
        let result: redis::RedisResult<u64> = self
            .script
            .key(&key)
            .arg(expire_ms)
            .invoke_async(&mut conn)
            .await;
        match result {
            Ok(count) => {
                if self.redis_failing.swap(false, Ordering::Relaxed) {
                    tracing::info!("Redis answers again: rate limits are shared again");
                }
                Some(count)
            }
            Err(e) => {
                if !self.redis_failing.swap(true, Ordering::Relaxed) {
                    tracing::warn!(error = %e, "Redis unreachable: counting rate limits locally until it is back");
                }
                None
            }
        }
    }

    /// The bucket holds the window index (high 32 bits) and the count (low 32 bits) in one
    /// atomic word, so a window change and a count never tear apart.
    fn hit_local(&self, bucket: &str, window: Window) -> u64 {
        let cell = match self.local.get(bucket) {
            Some(c) => Arc::clone(c.value()),
            None => Arc::clone(
                self.local
                    .entry(bucket.to_string())
                    .or_insert_with(|| Arc::new(AtomicU64::new(0)))
                    .value(),
            ),
        };
        let tag = (window.index as u64) & 0xFFFF_FFFF;
        let mut count = 0;
        let _ = cell.fetch_update(Ordering::AcqRel, Ordering::Acquire, |word| {
            let (w, c) = (word >> 32, word & 0xFFFF_FFFF);
            let next = if w == tag {
                c.saturating_add(1).min(0xFFFF_FFFF)
            } else {
                1
            };
            count = next;
            Some((tag << 32) | next)
        });
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("time")
            .with_timezone(&Utc)
    }

    #[test]
    fn windows_follow_the_calendar() {
        let now = at("2026-11-23T10:15:42Z");
        assert_eq!(
            window(Period::Minute, now).resets_at,
            at("2026-11-23T10:16:00Z")
        );
        assert_eq!(
            window(Period::Hour, now).resets_at,
            at("2026-11-23T11:00:00Z")
        );
        assert_eq!(
            window(Period::Day, now).resets_at,
            at("2026-11-24T00:00:00Z")
        );
        assert_eq!(
            window(Period::Month, now).resets_at,
            at("2026-12-01T00:00:00Z")
        );
        assert_eq!(
            window(Period::Month, at("2026-12-31T23:59:59Z")).resets_at,
            at("2027-01-01T00:00:00Z")
        );
        assert_eq!(
            window(Period::Year, now).resets_at,
            at("2027-01-01T00:00:00Z")
        );
        assert_ne!(
            window(Period::Second, now).index,
            window(Period::Second, at("2026-11-23T10:15:43Z")).index
        );
    }

    #[test]
    fn local_counts_restart_in_a_new_window() {
        let c = Counters::local();
        let w1 = window(Period::Minute, at("2026-11-23T10:15:42Z"));
        let w2 = window(Period::Minute, at("2026-11-23T10:16:01Z"));
        assert_eq!(c.hit_local("b", w1), 1);
        assert_eq!(c.hit_local("b", w1), 2);
        assert_eq!(c.hit_local("other", w1), 1);
        assert_eq!(c.hit_local("b", w2), 1);
    }

    #[test]
    fn concurrent_hits_are_all_counted() {
        let c = Arc::new(Counters::local());
        let w = window(Period::Day, Utc::now());
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let c = Arc::clone(&c);
                std::thread::spawn(move || {
                    (0..1000).map(|_| c.hit_local("b", w)).max().unwrap_or(0)
                })
            })
            .collect();
        let max = threads.into_iter().map(|t| t.join().expect("thread")).max();
        assert_eq!(max, Some(8000));
    }
}
