//! The session cookie: reading it from a request and writing it into a response.

use http::HeaderMap;
use http::header::COOKIE;

pub const SESSION_COOKIE: &str = "gatehouse_session";
/// The name over HTTPS: browsers accept a `__Host-` cookie only if it is Secure, for `Path=/`
/// and without `Domain`, so another host (or plain-HTTP page) of the site cannot plant or
/// overwrite it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-gatehouse_session";
pub const SESSION_DAYS: i64 = 7;

pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The session cookie's name for a request over HTTPS (`secure`) or plain HTTP.
pub fn session_name(secure: bool) -> &'static str {
    if secure {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// The session token of a request: over HTTPS only the `__Host-` cookie counts.
pub fn read_session(headers: &HeaderMap) -> Option<String> {
    read(headers, session_name(is_https(headers)))
}

/// `Secure` is added when the original request came over https (directly or through a proxy
/// that says so), so the cookie still works on plain http during local development.
pub fn is_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

pub fn set(token: &str, secure: bool) -> String {
    let max_age = SESSION_DAYS * 24 * 3600;
    let name = session_name(secure);
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

pub fn clear(secure: bool) -> String {
    let name = session_name(secure);
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn reads_the_named_cookie_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            COOKIE,
            HeaderValue::from_static("a=1; gatehouse_session=tok; b=2"),
        );
        assert_eq!(read(&h, SESSION_COOKIE).as_deref(), Some("tok"));
        assert_eq!(read(&h, "missing"), None);
    }

    #[test]
    fn over_https_the_cookie_is_host_prefixed_and_only_that_one_counts() {
        let c = set("tok", true);
        assert!(
            c.starts_with("__Host-gatehouse_session=tok; Path=/;"),
            "{c}"
        );
        assert!(c.contains("; Secure") && !c.contains("Domain"), "{c}");
        assert!(clear(true).starts_with("__Host-gatehouse_session=;"));
        assert!(set("tok", false).starts_with("gatehouse_session=tok;"));
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        h.insert(
            COOKIE,
            HeaderValue::from_static("gatehouse_session=planted"),
        );
        assert_eq!(read_session(&h), None);
        h.insert(
            COOKIE,
            HeaderValue::from_static("gatehouse_session=planted; __Host-gatehouse_session=real"),
        );
        assert_eq!(read_session(&h).as_deref(), Some("real"));
        h.remove("x-forwarded-proto");
        assert_eq!(read_session(&h).as_deref(), Some("planted"));
    }

    #[test]
    fn cookie_is_http_only_and_lax() {
        let c = set("tok", false);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && !c.contains("Secure"));
        assert!(set("tok", true).contains("; Secure"));
        assert!(clear(false).contains("Max-Age=0"));
    }

    #[test]
    fn https_is_detected_from_the_proxy_header() {
        let mut h = HeaderMap::new();
        assert!(!is_https(&h));
        h.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert!(is_https(&h));
    }
}
