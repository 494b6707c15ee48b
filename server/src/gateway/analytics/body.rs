//! Bodies that count their bytes: the response's, which records the request when it ends (or
//! is dropped: a client that goes away mid-body still counts), and a streamed request's.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::task::{Context, Poll};

use app::store::analytics::write::LogEntry;
use axum::body::{Body, Bytes, HttpBody};
use hyper::body::{Frame, SizeHint};

use super::Shard;

type Polled = Poll<Option<Result<Frame<Bytes>, axum::Error>>>;

/// The bytes of a data frame just polled (0 for anything else).
fn data_bytes(polled: &Polled) -> i64 {
    match polled {
        Poll::Ready(Some(Ok(frame))) => frame
            .data_ref()
            .map_or(0, |d| i64::try_from(d.len()).unwrap_or(0)),
        _ => 0,
    }
}

/// A request waiting for its response body to end.
pub struct Pending {
    /// The worker's buffer it goes to.
    pub shard: Arc<Shard>,
    pub entry: LogEntry,
    /// Bytes of a streamed request body, counted while the upstream reads it.
    pub bytes_in: Option<Arc<AtomicI64>>,
}

/// The response body, counted; records the request once it is done with.
pub struct Metered {
    inner: Body,
    sent: i64,
    pending: Option<Pending>,
}

impl Metered {
    pub fn new(inner: Body, pending: Pending) -> Self {
        Self {
            inner,
            sent: 0,
            pending: Some(pending),
        }
    }
}

impl HttpBody for Metered {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Polled {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        self.sent += data_bytes(&polled);
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for Metered {
    fn drop(&mut self) {
        let Some(mut p) = self.pending.take() else {
            return;
        };
        p.entry.bytes_out = self.sent;
        if let Some(counted) = &p.bytes_in {
            p.entry.bytes_in = counted.load(Ordering::Relaxed);
        }
        p.shard.record(p.entry);
    }
}

/// A request body without a Content-Length, counted as the upstream reads it.
pub struct CountedIn {
    inner: Body,
    count: Arc<AtomicI64>,
}

impl CountedIn {
    pub fn new(inner: Body, count: Arc<AtomicI64>) -> Self {
        Self { inner, count }
    }
}

impl HttpBody for CountedIn {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Polled {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        self.count.fetch_add(data_bytes(&polled), Ordering::Relaxed);
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
