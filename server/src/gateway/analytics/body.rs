//! Bodies that count their bytes: the response's, which records the request when it ends (or
//! is dropped: a client that goes away mid-body still counts), and a streamed request's.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::task::{Context, Poll};

use app::store::analytics::write::LogEntry;
use axum::body::{Body, Bytes, HttpBody};
use hyper::body::{Frame, SizeHint};

use super::{Analytics, Shard};

/// A request waiting for its response body to end.
pub struct Pending {
    pub analytics: Arc<Analytics>,
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

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled
            && let Some(data) = frame.data_ref()
        {
            self.sent += i64::try_from(data.len()).unwrap_or(0);
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

impl Drop for Metered {
    fn drop(&mut self) {
        let Some(mut p) = self.pending.take() else {
            return;
        };
        p.entry.bytes_out = self.sent;
        if let Some(counted) = &p.bytes_in {
            p.entry.bytes_in = counted.load(Ordering::Relaxed);
        }
        p.analytics.record(&p.shard, p.entry);
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

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled
            && let Some(data) = frame.data_ref()
        {
            let n = i64::try_from(data.len()).unwrap_or(0);
            self.count.fetch_add(n, Ordering::Relaxed);
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
