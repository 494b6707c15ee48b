//! One HTTP/1.1 connection, bounded in time and size. hyper parses and answers; this module
//! adds what hyper does not do on its own:
//!
//! - a **header deadline**: a request head (from its first byte, or from the connection's
//!   start) must arrive whole within `header_read`, so slow-loris clients are cut off;
//! - a **keep-alive deadline**: a connection with no request in flight and no byte of a new
//!   one is closed after `keep_alive`;
//! - a **stalled-body deadline**: while a request is in flight, a connection on which no byte
//!   moves either way for `body_idle` (an upload that stops, a client that stops reading) is
//!   closed. It is longer than the upstream read timeout, so a slow upstream answers 504 first.
//!
//! hyper's own header timer cannot tell "waiting for a head" from "idle between requests"
//! (it starts as soon as a response is written), hence the deadlines here: the connection's
//! reads and writes note the time, and a watchdog next to the connection closes it when the
//! current deadline passes. Request heads larger than `max_header_bytes` get hyper's 431.
//! Only HTTP/1.1 (and 1.0) is served: no cleartext HTTP/2.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::response::Response;
use bytes::Bytes;
use hyper::body::{Body as HttpBody, Frame, Incoming, SizeHint};
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// What a connection may take, in time and size. Defaults are in the README.
#[derive(Debug, Clone)]
pub struct Limits {
    pub header_read: Duration,
    pub keep_alive: Duration,
    pub body_idle: Duration,
    pub max_header_bytes: usize,
    pub max_connections: usize,
}

/// The answer to a connection beyond the cap, written once without waiting.
pub const OVERLOADED: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\ncontent-length: 41\r\nconnection: close\r\nretry-after: 1\r\n\r\nToo many connections: try again shortly.\n";

/// What answers a connection's requests.
#[derive(Clone)]
pub enum App {
    /// Every request through an axum router (console, metrics).
    Router(Router),
    /// The gateway's listener: requests under `/gateway/` go to the gateway directly, without
    /// the router's matching, extractors and extra boxing (callgrind: about a tenth of a
    /// proxied request's instructions); the rest (health checks) to the router.
    Gateway(Arc<(crate::gateway::Front, Router)>),
}

const GATEWAY: &str = "/gateway/";

impl App {
    async fn call(self, peer: SocketAddr, mut request: hyper::Request<Incoming>) -> Response {
        let mut router = match self {
            App::Router(router) => router,
            App::Gateway(both) => {
                // What the router's "/gateway/{*rest}" matched: something after the slash.
                let path = request.uri().path();
                if path.len() > GATEWAY.len() && path.starts_with(GATEWAY) {
                    return both.0.handle(peer, request.map(Body::new)).await;
                }
                both.1.clone()
            }
        };
        request.extensions_mut().insert(ConnectInfo(peer));
        tower_service::Service::call(&mut router, request.map(Body::new))
            .await
            .unwrap_or_else(|never| match never {})
    }
}

/// Serves one connection until it ends, a deadline passes, or the worker shuts down.
pub fn serve(
    stream: TcpStream,
    peer: SocketAddr,
    app: App,
    limits: &Limits,
    graceful: &GracefulShutdown,
) -> impl Future<Output = ()> + Send + 'static {
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Tracked {
        inner: stream,
        activity: Arc::clone(&activity),
    });
    let service = {
        let activity = Arc::clone(&activity);
        hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            activity.request_started();
            let app = app.clone();
            let activity = Arc::clone(&activity);
            async move {
                let response = app.call(peer, request).await;
                // The request counts as in flight until its response body has been sent.
                Ok::<_, std::convert::Infallible>(response.map(|body| {
                    Body::new(Finished {
                        inner: body,
                        activity: Some(activity),
                    })
                }))
            }
        })
    };
    let mut http = hyper::server::conn::http1::Builder::new();
    // Our own deadlines replace hyper's header timer (see the module comment).
    http.header_read_timeout(None)
        .max_header_size(limits.max_header_bytes)
        .max_buf_size(limits.max_header_bytes.max(MIN_BUF) + 8192);
    let connection = graceful.watch(http.serve_connection(io, service));
    let limits = limits.clone();
    async move {
        tokio::select! {
            result = connection => {
                if let Err(e) = result {
                    tracing::debug!(error = %e, %peer, "connection ended with an error");
                }
            }
            () = watchdog(&activity, &limits) => {
                tracing::debug!(%peer, "connection closed: deadline passed");
            }
        }
    }
}

/// hyper's smallest read buffer.
const MIN_BUF: usize = 8192;

/// When the connection last moved a byte, whether a request is in flight, and when the
/// current request head started; times in milliseconds since the connection began.
struct Activity {
    began: Instant,
    last: AtomicU64,
    in_flight: AtomicU32,
    /// Start of the head being read, plus one (0: no head under way).
    head_started: AtomicU64,
}

impl Activity {
    fn new() -> Self {
        Self {
            began: Instant::now(),
            last: AtomicU64::new(0),
            in_flight: AtomicU32::new(0),
            // A new connection owes its first request head at once.
            head_started: AtomicU64::new(1),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.began.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn moved(&self, read: bool) {
        let now = self.now();
        self.last.store(now, Ordering::Relaxed);
        if read
            && self.in_flight.load(Ordering::Relaxed) == 0
            && self.head_started.load(Ordering::Relaxed) == 0
        {
            self.head_started.store(now + 1, Ordering::Relaxed);
        }
    }

    fn request_started(&self) {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        self.head_started.store(0, Ordering::Relaxed);
    }

    fn request_finished(&self) {
        self.last.store(self.now(), Ordering::Relaxed);
        self.in_flight.fetch_sub(1, Ordering::Relaxed);
    }

    /// The moment (ms since the start) after which the connection is closed.
    fn deadline(&self, limits: &Limits) -> u64 {
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        let last = self.last.load(Ordering::Relaxed);
        if self.in_flight.load(Ordering::Relaxed) > 0 {
            return last.saturating_add(ms(limits.body_idle));
        }
        match self.head_started.load(Ordering::Relaxed) {
            0 => last.saturating_add(ms(limits.keep_alive)),
            started => (started - 1).saturating_add(ms(limits.header_read)),
        }
    }
}

/// Resolves when the connection's current deadline has passed.
async fn watchdog(activity: &Activity, limits: &Limits) {
    loop {
        let (deadline, now) = (activity.deadline(limits), activity.now());
        if now >= deadline {
            return;
        }
        tokio::time::sleep(Duration::from_millis(deadline - now)).await;
    }
}

/// The socket, noting when bytes move.
struct Tracked {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Tracked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.moved(true);
        }
        polled
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.moved(false);
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.moved(false);
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A response body that marks its request finished when it has been sent (or dropped).
struct Finished {
    inner: Body,
    activity: Option<Arc<Activity>>,
}

impl Finished {
    fn finish(&mut self) {
        if let Some(activity) = self.activity.take() {
            activity.request_finished();
        }
    }
}

impl Drop for Finished {
    fn drop(&mut self) {
        self.finish();
    }
}

impl HttpBody for Finished {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None)) {
            self.finish();
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
