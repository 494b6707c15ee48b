use std::sync::Arc;
use std::time::Instant;

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

fn key(subject: &str, w: Window) -> BucketKey {
    BucketKey::new(7, w, subject)
}

#[test]
fn local_counts_restart_in_a_new_window() {
    let c = Counters::local(CounterLimits::default());
    let w1 = window(Period::Minute, at("2026-11-23T10:15:42Z"));
    let w2 = window(Period::Minute, at("2026-11-23T10:16:01Z"));
    assert_eq!(c.hit_local(key("b", w1), w1), Some(1));
    assert_eq!(c.hit_local(key("b", w1), w1), Some(2));
    assert_eq!(c.hit_local(key("other", w1), w1), Some(1));
    assert_eq!(c.hit_local(key("b", w2), w2), Some(1));
    assert_ne!(BucketKey::new(1, w1, "b"), BucketKey::new(2, w1, "b"));
}

#[test]
fn concurrent_hits_are_all_counted() {
    let c = Arc::new(Counters::local(CounterLimits::default()));
    let w = window(Period::Day, Utc::now());
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let c = Arc::clone(&c);
            std::thread::spawn(move || {
                (0..1000)
                    .filter_map(|_| c.hit_local(key("b", w), w))
                    .max()
                    .unwrap_or(0)
            })
        })
        .collect();
    let max = threads.into_iter().map(|t| t.join().expect("thread")).max();
    assert_eq!(max, Some(8000));
}

/// Counts used to share a word with the window and stopped at 2^32 - 1.
#[test]
fn counts_go_past_four_billion() {
    let c = Counters::local(CounterLimits::default());
    let w = window(Period::Year, Utc::now());
    let k = key("big", w);
    c.hit_local(k, w);
    if let Some(cell) = c.local.get(&k) {
        cell.count.store(u64::from(u32::MAX), Ordering::Release);
    }
    assert_eq!(c.hit_local(k, w), Some(u64::from(u32::MAX) + 1));
    assert_eq!(c.hit_local(k, w), Some(u64::from(u32::MAX) + 2));
}

#[test]
fn the_cap_holds_and_the_sweep_frees_ended_windows() {
    let c = Counters::local(CounterLimits {
        max_buckets: 1_000,
        ..CounterLimits::default()
    });
    let now = at("2026-11-23T10:15:42Z");
    let w = window(Period::Minute, now);
    let counted = (0..2_000)
        .filter(|i| c.hit_local(key(&i.to_string(), w), w).is_some())
        .count();
    assert_eq!(counted, 1_000, "exactly the cap is counted");
    assert_eq!(c.len(), 1_000);
    assert_eq!(
        c.hit_local(key("0", w), w),
        Some(2),
        "known buckets still count"
    );
    assert_eq!(c.sweep(now), 1_000, "the window has not ended");
    assert_eq!(c.sweep(w.resets_at), 0, "ended windows go");
    assert_eq!(c.hit_local(key("new", w), w), Some(1));
}

/// A Redis that completes the connection handshake and then never answers again.
async fn hanging_redis() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                let mut hanging = false;
                while let Ok(n) = socket.read(&mut buf).await {
                    if n == 0 {
                        return;
                    }
                    let text = String::from_utf8_lossy(&buf[..n]).to_ascii_uppercase();
                    hanging |= text.contains("EVAL") || text.contains("SCRIPT");
                    if hanging {
                        continue;
                    }
                    // One "+OK" per command of the handshake (CLIENT SETINFO and the like).
                    let commands =
                        text.matches("\r\n*").count() + usize::from(text.starts_with('*'));
                    let _ = socket.write_all(&b"+OK\r\n".repeat(commands)).await;
                }
            });
        }
    });
    format!("redis://{addr}")
}

#[tokio::test]
async fn a_hanging_redis_costs_one_timeout_then_counts_locally() {
    let limits = CounterLimits {
        redis_timeout: Duration::from_millis(50),
        ..CounterLimits::default()
    };
    let c = Counters::redis(&hanging_redis().await, limits)
        .await
        .expect("the handshake passes");
    let w = window(Period::Minute, Utc::now());
    let started = Instant::now();
    assert_eq!(c.hit(key("u", w), w).await, Some(1));
    let first = started.elapsed();
    assert!(first >= Duration::from_millis(50), "{first:?}");
    assert!(first < Duration::from_millis(1_000), "{first:?}");
    let started = Instant::now();
    assert_eq!(c.hit(key("u", w), w).await, Some(2));
    assert!(
        started.elapsed() < Duration::from_millis(20),
        "Redis is skipped while it backs off"
    );
}
