//! "Last used" of API keys, off the request path: a request notes its key's row id in its HTTP
//! worker's set (one uncontended mutex, no I/O); a background task writes the ids noted since
//! the last time, every `FLUSH_EVERY`, in one UPDATE. Approximate by design: to the minute, and
//! a key used while the database is down may miss one update. Bounded: a worker notes at most
//! `MAX_NOTED` keys between writes (the ones beyond wait for the next period's requests).

use std::collections::HashSet;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use sqlx::PgPool;

/// How often noted keys are written.
pub const FLUSH_EVERY: Duration = Duration::from_secs(60);
/// Keys one worker notes between two writes at most (800 KB of ids).
pub const MAX_NOTED: usize = 100_000;
/// The longest a write may take before it is given up.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// One HTTP worker's keys used since the last write.
#[derive(Default)]
pub struct Noted(Mutex<HashSet<i64>>);

impl Noted {
    pub fn note(&self, key_id: i64) {
        let Ok(mut ids) = self.0.lock() else { return };
        if ids.len() < MAX_NOTED {
            ids.insert(key_id);
        }
    }

    fn take(&self) -> HashSet<i64> {
        self.0
            .lock()
            .map(|mut ids| std::mem::take(&mut *ids))
            .unwrap_or_default()
    }
}

/// Every worker's set, and the database they are written to.
pub struct KeyUse {
    workers: Mutex<Vec<Arc<Noted>>>,
    pool: PgPool,
}

impl KeyUse {
    /// Starts the periodic write; it stops when the returned value is dropped.
    pub fn start(pool: PgPool) -> Arc<KeyUse> {
        let key_use = Arc::new(KeyUse {
            workers: Mutex::new(Vec::new()),
            pool,
        });
        tokio::spawn(every(Arc::downgrade(&key_use)));
        key_use
    }

    /// A set for a new HTTP worker.
    pub fn worker(&self) -> Arc<Noted> {
        let noted = Arc::new(Noted::default());
        if let Ok(mut workers) = self.workers.lock() {
            workers.push(Arc::clone(&noted));
        }
        noted
    }

    /// Writes what every worker noted since the last write; returns how many keys.
    pub async fn flush(&self) -> usize {
        let workers: Vec<Arc<Noted>> = match self.workers.lock() {
            Ok(w) => w.clone(),
            Err(_) => return 0,
        };
        let mut ids: Vec<i64> = workers.iter().flat_map(|w| w.take()).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return 0;
        }
        let write = app::store::keys::touch(&self.pool, &ids);
        match tokio::time::timeout(WRITE_TIMEOUT, write).await {
            Ok(Ok(())) => ids.len(),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, keys = ids.len(), "writing keys' last use failed");
                0
            }
            Err(_) => {
                tracing::warn!(keys = ids.len(), "writing keys' last use timed out");
                0
            }
        }
    }
}

async fn every(key_use: Weak<KeyUse>) {
    let mut tick = tokio::time::interval(FLUSH_EVERY);
    tick.tick().await;
    loop {
        tick.tick().await;
        let Some(k) = key_use.upgrade() else { return };
        k.flush().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_worker_notes_each_key_once_and_at_most_max_noted() {
        let noted = Noted::default();
        noted.note(1);
        noted.note(1);
        noted.note(2);
        assert_eq!(noted.take(), HashSet::from([1, 2]));
        assert!(noted.take().is_empty(), "taken");
        for id in 0..(MAX_NOTED as i64 + 5) {
            noted.note(id);
        }
        assert_eq!(noted.take().len(), MAX_NOTED);
    }
}
