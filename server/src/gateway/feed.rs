//! Keeping the registry current, on a thread of its own ("gatehouse-registry", with its own
//! single-threaded runtime and its own small database pool), so that neither loading a million
//! clients nor applying a change ever runs where connections are accepted or served: requests
//! keep reading the previous registry until the next one is swapped in.
//!
//! It LISTENs, then loads everything, then applies each announced change as a delta (only the
//! rows concerned are read). Changes are numbered (the registry sequence, see
//! `app::store::gateway_feed`): a number skipped means a notification was missed, and a full
//! load repairs it, as does every reconnection of the listener (notifications sent while it
//! was away are lost). Every `CHECK_EVERY` it compares its number with the database's, for a
//! last change whose notification never came; every `FULL_LOAD_EVERY` it loads everything anyway,
//! for rows edited by hand without a notification.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use app::store::gateway_feed::{self as store, Change};
use arc_swap::ArcSwap;
use sqlx::postgres::{PgListener, PgPoolOptions};
use sqlx::{ConnectOptions, PgPool};
use tokio::sync::oneshot;

use super::load::{self, FeedError};
use super::registry::{Builder, Registry};
use super::tls::Trust;

/// How often the registry's sequence is compared with the database's.
pub const CHECK_EVERY: Duration = Duration::from_secs(10);
/// How often everything is loaded even though nothing seems to be missed.
pub const FULL_LOAD_EVERY: Duration = Duration::from_secs(600);
/// The wait before connecting again after losing the database.
const RETRY_AFTER: Duration = Duration::from_secs(1);
/// The registry thread's connections: the listener's and one for queries, and one spare.
const POOL_SIZE: u32 = 3;

/// What the registry thread did, for tests and diagnostics.
#[derive(Debug, Default)]
pub struct FeedStats {
    pub full_loads: AtomicU64,
    pub deltas: AtomicU64,
}

/// What to do with a notification's payload, given the sequence the registry is at.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// Already in the registry (a full load that started after it included it).
    Skip,
    Apply(Change),
    /// A number was skipped (a missed change), or the payload asks for it or cannot be read.
    Reload,
}

pub fn step(applied: i64, payload: &str) -> Step {
    match serde_json::from_str::<Change>(payload) {
        Err(_) => Step::Reload,
        Ok(c) if c.seq <= applied => Step::Skip,
        Ok(c) if c.seq == applied + 1 => Step::Apply(c),
        Ok(_) => Step::Reload,
    }
}

/// The periodic check for a lost notification. A change's notification arrives milliseconds
/// after its commit, so the database's number being ahead at one check is normal; still ahead
/// of the registry at the next check, it is lost. A database number behind the registry's
/// (a restored database) would make every later change look old: also a reason to reload.
#[derive(Debug, Default)]
pub struct Watch {
    ahead: Option<i64>,
}

impl Watch {
    pub fn lost(&mut self, applied: i64, db: i64) -> bool {
        let lost = db < applied || self.ahead.is_some_and(|seen| applied < seen);
        self.ahead = (db > applied).then_some(db);
        lost
    }
}

/// Stops the registry thread when dropped (with the gateway that holds it).
pub struct FeedHandle {
    _stop: oneshot::Sender<()>,
}

/// Starts the registry thread and waits for its first full load; an error if that fails. The
/// thread ends when the returned handle is dropped or `pool` is closed.
pub async fn start(
    pool: &PgPool,
    registry: Arc<ArcSwap<Registry>>,
    trust: Trust,
    stats: Arc<FeedStats>,
) -> anyhow::Result<FeedHandle> {
    // A full load streams its rows for seconds by design: sqlx's slow-statement warnings
    // would only be noise (this thread logs each load with its duration).
    let options = (*pool.connect_options())
        .clone()
        .disable_statement_logging();
    let closed = pool.close_event();
    let (ready_tx, ready_rx) = oneshot::channel();
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    std::thread::Builder::new()
        .name("gatehouse-registry".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(r) => r,
                Err(e) => {
                    let _ = ready_tx.send(Err(FeedError::Runtime(e)));
                    return;
                }
            };
            runtime.block_on(async move {
                let pool = PgPoolOptions::new()
                    .max_connections(POOL_SIZE)
                    .connect_lazy_with(options);
                let feed = Feed {
                    pool: pool.clone(),
                    builder: Builder::new(trust),
                    registry,
                    stats,
                    last_full: Instant::now(),
                };
                tokio::select! {
                    _ = run(feed, ready_tx) => {}
                    _ = stop_rx => {}
                    _ = closed => {}
                }
                pool.close().await;
            });
        })?;
    ready_rx
        .await
        .map_err(|_| anyhow::anyhow!("the registry thread ended before loading"))?
        .map_err(|e| anyhow::anyhow!("loading the gateway registry failed: {e}"))?;
    Ok(FeedHandle { _stop: stop_tx })
}

struct Feed {
    pool: PgPool,
    builder: Builder,
    registry: Arc<ArcSwap<Registry>>,
    stats: Arc<FeedStats>,
    last_full: Instant,
}

/// Listens and loads (reporting how the first load went), follows, and on losing the
/// database does it all again, for the life of the thread.
async fn run(mut feed: Feed, ready: oneshot::Sender<Result<(), FeedError>>) {
    let mut listener = match feed.subscribe().await {
        Ok(l) => l,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let _ = ready.send(Ok(()));
    loop {
        let e = feed.follow(&mut listener).await;
        tracing::warn!(error = %e, "registry listener lost; reconnecting");
        listener = loop {
            tokio::time::sleep(RETRY_AFTER).await;
            match feed.subscribe().await {
                Ok(l) => break l,
                Err(e) => tracing::warn!(error = %e, "registry listener still down"),
            }
        };
    }
}

impl Feed {
    /// LISTENs, then loads everything: whatever changed before LISTEN is in the load, whatever
    /// changed after is announced to us.
    async fn subscribe(&mut self) -> Result<PgListener, FeedError> {
        let mut listener = PgListener::connect_with(&self.pool).await?;
        listener.listen(store::CHANNEL).await?;
        self.reload().await?;
        Ok(listener)
    }

    /// Applies announced changes until the listener fails; returns why.
    async fn follow(&mut self, listener: &mut PgListener) -> FeedError {
        let mut watch = Watch::default();
        let mut next_check = tokio::time::Instant::now() + CHECK_EVERY;
        loop {
            let done = match tokio::time::timeout_at(next_check, listener.try_recv()).await {
                Ok(Ok(Some(n))) => self.on_notice(n.payload()).await,
                Ok(Ok(None)) => Err(FeedError::Lost),
                Ok(Err(e)) => Err(e.into()),
                Err(_) => {
                    next_check = tokio::time::Instant::now() + CHECK_EVERY;
                    self.check(&mut watch).await
                }
            };
            if let Err(e) = done {
                return e;
            }
        }
    }

    async fn on_notice(&mut self, payload: &str) -> Result<(), FeedError> {
        let applied = self.registry.load().seq;
        let change = match step(applied, payload) {
            Step::Skip => return Ok(()),
            Step::Apply(change) => change,
            Step::Reload => {
                tracing::info!(
                    applied,
                    payload,
                    "registry change missed or full load asked for"
                );
                return self.reload().await;
            }
        };
        // Held only while the delta is made: `publish` waits for the old version's last reader.
        let current = self.registry.load_full();
        let made = load::delta(&self.pool, &mut self.builder, &current, change).await;
        drop(current);
        match made {
            Ok(next) => {
                // Counted first: whoever sees the new registry sees it counted.
                self.stats.deltas.fetch_add(1, Ordering::Relaxed);
                self.publish(next).await;
                tracing::debug!(?change, "registry change applied");
                Ok(())
            }
            Err(FeedError::Gone(target)) => {
                tracing::warn!(?target, "a changed row is gone: full load");
                self.reload().await
            }
            Err(e) => Err(e),
        }
    }

    async fn check(&mut self, watch: &mut Watch) -> Result<(), FeedError> {
        if self.last_full.elapsed() >= FULL_LOAD_EVERY {
            return self.reload().await;
        }
        let db = store::sequence(&mut *self.pool.acquire().await?).await?;
        if watch.lost(self.registry.load().seq, db) {
            tracing::warn!(db, "a registry change was never announced to us: full load");
            return self.reload().await;
        }
        Ok(())
    }

    async fn reload(&mut self) -> Result<(), FeedError> {
        let started = Instant::now();
        let next = load::full(&self.pool, &mut self.builder).await?;
        tracing::info!(
            seq = next.seq,
            apis = next.api_count(),
            keys = next.key_count(),
            ms = started.elapsed().as_millis() as u64,
            "registry loaded"
        );
        self.stats.full_loads.fetch_add(1, Ordering::Relaxed);
        self.publish(next).await;
        self.last_full = Instant::now();
        Ok(())
    }

    /// Swaps `next` in, then frees the replaced registry here: a request still holding it for
    /// a moment would otherwise free a million entries on a serving thread. Readers hold it
    /// only while looking up (microseconds), so the wait is short; it is bounded anyway.
    async fn publish(&self, next: Registry) {
        let old = self.registry.swap(Arc::new(next));
        let deadline = Instant::now() + Duration::from_secs(1);
        while Arc::strong_count(&old) > 1 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        drop(old);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::store::gateway_feed::ChangeKind;

    fn payload(seq: i64) -> String {
        format!(r#"{{"seq":{seq},"kind":"client_registered","id":9}}"#)
    }

    #[test]
    fn the_next_number_applies_older_ones_are_skipped_and_a_gap_reloads() {
        let change = Change {
            seq: 6,
            kind: ChangeKind::ClientRegistered,
            id: 9,
        };
        assert_eq!(step(5, &payload(6)), Step::Apply(change));
        assert_eq!(step(5, &payload(5)), Step::Skip);
        assert_eq!(step(5, &payload(1)), Step::Skip);
        assert_eq!(step(5, &payload(7)), Step::Reload, "6 was missed");
        assert_eq!(
            step(0, &payload(1)),
            Step::Apply(Change { seq: 1, ..change })
        );
    }

    #[test]
    fn an_empty_or_unreadable_payload_reloads() {
        assert_eq!(step(5, ""), Step::Reload);
        assert_eq!(step(5, "{}"), Step::Reload);
        assert_eq!(step(5, r#"{"seq":6,"kind":"moved","id":1}"#), Step::Reload);
    }

    #[test]
    fn a_database_ahead_for_two_checks_means_a_lost_notification() {
        let mut w = Watch::default();
        assert!(!w.lost(5, 5));
        assert!(!w.lost(5, 6), "the notification may still be on its way");
        assert!(w.lost(5, 6), "still behind at the next check");
        let mut w = Watch::default();
        assert!(!w.lost(5, 6));
        assert!(!w.lost(6, 6), "it arrived in between");
        assert!(!w.lost(6, 7));
        assert!(!w.lost(8, 8), "caught up past what was seen");
    }

    #[test]
    fn a_database_behind_the_registry_reloads() {
        assert!(Watch::default().lost(5, 2));
    }
}
