//! One HTTP worker's upstream connections: HTTP/1.1 over TCP or TLS, kept open between
//! requests. A connection is taken from the pool for one exchange and given back when its
//! response body has been read to the end, all on the worker's own thread.
//!
//! hyper-util's pooled client, used before, spawned a task per request to wait until the
//! connection was free again and built a connect future for every request; `make bench` showed
//! the difference (README, "Gateway benchmark"). What it did that matters is kept: idle
//! connections are reused newest first, closed after [`IDLE_TIMEOUT`], at most
//! [`MAX_IDLE_PER_HOST`] per upstream, and a request that a reused connection could not send
//! (the upstream closed it meanwhile) is sent once more on a new connection.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::uri::Authority;
use axum::http::{Request, Response, Uri};
use bytes::Bytes;
use hyper::body::{Body as HttpBody, Frame, Incoming, SizeHint};
use hyper::client::conn::http1::{self, SendRequest};
use hyper_rustls::HttpsConnector;

use super::connect::GuardedConnector;

/// How long a connection may wait unused before it is closed (as hyper-util's client did).
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// Idle connections kept per upstream; more are closed when their exchange ends.
pub const MAX_IDLE_PER_HOST: usize = 256;
/// How often idle connections past their time are closed.
const SWEEP_EVERY: Duration = Duration::from_secs(10);

pub type Connector = HttpsConnector<GuardedConnector>;
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Which connections may serve a request: same scheme and authority, same trust (a connection
/// verified with one API's CA is never reused for another API). The authority is compared as
/// written, not case-insensitively as `Authority` does: hashing its text in one go costs a
/// fraction of `Authority`'s byte-by-byte hash (callgrind: ~1,000 instructions per request
/// for the two lookups), and two spellings of one host only mean two sets of connections.
#[derive(Clone)]
struct Key {
    https: bool,
    authority: Authority,
    trust: Option<[u8; 32]>,
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.https == other.https
            && self.trust == other.trust
            && self.authority.as_str() == other.authority.as_str()
    }
}

impl Eq for Key {}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.https.hash(state);
        self.authority.as_str().hash(state);
        self.trust.hash(state);
    }
}

struct Idle {
    sender: SendRequest<Body>,
    since: Instant,
}

/// Upstream names come from API providers, so the map keeps a seeded hash (foldhash's).
type IdleLists = HashMap<Key, Vec<Idle>, foldhash::fast::RandomState>;

#[derive(Default)]
pub struct Pool {
    idle: Mutex<IdleLists>,
}

/// Why an exchange failed: opening the connection, or on it.
#[derive(Debug)]
pub enum Failure {
    Connect(BoxError),
    Exchange(hyper::Error),
}

impl Failure {
    pub fn error(&self) -> &(dyn std::error::Error + 'static) {
        match self {
            Failure::Connect(e) => e.as_ref(),
            Failure::Exchange(e) => e,
        }
    }
}

impl Pool {
    /// A pool whose stale connections are closed every few seconds, for as long as it lives
    /// (the sweeping task runs on the caller's runtime: the worker's).
    pub fn start() -> Arc<Pool> {
        let pool = Arc::new(Pool::default());
        tokio::spawn(sweep(Arc::downgrade(&pool)));
        pool
    }

    fn idle(&self) -> MutexGuard<'_, IdleLists> {
        self.idle.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The newest idle connection for `key` that can take a request now.
    fn take(&self, key: &Key) -> Option<SendRequest<Body>> {
        let mut idle = self.idle();
        let list = idle.get_mut(key)?;
        // Closed and expired ones are dropped on the way (closing them).
        let fresh = |i: &Idle| i.sender.is_ready() && i.since.elapsed() < IDLE_TIMEOUT;
        let found = std::iter::from_fn(|| list.pop()).find(fresh);
        if list.is_empty() {
            idle.remove(key);
        }
        found.map(|i| i.sender)
    }

    fn give_back(&self, key: Key, sender: SendRequest<Body>) {
        if !sender.is_ready() {
            return;
        }
        let mut idle = self.idle();
        let list = idle.entry(key).or_default();
        if list.len() < MAX_IDLE_PER_HOST {
            list.push(Idle {
                sender,
                since: Instant::now(),
            });
        }
    }

    /// Closes connections idle for longer than [`IDLE_TIMEOUT`] (or already closed).
    fn sweep(&self, now: Instant) {
        self.idle().retain(|_, list| {
            list.retain(|i| i.sender.is_ready() && now.duration_since(i.since) < IDLE_TIMEOUT);
            !list.is_empty()
        });
    }

    /// Connections waiting for a request (for tests).
    #[cfg(test)]
    pub(crate) fn idle_count(&self) -> usize {
        self.idle().values().map(Vec::len).sum()
    }

    /// Sends `request` (origin-form target, Host set) to `endpoint`'s scheme and authority over
    /// a pooled connection, or a new one made with the connector `connector` gives.
    pub async fn send(
        self: &Arc<Self>,
        connector: impl FnOnce() -> Connector,
        endpoint: &Uri,
        trust: Option<[u8; 32]>,
        request: Request<Body>,
    ) -> Result<Response<Body>, Failure> {
        let Some(authority) = endpoint.authority().cloned() else {
            return Err(Failure::Connect("the upstream address has no host".into()));
        };
        let key = Key {
            https: endpoint.scheme_str() == Some("https"),
            authority,
            trust,
        };
        let request = match self.take(&key) {
            Some(mut sender) => match sender.try_send_request(request).await {
                Ok(response) => return Ok(self.returning(key, sender, response)),
                // hyper gives the request back when the connection ended before it was sent
                // (hyper-util's rule): once more on a new connection. A request written to a
                // connection the upstream closed at that moment fails instead (502), as it
                // did with hyper-util: it may have been received.
                Err(mut e) => match e.take_message() {
                    Some(request) => request,
                    None => return Err(Failure::Exchange(e.into_error())),
                },
            },
            None => request,
        };
        let mut sender = connect(connector(), endpoint).await?;
        let response = sender
            .send_request(request)
            .await
            .map_err(Failure::Exchange)?;
        Ok(self.returning(key, sender, response))
    }

    fn returning(
        self: &Arc<Self>,
        key: Key,
        sender: SendRequest<Body>,
        response: Response<Incoming>,
    ) -> Response<Body> {
        let back = Back {
            pool: Arc::clone(self),
            key,
            sender,
        };
        response.map(|inner| {
            Body::new(Returning {
                inner,
                back: Some(back),
            })
        })
    }
}

/// A new connection: TCP (through the address guard) and TLS when the endpoint is https, then
/// the HTTP/1.1 handshake; the connection runs as a task of its own on this worker.
async fn connect(mut connector: Connector, endpoint: &Uri) -> Result<SendRequest<Body>, Failure> {
    let io = tower_service::Service::call(&mut connector, endpoint.clone())
        .await
        .map_err(Failure::Connect)?;
    let (sender, connection) = http1::handshake(io).await.map_err(Failure::Exchange)?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!(error = %e, "upstream connection ended with an error");
        }
    });
    Ok(sender)
}

async fn sweep(pool: Weak<Pool>) {
    let mut every = tokio::time::interval(SWEEP_EVERY);
    loop {
        every.tick().await;
        let Some(pool) = pool.upgrade() else { return };
        pool.sweep(Instant::now());
    }
}

/// Where a connection goes back to when its response has been read.
struct Back {
    pool: Arc<Pool>,
    key: Key,
    sender: SendRequest<Body>,
}

/// An upstream response body that gives its connection back to the pool once read to the end.
/// Dropped earlier (the client went away), the connection is closed instead: the rest of the
/// body would still be on it.
struct Returning {
    inner: Incoming,
    back: Option<Back>,
}

impl Returning {
    fn give_back(&mut self) {
        if let Some(Back { pool, key, sender }) = self.back.take() {
            pool.give_back(key, sender);
        }
    }
}

impl Drop for Returning {
    fn drop(&mut self) {
        if self.inner.is_end_stream() {
            self.give_back();
        }
    }
}

impl HttpBody for Returning {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None)) {
            self.give_back();
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests;
