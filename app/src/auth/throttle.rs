//! Slows down repeated failed sign-ins for one username (known or not), in this process.
//! A few typos cost nothing; after that each further attempt waits longer, up to a cap.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const FREE_ATTEMPTS: u32 = 3;
const MAX_DELAY: Duration = Duration::from_secs(8);
/// Failures older than this are forgotten.
const WINDOW: Duration = Duration::from_secs(15 * 60);

/// The wait before checking a password, given the recent failures for that username.
pub fn delay_for(failures: u32) -> Duration {
    if failures < FREE_ATTEMPTS {
        return Duration::ZERO;
    }
    let exp = (failures - FREE_ATTEMPTS).min(4);
    Duration::from_secs(1u64 << exp).min(MAX_DELAY)
}

#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginThrottle {
    pub fn delay(&self, username: &str) -> Duration {
        let key = username.to_lowercase();
        let Ok(map) = self.failures.lock() else {
            return MAX_DELAY;
        };
        match map.get(&key) {
            Some((n, last)) if last.elapsed() < WINDOW => delay_for(*n),
            _ => Duration::ZERO,
        }
    }

    pub fn record_failure(&self, username: &str) {
        if let Ok(mut map) = self.failures.lock() {
            map.retain(|_, (_, last)| last.elapsed() < WINDOW);
            let entry = map
                .entry(username.to_lowercase())
                .or_insert((0, Instant::now()));
            entry.0 += 1;
            entry.1 = Instant::now();
        }
    }

    pub fn record_success(&self, username: &str) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(&username.to_lowercase());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_failures_are_free_then_delays_grow_to_a_cap() {
        assert_eq!(delay_for(0), Duration::ZERO);
        assert_eq!(delay_for(2), Duration::ZERO);
        assert_eq!(delay_for(3), Duration::from_secs(1));
        assert_eq!(delay_for(4), Duration::from_secs(2));
        assert_eq!(delay_for(5), Duration::from_secs(4));
        assert_eq!(delay_for(6), MAX_DELAY);
        assert_eq!(delay_for(60), MAX_DELAY);
    }

    #[test]
    fn success_resets_and_usernames_ignore_case() {
        let t = LoginThrottle::default();
        for _ in 0..4 {
            t.record_failure("David");
        }
        assert_eq!(t.delay("david"), Duration::from_secs(2));
        t.record_success("DAVID");
        assert_eq!(t.delay("david"), Duration::ZERO);
    }
}
