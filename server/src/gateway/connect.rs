//! Opening TCP connections to upstreams, through the upstream address guard
//! (`app::domain::upstream_guard`): every address a host name resolves to is checked before
//! connecting, so a name that resolves to a metadata service today (DNS rebinding) is refused
//! even if it resolved elsewhere when the endpoint was saved.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use app::domain::upstream_guard::UpstreamGuard;
use axum::http::Uri;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::dns::{GaiResolver, Name};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// The guard refused every address of an upstream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// An HTTP connector that connects only to addresses the guard allows.
#[derive(Clone)]
pub struct GuardedConnector {
    connect_timeout: Duration,
    guard: Arc<UpstreamGuard>,
}

impl GuardedConnector {
    pub fn new(connect_timeout: Duration, guard: Arc<UpstreamGuard>) -> Self {
        Self {
            connect_timeout,
            guard,
        }
    }

    /// hyper's connector for one connection attempt: its resolver knows the port, which the
    /// guard needs to recognise the gateway's own listeners. Attempts are rare (connections
    /// are pooled), so building one each time costs nothing that matters.
    fn http(&self, port: u16) -> HttpConnector<GuardedResolver> {
        let mut http = HttpConnector::new_with_resolver(GuardedResolver {
            gai: GaiResolver::new(),
            guard: Arc::clone(&self.guard),
            port,
        });
        // hyper-rustls wraps this connector for https:// endpoints.
        http.enforce_http(false);
        http.set_connect_timeout(Some(self.connect_timeout));
        http.set_nodelay(true);
        http
    }
}

impl tower_service::Service<Uri> for GuardedConnector {
    type Response = TokioIo<TcpStream>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let port = uri.port_u16().unwrap_or(match uri.scheme_str() {
            Some("https") => 443,
            _ => 80,
        });
        // hyper connects to IP literals without asking the resolver: check them here.
        let literal = uri
            .host()
            .map(|h| h.trim_start_matches('[').trim_end_matches(']'))
            .and_then(|h| h.parse::<IpAddr>().ok());
        if let Some(ip) = literal
            && let Err(why) = self.guard.check_all(&[SocketAddr::new(ip, port)])
        {
            return Box::pin(async move { Err(Box::new(Refused(why)) as BoxError) });
        }
        let mut http = self.http(port);
        Box::pin(async move {
            tower_service::Service::call(&mut http, uri)
                .await
                .map_err(Into::into)
        })
    }
}

/// The system resolver, keeping only what the guard allows.
#[derive(Clone)]
struct GuardedResolver {
    gai: GaiResolver,
    guard: Arc<UpstreamGuard>,
    port: u16,
}

impl tower_service::Service<Name> for GuardedResolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.gai.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let resolving = self.gai.call(name);
        let (guard, port) = (Arc::clone(&self.guard), self.port);
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = resolving
                .await?
                .map(|a| SocketAddr::new(a.ip(), port))
                .collect();
            // One refused address refuses the name: a name that mixes a metadata address with
            // others is an attack, not a load balancer.
            guard
                .check_all(&addrs)
                .map_err(|why| Box::new(Refused(why)) as BoxError)?;
            Ok(addrs.into_iter())
        })
    }
}

/// The first error of type `E` in a chain of causes, looking inside wrapped I/O errors too
/// (`io::Error::source` skips the error it wraps).
pub fn cause<'a, E: std::error::Error + 'static>(
    e: &'a (dyn std::error::Error + 'static),
) -> Option<&'a E> {
    let mut source = Some(e);
    while let Some(err) = source {
        if let Some(found) = err.downcast_ref::<E>() {
            return Some(found);
        }
        // An I/O error may wrap another (tokio-rustls wraps rustls' error twice).
        let wrapped = err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .map(|inner| inner as &(dyn std::error::Error + 'static));
        source = wrapped.or_else(|| err.source());
    }
    None
}
