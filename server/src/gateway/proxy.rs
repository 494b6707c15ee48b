//! Forwarding to the upstream: pooled HTTP/1.1 clients over plain TCP or TLS, bodies streamed
//! both ways, hop-by-hop headers dropped, X-Forwarded-* set, connect and read timeouts, and
//! every connection checked against the upstream address guard (connect.rs).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::domain::upstream_guard::UpstreamGuard;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Request, Response, Uri, header};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use super::connect::{GuardedConnector, Refused, cause};
use super::errors::EngineError;
use super::tls::{CustomTrust, TlsFailure, Trust};

type UpstreamClient = Client<HttpsConnector<GuardedConnector>, Body>;

/// Pools kept for API versions with their own CA certificates, at most: beyond it the oldest
/// set is dropped (their connections close; the next request opens new ones).
const MAX_CUSTOM_POOLS: usize = 256;

#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    /// From sending the request to receiving the response head.
    pub read: Duration,
}

/// One worker's upstream clients: one for the system's trust, and one per custom CA set (a
/// connection verified with one API's CA is never reused for another API).
pub struct Upstream {
    client: UpstreamClient,
    custom: Mutex<HashMap<[u8; 32], UpstreamClient>>,
    guard: Arc<UpstreamGuard>,
    timeouts: Timeouts,
}

/// Headers that describe one connection, not the message (RFC 9110 §7.6.1).
static HOP_BY_HOP: [HeaderName; 8] = [
    header::CONNECTION,
    HeaderName::from_static("keep-alive"),
    header::PROXY_AUTHENTICATE,
    header::PROXY_AUTHORIZATION,
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
];

pub const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
pub const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
pub const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");

/// Removes the hop-by-hop headers, those named in `Connection` included. Most messages carry
/// none, so it looks over the names once before removing anything.
pub fn strip_hop_by_hop(headers: &mut HeaderMap) {
    let mut doomed: Vec<HeaderName> = headers
        .keys()
        .filter(|name| HOP_BY_HOP.contains(name))
        .cloned()
        .collect();
    if doomed.is_empty() {
        return;
    }
    doomed.extend(
        headers
            .get_all(header::CONNECTION)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok()),
    );
    for name in &doomed {
        headers.remove(name);
    }
}

/// The upstream address: the endpoint's base path, then the path below the API, then the query.
pub fn target(endpoint: &Uri, path: &str, query: Option<&str>) -> Option<Uri> {
    let base = endpoint.path().trim_end_matches('/');
    let mut pq = format!("{base}{path}");
    if pq.is_empty() {
        pq.push('/');
    }
    if let Some(q) = query.filter(|q| !q.is_empty()) {
        pq.push('?');
        pq.push_str(q);
    }
    Uri::builder()
        .scheme(endpoint.scheme_str().unwrap_or("http"))
        .authority(endpoint.authority()?.as_str())
        .path_and_query(pq)
        .build()
        .ok()
}

impl Upstream {
    pub fn new(timeouts: Timeouts, trust: &Trust, guard: Arc<UpstreamGuard>) -> Self {
        Self {
            client: client(timeouts, trust.config(), &guard),
            custom: Mutex::new(HashMap::new()),
            guard,
            timeouts,
        }
    }

    /// The client for an API version: its own CA's pool, or the shared one.
    fn client_for(&self, trust: Option<&CustomTrust>) -> UpstreamClient {
        let Some(trust) = trust else {
            return self.client.clone();
        };
        let mut pools = self.custom.lock().unwrap_or_else(|p| p.into_inner());
        if !pools.contains_key(&trust.id) && pools.len() >= MAX_CUSTOM_POOLS {
            pools.clear();
        }
        pools
            .entry(trust.id)
            .or_insert_with(|| client(self.timeouts, Arc::clone(&trust.config), &self.guard))
            .clone()
    }

    /// Sends the request upstream and returns its response with a streaming body.
    pub async fn forward(
        &self,
        mut request: Request<Body>,
        forwarded: Forwarded,
        api: &super::registry::ApiEntry,
    ) -> Result<Response<Body>, EngineError> {
        let headers = request.headers_mut();
        strip_hop_by_hop(headers);
        super::cookies::strip_session(headers);
        forwarded.apply(headers);
        let client = self.client_for(api.trust.as_deref());
        let sent = tokio::time::timeout(self.timeouts.read, client.request(request)).await;
        let response = match sent {
            Err(_) => return Err(EngineError::UpstreamTimeout),
            Ok(Err(e)) => return Err(failure(&e, &api.name)),
            Ok(Ok(r)) => r,
        };
        let (mut parts, body) = response.into_parts();
        strip_hop_by_hop(&mut parts.headers);
        super::cookies::drop_session_set_cookie(&mut parts.headers);
        Ok(Response::from_parts(parts, Body::new(body)))
    }
}

/// What the upstream learns of the original request through X-Forwarded-*.
pub struct Forwarded {
    pub peer: IpAddr,
    pub host: Option<HeaderValue>,
    pub https: bool,
}

impl Forwarded {
    fn apply(self, headers: &mut HeaderMap) {
        let forwarded_for = match headers.get(&X_FORWARDED_FOR).and_then(|v| v.to_str().ok()) {
            Some(prior) => format!("{prior}, {}", self.peer),
            None => self.peer.to_string(),
        };
        if let Ok(v) = HeaderValue::try_from(forwarded_for) {
            headers.insert(X_FORWARDED_FOR, v);
        }
        headers.insert(
            X_FORWARDED_PROTO,
            HeaderValue::from_static(if self.https { "https" } else { "http" }),
        );
        if let Some(host) = self.host {
            headers.insert(X_FORWARDED_HOST, host);
        }
        // The client sets Host from the target URI.
        headers.remove(header::HOST);
    }
}

fn client(
    timeouts: Timeouts,
    tls: Arc<rustls::ClientConfig>,
    guard: &Arc<UpstreamGuard>,
) -> UpstreamClient {
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(rustls::ClientConfig::clone(&tls))
        .https_or_http()
        .enable_http1()
        .wrap_connector(GuardedConnector::new(timeouts.connect, Arc::clone(guard)));
    Client::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(60))
        .pool_max_idle_per_host(256)
        .build(connector)
}

/// The engine error for a failed upstream call, logged with its cause.
fn failure(e: &hyper_util::client::legacy::Error, api: &str) -> EngineError {
    if let Some(refused) = cause::<Refused>(e) {
        tracing::warn!(api, reason = %refused, "upstream address refused");
        return EngineError::UpstreamRefused;
    }
    if let Some(tls) = TlsFailure::find(e) {
        tracing::warn!(api, error = %e, reason = tls.message(), "upstream TLS handshake failed");
        return EngineError::UpstreamTls(tls);
    }
    tracing::warn!(api, error = %e, "upstream request failed");
    if is_timeout(e) {
        EngineError::UpstreamTimeout
    } else {
        EngineError::UpstreamUnavailable
    }
}

fn is_timeout(e: &hyper_util::client::legacy::Error) -> bool {
    cause::<std::io::Error>(e).is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_join_base_path_rest_and_query() {
        let e: Uri = "http://127.0.0.1:3000/echo".parse().expect("uri");
        assert_eq!(
            target(&e, "/hello/x", Some("a=1")).expect("t").to_string(),
            "http://127.0.0.1:3000/echo/hello/x?a=1"
        );
        let root: Uri = "https://api.example.com".parse().expect("uri");
        assert_eq!(
            target(&root, "", None).expect("t").to_string(),
            "https://api.example.com/"
        );
        let slash: Uri = "http://up/v1/".parse().expect("uri");
        assert_eq!(
            target(&slash, "/x", None).expect("t").to_string(),
            "http://up/v1/x"
        );
    }

    #[test]
    fn hop_by_hop_headers_go_including_those_named_in_connection() {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONNECTION,
            HeaderValue::from_static("keep-alive, x-private"),
        );
        h.insert("x-private", HeaderValue::from_static("1"));
        h.insert(
            header::TRANSFER_ENCODING,
            HeaderValue::from_static("chunked"),
        );
        h.insert("x-kept", HeaderValue::from_static("1"));
        strip_hop_by_hop(&mut h);
        assert_eq!(h.len(), 1);
        assert!(h.contains_key("x-kept"));
    }
}
