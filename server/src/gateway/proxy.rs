//! Forwarding to the upstream: pooled HTTP/1.1 connections over plain TCP or TLS (pool.rs),
//! bodies streamed both ways, hop-by-hop headers dropped, X-Forwarded-* set, connect and read
//! timeouts, and every connection checked against the upstream address guard (connect.rs).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::domain::upstream_guard::UpstreamGuard;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Request, Response, Uri, header};

use super::connect::{GuardedConnector, Refused, cause};
use super::errors::EngineError;
use super::pool::{Connector, Failure, Pool};
use super::tls::{CustomTrust, TlsFailure, Trust};

/// Connectors kept for API versions with their own CA certificates, at most: beyond it they
/// are all dropped (and made again when next needed).
const MAX_CUSTOM_CONNECTORS: usize = 256;

#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    /// From sending the request to receiving the response head.
    pub read: Duration,
}

/// One worker's upstream connections, and how to open new ones: with the system's trust, or
/// with an API version's own CA certificates.
pub struct Upstream {
    pool: Arc<Pool>,
    connector: Connector,
    custom: Mutex<HashMap<[u8; 32], Connector>>,
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

/// The upstream request target: the endpoint's base path, then the path below the API, then the
/// query (origin form: the scheme and authority are the connection's).
pub fn target(endpoint: &Uri, path: &str, query: Option<&str>) -> Option<Uri> {
    endpoint.authority()?;
    Uri::try_from(origin_form(endpoint.path(), path, query)).ok()
}

/// The target's text, sized exactly and without the formatter: this runs on every proxied
/// request, and `Uri` takes a string whose length is its capacity without allocating again.
fn origin_form(base: &str, path: &str, query: Option<&str>) -> String {
    let base = base.trim_end_matches('/');
    let query = query.filter(|q| !q.is_empty());
    let len = (base.len() + path.len()).max(1) + query.map_or(0, |q| q.len() + 1);
    let mut pq = String::with_capacity(len);
    pq.push_str(base);
    pq.push_str(path);
    if pq.is_empty() {
        pq.push('/');
    }
    if let Some(q) = query {
        pq.push('?');
        pq.push_str(q);
    }
    pq
}

impl Upstream {
    /// Made on the worker's runtime: the pool's sweeping task runs there.
    pub fn new(timeouts: Timeouts, trust: &Trust, guard: Arc<UpstreamGuard>) -> Self {
        Self {
            pool: Pool::start(),
            connector: connector(timeouts, trust.config(), &guard),
            custom: Mutex::new(HashMap::new()),
            guard,
            timeouts,
        }
    }

    /// The connector for an API version: with its own CA, or the system's trust.
    fn connector_for(&self, trust: Option<&CustomTrust>) -> Connector {
        let Some(trust) = trust else {
            return self.connector.clone();
        };
        let mut connectors = self.custom.lock().unwrap_or_else(|p| p.into_inner());
        if !connectors.contains_key(&trust.id) && connectors.len() >= MAX_CUSTOM_CONNECTORS {
            connectors.clear();
        }
        connectors
            .entry(trust.id)
            .or_insert_with(|| connector(self.timeouts, Arc::clone(&trust.config), &self.guard))
            .clone()
    }

    /// Sends the request (target in origin form, see [`target`]) to the API's upstream and
    /// returns its response with a streaming body.
    pub async fn forward(
        &self,
        mut request: Request<Body>,
        forwarded: Forwarded,
        api: &super::registry::ApiEntry,
    ) -> Result<Response<Body>, EngineError> {
        let Some(endpoint) = api.upstream.as_ref() else {
            return Err(EngineError::UpstreamUnavailable);
        };
        let headers = request.headers_mut();
        strip_hop_by_hop(headers);
        super::cookies::strip_session(headers);
        forwarded.apply(headers);
        if let Some(host) = host(endpoint) {
            headers.insert(header::HOST, host);
        }
        let trust = api.trust.as_deref();
        // Only a new connection needs a connector.
        let connector = || self.connector_for(trust);
        let sent = self
            .pool
            .send(connector, endpoint, trust.map(|t| t.id), request);
        let response = match tokio::time::timeout(self.timeouts.read, sent).await {
            Err(_) => return Err(EngineError::UpstreamTimeout),
            Ok(Err(e)) => return Err(failure(&e, &api.name)),
            Ok(Ok(r)) => r,
        };
        let (mut parts, body) = response.into_parts();
        strip_hop_by_hop(&mut parts.headers);
        super::cookies::drop_session_set_cookie(&mut parts.headers);
        Ok(Response::from_parts(parts, body))
    }
}

/// `Host` for the upstream: its host, and its port unless the scheme's default (as hyper-util's
/// client set it); never the user information of the endpoint.
fn host(endpoint: &Uri) -> Option<HeaderValue> {
    let authority = endpoint.authority()?;
    let default = match endpoint.scheme_str() {
        Some("https") => 443,
        _ => 80,
    };
    match authority.port_u16() {
        Some(port) if port == default => HeaderValue::from_str(authority.host()).ok(),
        // Most endpoints: the authority as written is the value, no formatting needed.
        _ if !authority.as_str().contains('@') => HeaderValue::from_str(authority.as_str()).ok(),
        Some(port) => HeaderValue::try_from(format!("{}:{port}", authority.host())).ok(),
        None => HeaderValue::from_str(authority.host()).ok(),
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
        let mut forwarded_for = String::with_capacity(48);
        if let Some(prior) = headers.get(&X_FORWARDED_FOR).and_then(|v| v.to_str().ok()) {
            forwarded_for.push_str(prior);
            forwarded_for.push_str(", ");
        }
        push_ip(&mut forwarded_for, self.peer);
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

/// Writes `ip` as text: IPv4 digit by digit (std's `Display` goes through the formatter's
/// padding machinery, which callgrind showed as a visible part of a request), IPv6 by `Display`.
fn push_ip(out: &mut String, ip: IpAddr) {
    match ip {
        IpAddr::V4(v4) => {
            let mut digits = itoa::Buffer::new();
            for (i, octet) in v4.octets().into_iter().enumerate() {
                if i > 0 {
                    out.push('.');
                }
                out.push_str(digits.format(octet));
            }
        }
        IpAddr::V6(_) => {
            use std::fmt::Write;
            let _ = write!(out, "{ip}");
        }
    }
}

fn connector(
    timeouts: Timeouts,
    tls: Arc<rustls::ClientConfig>,
    guard: &Arc<UpstreamGuard>,
) -> Connector {
    hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(rustls::ClientConfig::clone(&tls))
        .https_or_http()
        .enable_http1()
        .wrap_connector(GuardedConnector::new(timeouts.connect, Arc::clone(guard)))
}

/// The engine error for a failed upstream call, logged with its cause.
fn failure(failed: &Failure, api: &str) -> EngineError {
    let e = failed.error();
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

fn is_timeout(e: &(dyn std::error::Error + 'static)) -> bool {
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
            "/echo/hello/x?a=1"
        );
        let root: Uri = "https://api.example.com".parse().expect("uri");
        assert_eq!(target(&root, "", None).expect("t").to_string(), "/");
        let slash: Uri = "http://up/v1/".parse().expect("uri");
        assert_eq!(target(&slash, "/x", None).expect("t").to_string(), "/v1/x");
        // An empty query adds no '?'.
        assert_eq!(
            target(&e, "/x", Some("")).expect("t").to_string(),
            "/echo/x"
        );
        // Sized exactly in every case (no second allocation when it becomes a `Uri`).
        for (base, path, query, expected) in [
            ("/echo", "/hello/x", Some("a=1"), "/echo/hello/x?a=1"),
            ("/echo/", "", None, "/echo"),
            ("", "", None, "/"),
            ("/", "", Some(""), "/"),
            ("", "", Some("q"), "/?q"),
            ("/v1//", "/x", Some(""), "/v1/x"),
        ] {
            let text = origin_form(base, path, query);
            assert_eq!(text, expected);
            assert_eq!(text.len(), text.capacity(), "{expected}");
        }
        // Only the path and query: a request below the API cannot name another host.
        assert_eq!(
            target(&root, "//evil.example/x", None).expect("t").host(),
            None
        );
    }

    #[test]
    fn host_names_the_upstream_with_its_port_unless_the_default() {
        let host_of = |u: &str| host(&u.parse().expect("uri")).expect("host");
        assert_eq!(host_of("http://127.0.0.1:3000/echo"), "127.0.0.1:3000");
        assert_eq!(host_of("http://up/v1"), "up");
        assert_eq!(host_of("http://up:80/v1"), "up");
        assert_eq!(host_of("https://api.example.com:443"), "api.example.com");
        assert_eq!(
            host_of("https://api.example.com:8443"),
            "api.example.com:8443"
        );
        assert_eq!(host_of("http://[::1]:8080/"), "[::1]:8080");
        assert_eq!(host_of("http://user:secret@up:8080/v1"), "up:8080");
        assert_eq!(host_of("https://user@api.example.com/"), "api.example.com");
    }

    #[test]
    fn forwarded_for_names_the_peer_after_any_earlier_hops() {
        let forwarded = |prior: Option<&'static str>, peer: &str| {
            let mut h = HeaderMap::new();
            if let Some(p) = prior {
                h.insert(X_FORWARDED_FOR, HeaderValue::from_static(p));
            }
            let peer = peer.parse().expect("ip");
            Forwarded {
                peer,
                host: None,
                https: false,
            }
            .apply(&mut h);
            h[X_FORWARDED_FOR].to_str().expect("text").to_string()
        };
        for ip in [
            "0.0.0.0",
            "127.0.0.1",
            "10.20.30.40",
            "255.255.255.255",
            "192.168.0.9",
        ] {
            assert_eq!(forwarded(None, ip), ip);
        }
        assert_eq!(forwarded(None, "2001:db8::1"), "2001:db8::1");
        assert_eq!(forwarded(None, "::ffff:10.0.0.1"), "::ffff:10.0.0.1");
        assert_eq!(
            forwarded(Some("203.0.113.7"), "10.0.0.1"),
            "203.0.113.7, 10.0.0.1"
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
