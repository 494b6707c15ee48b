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
/// Calls one user may have waiting for the gateway at once: each holds a connection and up to
/// `MAX_TRY_RESPONSE_BYTES` on the portal server for up to `TRY_TIMEOUT_SECS`.
pub const MAX_TRY_IN_FLIGHT: usize = 4;

/// Headers the relay sets itself, that would change how the request travels, or that name a
/// caller (a gateway that trusts the portal server as a proxy would believe them: per-IP rate
/// limits, the logged address, HTTPS-only APIs).
const RESERVED_HEADERS: [&str; 18] = [
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
    "forwarded",
    "via",
    "x-real-ip",
    "x-client-ip",
    "true-client-ip",
    "cf-connecting-ip",
];

/// Any header starting with these is refused too (`x-forwarded-for`, `-proto`, `-host`...).
const RESERVED_PREFIXES: [&str; 2] = ["x-forwarded-", "proxy-"];

/// The longest header name.
pub const MAX_TRY_HEADER_NAME_BYTES: usize = 256;

/// The most a pretty-printed body may grow to before the raw text is shown instead (deeply
/// nested JSON grows many times over when indented).
const MAX_PRETTY_BYTES: usize = 2 * MAX_TRY_RESPONSE_BYTES;

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
            if name.len() > MAX_TRY_HEADER_NAME_BYTES {
                return Err(refuse(
                    "headers",
                    format!("A header name is longer than {MAX_TRY_HEADER_NAME_BYTES} bytes."),
                ));
            }
            if RESERVED_HEADERS.contains(&name.as_str())
                || RESERVED_PREFIXES.iter().any(|p| name.starts_with(p))
            {
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
            if !value.is_ascii() {
                return Err(refuse(
                    "headers",
                    format!("The value of {name} may hold ASCII characters only."),
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
    match c.method {
        "GET" => {}
        // `-X HEAD` would wait for a body that never comes.
        "HEAD" => parts.push("--head".to_string()),
        m => parts.push(format!("-X {m}")),
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

/// A writer that refuses to grow past its limit.
struct Capped(Vec<u8>);

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.0.len() + buf.len() > MAX_PRETTY_BYTES {
            return Err(std::io::Error::other("too large to pretty-print"));
        }
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The answer's body as shown: pretty JSON when it parses and stays within
/// `MAX_PRETTY_BYTES` once indented, else the text (lossy UTF-8).
pub fn shown_body(bytes: &[u8]) -> String {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(bytes) {
        let mut out = Capped(Vec::new());
        if serde_json::to_writer_pretty(&mut out, &v).is_ok()
            && let Ok(text) = String::from_utf8(out.0)
        {
            return text;
        }
    }
    String::from_utf8_lossy(bytes).into_owned()
}

/// Whether Try it can send this method (the reference also lists TRACE operations).
pub fn can_send(method: &str) -> bool {
    METHODS.iter().any(|m| m.eq_ignore_ascii_case(method))
}

#[cfg(test)]
#[path = "try_it_tests.rs"]
mod tests;
