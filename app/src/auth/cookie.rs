//! The session cookie: reading it from a request and writing it into a response.

use http::HeaderMap;
use http::header::COOKIE;

pub const SESSION_COOKIE: &str = "gatehouse_session";
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
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

pub fn clear(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
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
