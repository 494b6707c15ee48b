//! Forwarding to the upstream: a pooled HTTP/1.1 client, bodies streamed both ways, hop-by-hop
//! headers dropped, X-Forwarded-* set, connect and read timeouts.

use std::net::IpAddr;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Request, Response, Uri, header};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::errors::EngineError;

#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    /// From sending the request to receiving the response head.
    pub read: Duration,
}

pub struct Upstream {
    client: Client<HttpConnector, Body>,
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
    pub fn new(timeouts: Timeouts) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(timeouts.connect));
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(60))
            .pool_max_idle_per_host(256)
            .build(connector);
        Self { client, timeouts }
    }

    /// Sends the request upstream and returns its response with a streaming body.
    pub async fn forward(
        &self,
        mut request: Request<Body>,
        peer: IpAddr,
        original_host: Option<HeaderValue>,
        https: bool,
    ) -> Result<Response<Body>, EngineError> {
        let headers = request.headers_mut();
        strip_hop_by_hop(headers);
        let forwarded_for = match headers.get(&X_FORWARDED_FOR).and_then(|v| v.to_str().ok()) {
            Some(prior) => format!("{prior}, {peer}"),
            None => peer.to_string(),
        };
        if let Ok(v) = HeaderValue::try_from(forwarded_for) {
            headers.insert(X_FORWARDED_FOR, v);
        }
        headers.insert(
            X_FORWARDED_PROTO,
            HeaderValue::from_static(if https { "https" } else { "http" }),
        );
        if let Some(host) = original_host {
            headers.insert(X_FORWARDED_HOST, host);
        }
        // The client sets Host from the target URI.
        headers.remove(header::HOST);
        let sent = tokio::time::timeout(self.timeouts.read, self.client.request(request)).await;
        let response = match sent {
            Err(_) => return Err(EngineError::UpstreamTimeout),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "upstream request failed");
                return Err(if is_timeout(&e) {
                    EngineError::UpstreamTimeout
                } else {
                    EngineError::UpstreamUnavailable
                });
            }
            Ok(Ok(r)) => r,
        };
        let (mut parts, body) = response.into_parts();
        strip_hop_by_hop(&mut parts.headers);
        Ok(Response::from_parts(parts, Body::new(body)))
    }
}

fn is_timeout(e: &hyper_util::client::legacy::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::TimedOut
        {
            return true;
        }
        source = err.source();
    }
    false
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
