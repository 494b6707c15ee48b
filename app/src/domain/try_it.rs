//! Try it: a request a portal user composes for one operation of an API reference, which the
//! portal server relays to the gateway's managed endpoint of that API version and nowhere else.
//! Everything the user typed is checked here before anything is sent.

use serde::{Deserialize, Serialize};

use super::FieldError;

/// How long the relay waits for the gateway's whole answer.
pub const TRY_TIMEOUT_SECS: u64 = 10;
/// The most of an answer's body shown (the rest is cut, and said so).
pub const MAX_TRY_RESPONSE_BYTES: usize = 256 * 1024;
/// The largest request body sent.
pub const MAX_TRY_BODY_BYTES: usize = 64 * 1024;
/// Headers a user may add at most, and the longest value.
pub const MAX_TRY_HEADERS: usize = 20;
pub const MAX_TRY_HEADER_BYTES: usize = 4096;
/// The longest path and query.
pub const MAX_TRY_TARGET_BYTES: usize = 4096;

/// Headers the relay sets itself or that would change how the request travels.
const RESERVED_HEADERS: [&str; 12] = [
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "upgrade",
    "te",
    "trailer",
    "proxy-authorization",
    "proxy-connection",
    "x-api-key",
    "cookie",
];

const METHODS: [&str; 7] = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH"];

/// What the user sends: the operation's path below the API as the definition writes it
/// (`/pets/{petId}`) with the values of its path parameters, query parameters, extra headers
/// and a body.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TryRequest {
    pub method: String,
    pub path: String,
    pub path_params: Vec<(String, String)>,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

/// A client whose key Try it may use: one of the user's, registered, with an active contract
/// for the API version; its key shown only shortened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TryClient {
    pub client: crate::domain::refs::VersionRef,
    pub name: String,
    pub key_hint: String,
}

/// What the panel offers for one API version: the managed endpoint, whether calls without a
/// key are let through (a public API), and the user's clients for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TryTarget {
    pub endpoint: String,
    pub public: bool,
    pub clients: Vec<TryClient>,
}

/// Clients offered at most (the first by organization and name).
pub const MAX_TRY_CLIENTS: i64 = 100;

/// What came back, for the panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TryResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// Pretty-printed when it is JSON.
    pub body: String,
    /// The body was longer than `MAX_TRY_RESPONSE_BYTES` and is cut.
    pub truncated: bool,
    pub latency_ms: f64,
    /// The same request as a curl command (the key as `$API_KEY`).
    pub curl: String,
}

/// A request that passed every check: the path and query to append to the managed endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub method: &'static str,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

fn refuse(field: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(field, message)
}

/// Characters a path segment keeps as they are (RFC 3986 pchar without '%', which is encoded
/// so that nothing the user types decodes into something else).
fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        let c = b as char;
        if c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@".contains(c) {
            out.push(c);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn check(req: &TryRequest) -> Result<Checked, FieldError> {
    let method = METHODS
        .iter()
        .find(|m| m.eq_ignore_ascii_case(req.method.trim()))
        .copied()
        .ok_or_else(|| {
            refuse(
                "method",
                "The method must be one of GET, PUT, POST, DELETE, OPTIONS, HEAD or PATCH.",
            )
        })?;
    let path = req.path.trim();
    if !path.is_empty() && !path.starts_with('/') {
        return Err(refuse("path", "The path starts with /."));
    }
    let mut target = String::new();
    for segment in path.split('/').skip(1) {
        if segment.chars().any(char::is_control) {
            return Err(refuse(
                "path",
                "The path may not contain control characters.",
            ));
        }
        let filled = fill_segment(segment, &req.path_params)?;
        // A value can make a dot segment too: the gateway would resolve it above the API.
        if filled == ".." || filled == "." {
            return Err(refuse("path", "The path may not contain . or .. segments."));
        }
        target.push('/');
        target.push_str(&filled);
    }
    if !req.query.is_empty() {
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(req.query.iter().filter(|(k, _)| !k.trim().is_empty()))
            .finish();
        if !query.is_empty() {
            target.push('?');
            target.push_str(&query);
        }
    }
    if target.len() > MAX_TRY_TARGET_BYTES {
        return Err(refuse(
            "path",
            format!("The path and query are longer than {MAX_TRY_TARGET_BYTES} bytes."),
        ));
    }
    let headers = check_headers(&req.headers)?;
    let body = match &req.body {
        Some(b) if b.len() > MAX_TRY_BODY_BYTES => {
            return Err(refuse(
                "body",
                format!("The body is longer than {MAX_TRY_BODY_BYTES} bytes (64 KiB)."),
            ));
        }
        Some(b) if !b.is_empty() && matches!(method, "GET" | "HEAD") => {
            return Err(refuse("body", format!("A {method} request has no body.")));
        }
        Some(b) if !b.is_empty() => Some(b.clone()),
        _ => None,
    };
    Ok(Checked {
        method,
        target,
        headers,
        body,
    })
}

/// One segment of the path template, encoded, with each `{name}` replaced by the encoded value
/// of that path parameter (a value stays within its segment: '/' in it is encoded).
fn fill_segment(segment: &str, params: &[(String, String)]) -> Result<String, FieldError> {
    let mut out = String::new();
    let mut rest = segment;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        out.push_str(&encode_segment(&rest[..open]));
        let name = &rest[open + 1..close];
        let value = params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| refuse("path", format!("Fill in the path parameter {name}.")))?;
        if value.chars().any(char::is_control) {
            return Err(refuse(
                "path",
                format!("The value of {name} may not contain control characters."),
            ));
        }
        out.push_str(&encode_segment(value));
        rest = &rest[close + 1..];
    }
    out.push_str(&encode_segment(rest));
    Ok(out)
}

fn check_headers(headers: &[(String, String)]) -> Result<Vec<(String, String)>, FieldError> {
    let given: Vec<&(String, String)> = headers
        .iter()
        .filter(|(name, _)| !name.trim().is_empty())
        .collect();
    if given.len() > MAX_TRY_HEADERS {
        return Err(refuse(
            "headers",
            format!("At most {MAX_TRY_HEADERS} headers can be sent."),
        ));
    }
    given
        .into_iter()
        .map(|(name, value)| {
            let name = name.trim().to_ascii_lowercase();
            let token = name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
            if !token {
                return Err(refuse(
                    "headers",
                    format!("\"{name}\" is not a header name."),
                ));
            }
            if RESERVED_HEADERS.contains(&name.as_str()) {
                return Err(refuse(
                    "headers",
                    format!("{name} is set by the relay and cannot be sent from here."),
                ));
            }
            if value.len() > MAX_TRY_HEADER_BYTES
                || value.chars().any(|c| c.is_control() && c != '\t')
            {
                return Err(refuse(
                    "headers",
                    format!("The value of {name} is too long or holds control characters."),
                ));
            }
            Ok((name, value.trim().to_string()))
        })
        .collect()
}

/// Single quotes for a POSIX shell.
fn quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The request as a curl command against `url` (the managed endpoint plus the target); the key,
/// when there is one, as `$API_KEY` so that the command can be shared.
pub fn curl(url: &str, c: &Checked, with_key: bool) -> String {
    let mut parts = vec!["curl".to_string()];
    if c.method != "GET" {
        parts.push(format!("-X {}", c.method));
    }
    parts.push(quoted(url));
    if with_key {
        parts.push("-H \"X-API-Key: $API_KEY\"".to_string());
    }
    for (name, value) in &c.headers {
        parts.push(format!("-H {}", quoted(&format!("{name}: {value}"))));
    }
    if let Some(body) = &c.body {
        parts.push(format!("--data-raw {}", quoted(body)));
    }
    parts.join(" \\\n  ")
}

/// An example from the definition (JSON text) as a form field's value: a string without its
/// quotes, anything else as written.
pub fn field_value(example: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(example) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(v) => v.to_string(),
        Err(_) => example.to_string(),
    }
}

/// What the relay is asked to send: the whole URL (the managed endpoint and the checked target)
/// and the headers, the key's included.
#[derive(Debug, Clone, PartialEq)]
pub struct RelayCall {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

/// What the gateway answered, its body cut at `MAX_TRY_RESPONSE_BYTES`.
#[derive(Debug, Clone, PartialEq)]
pub struct RelayAnswer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub truncated: bool,
    pub latency_ms: f64,
}

/// Why there is no answer.
#[derive(Debug, Clone, PartialEq)]
pub enum RelayFailure {
    TimedOut,
    Unreachable(String),
}

impl RelayFailure {
    pub fn message(&self) -> String {
        match self {
            RelayFailure::TimedOut => {
                format!("The gateway did not answer within {TRY_TIMEOUT_SECS} s.")
            }
            RelayFailure::Unreachable(url) => format!("The gateway at {url} could not be reached."),
        }
    }
}

impl RelayAnswer {
    /// The answer as the panel shows it.
    pub fn shown(self, curl: String) -> TryResponse {
        TryResponse {
            status: self.status,
            headers: self.headers,
            body: shown_body(&self.body),
            truncated: self.truncated,
            latency_ms: self.latency_ms,
            curl,
        }
    }
}

/// The answer's body as shown: pretty JSON when it parses, else the text (lossy UTF-8).
pub fn shown_body(bytes: &[u8]) -> String {
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(v) => serde_json::to_string_pretty(&v).unwrap_or_default(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: &str, path: &str) -> TryRequest {
        TryRequest {
            method: method.into(),
            path: path.into(),
            ..TryRequest::default()
        }
    }

    #[test]
    fn paths_stay_below_the_api_and_are_encoded() {
        let c = check(&req("get", "/pets/7")).expect("ok");
        assert_eq!((c.method, c.target.as_str()), ("GET", "/pets/7"));
        assert_eq!(check(&req("GET", "")).expect("ok").target, "");
        let c = check(&req("GET", "/a b/%2e%2e/ü?x#y")).expect("ok");
        assert_eq!(c.target, "/a%20b/%252e%252e/%C3%BC%3Fx%23y");
        for bad in [
            "/../admin",
            "/a/./b",
            "/a/..",
            "pets",
            "http://evil/x",
            "/a\r\nHost: x",
        ] {
            assert!(check(&req("GET", bad)).is_err(), "{bad}");
        }
        let long = format!("/{}", "a".repeat(MAX_TRY_TARGET_BYTES));
        assert_eq!(check(&req("GET", &long)).expect_err("long").field, "path");
        let exact = format!("/{}", "a".repeat(MAX_TRY_TARGET_BYTES - 1));
        assert!(check(&req("GET", &exact)).is_ok());
    }

    #[test]
    fn path_parameters_fill_their_segment_and_no_more() {
        let mut r = req("GET", "/pets/{petId}/toys/{toy}.json");
        r.path_params = vec![("petId".into(), "7".into()), ("toy".into(), "a/b?c".into())];
        assert_eq!(check(&r).expect("ok").target, "/pets/7/toys/a%2Fb%3Fc.json");
        for bad in ["..", ".", "", "x\ny"] {
            r.path_params = vec![("petId".into(), bad.into()), ("toy".into(), "t".into())];
            assert_eq!(check(&r).expect_err(bad).field, "path", "{bad:?}");
        }
        r.path_params = vec![
            ("petId".into(), "%2e%2e".into()),
            ("toy".into(), "t".into()),
        ];
        assert_eq!(
            check(&r).expect("ok").target,
            "/pets/%252e%252e/toys/t.json"
        );
        r.path_params.pop();
        let e = check(&r).expect_err("missing");
        assert!(e.message.contains("toy"), "{}", e.message);
        // An unclosed brace is text.
        assert_eq!(check(&req("GET", "/a{b")).expect("ok").target, "/a%7Bb");
    }

    #[test]
    fn examples_become_field_values() {
        assert_eq!(field_value("\"rex\""), "rex");
        assert_eq!(field_value("7"), "7");
        assert_eq!(field_value("{\"a\": 1}"), "{\"a\":1}");
        assert_eq!(field_value("not json"), "not json");
    }

    #[test]
    fn methods_queries_headers_and_bodies_are_checked() {
        assert_eq!(check(&req("CONNECT", "/")).expect_err("no").field, "method");
        assert_eq!(check(&req("TRACE", "/")).expect_err("no").field, "method");
        let mut r = req("POST", "/pets");
        r.query = vec![("q".into(), "a&b=c".into()), ("".into(), "skip".into())];
        r.headers = vec![("Content-Type".into(), "application/json".into())];
        r.body = Some("{\"name\":\"Rex\"}".into());
        let c = check(&r).expect("ok");
        assert_eq!(c.target, "/pets?q=a%26b%3Dc");
        assert_eq!(
            c.headers,
            [("content-type".to_string(), "application/json".to_string())]
        );
        for (name, value) in [
            ("Host", "evil"),
            ("X-API-Key", "other"),
            ("Content-Length", "1"),
            ("Bad Name", "x"),
            ("X-A", "a\r\nInjected: 1"),
        ] {
            let mut r = req("GET", "/");
            r.headers = vec![(name.into(), value.into())];
            assert_eq!(check(&r).expect_err(name).field, "headers", "{name}");
        }
        let mut r = req("GET", "/");
        r.headers = (0..=MAX_TRY_HEADERS)
            .map(|i| (format!("x-{i}"), "v".into()))
            .collect();
        assert!(check(&r).is_err());
        r.headers.pop();
        assert!(check(&r).is_ok());
        let mut r = req("POST", "/");
        r.body = Some("x".repeat(MAX_TRY_BODY_BYTES));
        assert!(check(&r).is_ok());
        r.body = Some("x".repeat(MAX_TRY_BODY_BYTES + 1));
        assert_eq!(check(&r).expect_err("big").field, "body");
        let mut r = req("GET", "/");
        r.body = Some("x".into());
        assert_eq!(check(&r).expect_err("get body").field, "body");
    }

    #[test]
    fn curl_quotes_for_the_shell_and_hides_the_key() {
        let mut r = req("POST", "/pets");
        r.headers = vec![("x-note".into(), "it's".into())];
        r.body = Some("{\"a\":\"'\"}".into());
        let c = check(&r).expect("ok");
        let cmd = curl("https://gw/gateway/O/A/1.0/pets", &c, true);
        assert!(
            cmd.starts_with("curl \\\n  -X POST \\\n  'https://gw/gateway/O/A/1.0/pets'"),
            "{cmd}"
        );
        assert!(cmd.contains("-H \"X-API-Key: $API_KEY\""));
        assert!(cmd.contains("-H 'x-note: it'\\''s'"));
        assert!(cmd.contains("--data-raw '{\"a\":\"'\\''\"}'"));
        assert!(!curl("u", &check(&req("GET", "/")).expect("ok"), false).contains("X-API-Key"));
    }

    #[test]
    fn json_bodies_are_pretty_printed() {
        assert_eq!(shown_body(b"{\"a\":1}"), "{\n  \"a\": 1\n}");
        assert_eq!(shown_body(b"plain"), "plain");
        assert_eq!(shown_body(&[0xff, b'a']), "\u{fffd}a");
    }
}
