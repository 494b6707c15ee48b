//! The console's session cookie never crosses the gateway. Browsers do not isolate cookies by
//! port, so a request to the gateway's listener on the console's host carries the console's
//! session: it is taken out of every forwarded `Cookie` header, and an upstream's `Set-Cookie`
//! for that name is dropped so that no API can plant a session on the console.

use app::auth::cookie::SESSION_COOKIE;
use axum::http::{HeaderMap, HeaderValue, header};

/// True for the console's session cookie, with or without the `__Host-` prefix.
fn is_session(name: &str) -> bool {
    let name = name.trim();
    name == SESSION_COOKIE || name.strip_prefix("__Host-") == Some(SESSION_COOKIE)
}

/// Removes the session cookie from the request's `Cookie` headers (dropping a header that
/// holds nothing else), keeping every other cookie as sent.
pub fn strip_session(headers: &mut HeaderMap) {
    let mentions = |v: &HeaderValue| {
        v.as_bytes()
            .windows(SESSION_COOKIE.len())
            .any(|w| w == SESSION_COOKIE.as_bytes())
    };
    // Most requests carry no session cookie: look before rebuilding anything.
    if !headers.get_all(header::COOKIE).iter().any(mentions) {
        return;
    }
    let kept: Vec<HeaderValue> = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| {
            let text = String::from_utf8_lossy(v.as_bytes());
            let pairs: Vec<&str> = text
                .split(';')
                .filter(|pair| {
                    let name = pair.split_once('=').map_or(*pair, |(n, _)| n);
                    !is_session(name) && !pair.trim().is_empty()
                })
                .map(str::trim)
                .collect();
            (!pairs.is_empty())
                .then(|| HeaderValue::from_str(&pairs.join("; ")).ok())
                .flatten()
        })
        .collect();
    headers.remove(header::COOKIE);
    for v in kept {
        headers.append(header::COOKIE, v);
    }
}

/// Drops an upstream's `Set-Cookie` headers that would set or clear the session cookie.
pub fn drop_session_set_cookie(headers: &mut HeaderMap) {
    let sets_session = |v: &HeaderValue| {
        let text = String::from_utf8_lossy(v.as_bytes());
        is_session(text.split_once('=').map_or(&*text, |(n, _)| n))
    };
    if !headers.get_all(header::SET_COOKIE).iter().any(sets_session) {
        return;
    }
    let kept: Vec<HeaderValue> = headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter(|v| !sets_session(v))
        .cloned()
        .collect();
    headers.remove(header::SET_COOKIE);
    for v in kept {
        headers.append(header::SET_COOKIE, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cookies(values: &[&'static str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(header::COOKIE, HeaderValue::from_static(v));
        }
        h
    }

    fn values(h: &HeaderMap, name: header::HeaderName) -> Vec<&str> {
        h.get_all(name)
            .iter()
            .map(|v| v.to_str().expect("ascii"))
            .collect()
    }

    #[test]
    fn the_session_cookie_is_taken_out_of_every_cookie_header() {
        let mut h = cookies(&[
            "a=1; gatehouse_session=secret; b=2",
            "gatehouse_session=again",
            " __Host-gatehouse_session=prefixed;c=3",
        ]);
        strip_session(&mut h);
        assert_eq!(values(&h, header::COOKIE), ["a=1; b=2", "c=3"]);
        let mut alone = cookies(&["gatehouse_session=x"]);
        strip_session(&mut alone);
        assert!(alone.get(header::COOKIE).is_none());
    }

    #[test]
    fn other_cookies_with_similar_names_stay() {
        let mut h = cookies(&["my_gatehouse_session=1; gatehouse_session_x=2"]);
        strip_session(&mut h);
        assert_eq!(
            values(&h, header::COOKIE),
            ["my_gatehouse_session=1; gatehouse_session_x=2"]
        );
    }

    #[test]
    fn upstreams_cannot_set_the_session_cookie() {
        let mut h = HeaderMap::new();
        for v in [
            "gatehouse_session=planted; Path=/; HttpOnly",
            "__Host-gatehouse_session=planted; Secure; Path=/",
            "theirs=1; Path=/",
        ] {
            h.append(header::SET_COOKIE, HeaderValue::from_static(v));
        }
        drop_session_set_cookie(&mut h);
        assert_eq!(values(&h, header::SET_COOKIE), ["theirs=1; Path=/"]);
    }
}
