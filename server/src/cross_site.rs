//! Refuses state-changing requests that a browser sends on behalf of another site (CSRF, login
//! CSRF included). Every server function and form post is a POST, and SameSite=Lax cookies
//! alone do not stop a cross-site sign-in or registration, which needs no cookie.
//!
//! Same-site is refused too, not only cross-site: the gateway serves upstream content on
//! another port of the same host, which browsers count as the same site. Only the console's
//! own origin may change anything.

use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Whether a request with this method and these headers must be refused.
///
/// Safe methods (GET, HEAD, OPTIONS) pass: following a link to the console is normal. Otherwise
/// `Sec-Fetch-Site` decides when present (only `same-origin`, and `none` for a user's own
/// action, pass). Without it (older browsers, non-browser clients), an `Origin` that is present
/// must be the console's own, compared with the `Host` the request was sent to; a request
/// without either header is not from a modern browser's page and passes.
pub fn is_refused(method: &Method, headers: &HeaderMap) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    let text = |name| headers.get(name).map(|v| v.to_str().unwrap_or_default());
    if let Some(site) = text(header::HeaderName::from_static("sec-fetch-site")) {
        return !matches!(site.trim(), "same-origin" | "none");
    }
    match (text(header::ORIGIN), text(header::HOST)) {
        (None, _) => false,
        (Some(origin), Some(host)) => !same_origin(origin, host),
        (Some(_), None) => true,
    }
}

/// Whether `origin` (`scheme://host[:port]`) names the host and port of the `Host` header.
fn same_origin(origin: &str, host: &str) -> bool {
    let Ok(origin) = url::Url::parse(origin) else {
        return false; // `null` (sandboxed frames, redirects) and garbage
    };
    let Ok(host) = host.parse::<http::uri::Authority>() else {
        return false;
    };
    let origin_host = origin.host_str().unwrap_or_default();
    let origin_host = origin_host.trim_start_matches('[').trim_end_matches(']');
    let host_name = host.host().trim_start_matches('[').trim_end_matches(']');
    origin_host.eq_ignore_ascii_case(host_name)
        && origin.port_or_known_default() == host.port_u16().or(origin.port_or_known_default())
}

/// The middleware: 403 for a refused request, before any handler runs.
pub async fn guard(request: Request, next: Next) -> Response {
    if is_refused(request.method(), request.headers()) {
        tracing::info!(
            method = %request.method(),
            path = request.uri().path(),
            "cross-site request refused"
        );
        return (
            StatusCode::FORBIDDEN,
            "Cross-site requests are refused: use the console's own pages.",
        )
            .into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.insert(*name, HeaderValue::from_static(value));
        }
        h
    }

    fn post(pairs: &[(&'static str, &'static str)]) -> bool {
        is_refused(&Method::POST, &headers(pairs))
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        assert!(!post(&[("sec-fetch-site", "same-origin")]));
        assert!(!post(&[("sec-fetch-site", "none")]));
        assert!(post(&[("sec-fetch-site", "cross-site")]));
        // The gateway is another port of the same host: same site, not same origin.
        assert!(post(&[("sec-fetch-site", "same-site")]));
        assert!(post(&[("sec-fetch-site", "bogus")]));
        // A matching Origin does not overrule the browser's own verdict.
        assert!(post(&[
            ("sec-fetch-site", "cross-site"),
            ("origin", "http://console.example"),
            ("host", "console.example"),
        ]));
    }

    #[test]
    fn without_fetch_metadata_the_origin_must_be_the_host() {
        let host = ("host", "console.example:3000");
        assert!(!post(&[("origin", "http://console.example:3000"), host]));
        assert!(!post(&[("origin", "http://CONSOLE.example:3000"), host]));
        assert!(post(&[("origin", "http://evil.example:3000"), host]));
        assert!(post(&[("origin", "http://console.example:8080"), host]));
        assert!(post(&[("origin", "http://console.example"), host]));
        assert!(post(&[("origin", "null"), host]));
        assert!(post(&[("origin", "http://console.example:3000")]));
        // Default ports are the same origin whether written or not.
        let bare = ("host", "console.example");
        assert!(!post(&[("origin", "https://console.example"), bare]));
        assert!(!post(&[("origin", "https://console.example:443"), bare]));
        assert!(!post(&[("origin", "http://console.example"), bare]));
        assert!(!post(&[
            ("origin", "https://console.example"),
            ("host", "console.example:443")
        ]));
        assert!(!post(&[
            ("origin", "http://[::1]:3000"),
            ("host", "[::1]:3000")
        ]));
        // No browser headers at all: curl, scripts, the tests.
        assert!(!post(&[host]));
    }

    #[test]
    fn safe_methods_pass_and_other_writes_are_checked() {
        let cross = headers(&[("sec-fetch-site", "cross-site")]);
        for method in [Method::GET, Method::HEAD, Method::OPTIONS] {
            assert!(!is_refused(&method, &cross), "{method}");
        }
        for method in [Method::PUT, Method::PATCH, Method::DELETE] {
            assert!(is_refused(&method, &cross), "{method}");
        }
    }
}
