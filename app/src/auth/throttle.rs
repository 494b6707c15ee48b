//! Sign-in throttling, in this process: each attempt is counted *before* its password is
//! checked, per username and per client address, in fixed windows. Past the limit the attempt
//! is refused at once (429 with `Retry-After`), without checking the password or holding the
//! request open, so parallel guesses cannot slip through and cost no Argon2 work.
//!
//! Memory is bounded: at most `max_tracked` usernames and as many addresses; when full, expired
//! windows are swept, then the oldest window is evicted (pushing out a live counter takes as many
//! fresh keys within one window, and new addresses are themselves counted).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The limits; `Default` holds the documented ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleLimits {
    /// Attempts per username per window (a success forgets that username's count).
    pub per_username: u32,
    /// Attempts per client address per window (a success gives its attempt back).
    pub per_address: u32,
    pub window: Duration,
    /// Usernames, and separately addresses, remembered at most.
    pub max_tracked: usize,
}

impl Default for ThrottleLimits {
    fn default() -> Self {
        Self {
            per_username: 10,
            per_address: 30,
            window: Duration::from_secs(15 * 60),
            max_tracked: 100_000,
        }
    }
}

/// Attempt counts in fixed windows, per key, at most `cap` keys.
#[derive(Debug)]
struct Windows {
    counts: HashMap<String, (u32, Instant)>,
    cap: usize,
}

impl Windows {
    fn new(cap: usize) -> Self {
        Self {
            counts: HashMap::new(),
            cap,
        }
    }

    /// Counts an attempt for `key`, or says how long until its window ends when it has used up
    /// `limit` attempts.
    fn hit(
        &mut self,
        key: &str,
        limit: u32,
        window: Duration,
        now: Instant,
    ) -> Result<(), Duration> {
        if !self.counts.contains_key(key) {
            self.make_room(window, now);
        }
        let entry = self.counts.entry(key.to_string()).or_insert((0, now));
        let elapsed = now.saturating_duration_since(entry.1);
        if elapsed >= window {
            *entry = (0, now);
        }
        if entry.0 >= limit {
            return Err(window.saturating_sub(elapsed).max(Duration::from_secs(1)));
        }
        entry.0 += 1;
        Ok(())
    }

    fn make_room(&mut self, window: Duration, now: Instant) {
        if self.counts.len() < self.cap {
            return;
        }
        self.counts
            .retain(|_, (_, start)| now.saturating_duration_since(*start) < window);
        while self.counts.len() >= self.cap.max(1) {
            let oldest = self
                .counts
                .iter()
                .min_by_key(|(_, (_, start))| *start)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(k) => self.counts.remove(&k),
                None => break,
            };
        }
    }

    fn give_back(&mut self, key: &str) {
        if let Some(entry) = self.counts.get_mut(key) {
            entry.0 = entry.0.saturating_sub(1);
        }
    }
}

/// The key of a client address: IPv6 clients usually hold a whole /64, so that is one client.
fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// The client's address as the server determined it (the socket peer, or the client behind a
/// trusted proxy), put into each request's extensions by the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// The client address of the request being served: [`ClientIp`] when the server set it, else
/// the socket peer; `None` only for requests that came through no socket (tests).
pub fn client_ip(parts: &http::request::Parts) -> Option<IpAddr> {
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;
    parts.extensions.get::<ClientIp>().map(|c| c.0).or_else(|| {
        parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
    })
}

pub struct LoginThrottle {
    limits: ThrottleLimits,
    usernames: Mutex<Windows>,
    addresses: Mutex<Windows>,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self::new(ThrottleLimits::default())
    }
}

impl LoginThrottle {
    pub fn new(limits: ThrottleLimits) -> Self {
        Self {
            limits,
            usernames: Mutex::new(Windows::new(limits.max_tracked)),
            addresses: Mutex::new(Windows::new(limits.max_tracked)),
        }
    }

    /// Counts a sign-in attempt before its password is checked; `Err` is how long the caller
    /// must wait. Fails closed if a lock is poisoned.
    pub fn attempt(&self, username: &str, client: Option<IpAddr>) -> Result<(), Duration> {
        let now = Instant::now();
        let l = self.limits;
        if let Some(ip) = client {
            let mut addresses = self.addresses.lock().map_err(|_| l.window)?;
            addresses.hit(&address_key(ip), l.per_address, l.window, now)?;
        }
        let mut usernames = self.usernames.lock().map_err(|_| l.window)?;
        usernames.hit(&username.to_lowercase(), l.per_username, l.window, now)
    }

    /// A right password: the username starts afresh and the address gets its attempt back, so
    /// people signing in from one office address do not use up its allowance.
    pub fn succeeded(&self, username: &str, client: Option<IpAddr>) {
        if let Ok(mut usernames) = self.usernames.lock() {
            usernames.counts.remove(&username.to_lowercase());
        }
        if let Some(ip) = client
            && let Ok(mut addresses) = self.addresses.lock()
        {
            addresses.give_back(&address_key(ip));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn the_limit_holds_at_its_boundary_until_the_window_ends() {
        let mut w = Windows::new(10);
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(w.hit("bob", 3, MINUTE, start), Ok(()));
        }
        let later = start + Duration::from_secs(20);
        assert_eq!(w.hit("bob", 3, MINUTE, later), Err(Duration::from_secs(40)));
        assert_eq!(w.hit("alice", 3, MINUTE, later), Ok(()));
        assert_eq!(w.hit("bob", 3, MINUTE, start + MINUTE), Ok(()));
    }

    #[test]
    fn memory_is_capped_expired_first_then_oldest() {
        let mut w = Windows::new(3);
        let t0 = Instant::now();
        w.hit("a", 5, MINUTE, t0).ok();
        w.hit("b", 5, MINUTE, t0 + Duration::from_secs(30)).ok();
        w.hit("c", 5, MINUTE, t0 + Duration::from_secs(40)).ok();
        // "a" has expired: swept.
        w.hit("d", 5, MINUTE, t0 + Duration::from_secs(61)).ok();
        assert_eq!(w.counts.len(), 3);
        assert!(!w.counts.contains_key("a"));
        // None expired: the oldest ("b") goes.
        w.hit("e", 5, MINUTE, t0 + Duration::from_secs(62)).ok();
        assert_eq!(w.counts.len(), 3);
        assert!(!w.counts.contains_key("b") && w.counts.contains_key("e"));
    }

    #[test]
    fn usernames_ignore_case_and_success_resets_them() {
        let t = LoginThrottle::new(ThrottleLimits {
            per_username: 2,
            ..ThrottleLimits::default()
        });
        assert!(t.attempt("David", None).is_ok());
        assert!(t.attempt("david", None).is_ok());
        assert!(t.attempt("DAVID", None).is_err());
        t.succeeded("david", None);
        assert!(t.attempt("david", None).is_ok());
    }

    #[test]
    fn addresses_are_limited_across_usernames_and_ipv6_by_64() {
        let t = LoginThrottle::new(ThrottleLimits {
            per_address: 2,
            ..ThrottleLimits::default()
        });
        let a: IpAddr = "2001:db8:1:2::1".parse().expect("ip");
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().expect("ip");
        assert!(t.attempt("u1", Some(a)).is_ok());
        assert!(t.attempt("u2", Some(b)).is_ok());
        let wait = t
            .attempt("u3", Some(a))
            .expect_err("third from the same /64");
        assert!(wait > Duration::from_secs(14 * 60));
        // A success gives the address its attempt back.
        t.succeeded("u2", Some(b));
        assert!(t.attempt("u4", Some(a)).is_ok());
        let other: IpAddr = "192.0.2.1".parse().expect("ip");
        assert!(t.attempt("u5", Some(other)).is_ok());
    }
}
