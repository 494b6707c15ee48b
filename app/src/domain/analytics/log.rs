//! The Log Analyzer's search: filters checked once, a cursor for paging newest first, and the
//! rows it shows (keys only ever as the log line shortens them).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::report::StatusClass;
use crate::domain::FieldError;

/// Rows per Log Analyzer page.
pub const PAGE_ROWS: i64 = 50;
/// The longest "path contains" text.
pub const MAX_PATH_FILTER: usize = 200;
/// The longest path the log keeps (bytes; cut at a character boundary).
pub const MAX_LOGGED_PATH: usize = 1024;

/// A status filter: one code, or a class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StatusFilter {
    Code(u16),
    Class(StatusClass),
}

impl StatusFilter {
    /// "404", "4xx", or empty for none.
    pub fn parse(s: &str) -> Result<Option<Self>, FieldError> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        if let Some(class) = StatusClass::parse(&s.to_ascii_lowercase()) {
            return Ok(Some(StatusFilter::Class(class)));
        }
        match s.parse::<u16>() {
            Ok(code) if (100..=599).contains(&code) => Ok(Some(StatusFilter::Code(code))),
            _ => Err(FieldError::new(
                "status",
                "Enter a status code (100–599) or a class: 2xx, 3xx, 4xx, 5xx.",
            )),
        }
    }

    /// Inclusive range of codes it matches.
    pub fn codes(self) -> (u16, u16) {
        match self {
            StatusFilter::Code(c) => (c, c),
            StatusFilter::Class(class) => class.codes(),
        }
    }
}

/// Methods the gateway records under their own name; anything else is logged as "OTHER".
pub const METHODS: [&str; 9] = [
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT",
];

/// The method as logged and filtered.
pub fn method_name(method: &str) -> &'static str {
    METHODS
        .into_iter()
        .find(|m| *m == method)
        .unwrap_or("OTHER")
}

/// Where the previous page ended: newest first by time, then id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub at: DateTime<Utc>,
    pub id: i64,
}

/// A checked search. Time bounds come from a `window::Range`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LogFilter {
    /// A client version id (from the filter's list of clients seen).
    pub client: Option<i64>,
    pub plan: Option<i64>,
    pub status: Option<StatusFilter>,
    pub method: Option<&'static str>,
    pub path_contains: Option<String>,
    pub failure: Option<String>,
}

/// The filter form's raw text, as the browser sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogQuery {
    pub client: Option<i64>,
    pub plan: Option<i64>,
    pub status: String,
    pub method: String,
    pub path_contains: String,
    pub failure: String,
}

impl LogQuery {
    pub fn check(&self) -> Result<LogFilter, FieldError> {
        let method = match self.method.trim() {
            "" => None,
            m => {
                let upper = m.to_ascii_uppercase();
                match METHODS.into_iter().chain(["OTHER"]).find(|k| *k == upper) {
                    Some(k) => Some(k),
                    None => return Err(FieldError::new("method", "Pick a method from the list.")),
                }
            }
        };
        let path = self.path_contains.trim();
        if path.chars().count() > MAX_PATH_FILTER {
            return Err(FieldError::new(
                "path_contains",
                format!("At most {MAX_PATH_FILTER} characters."),
            ));
        }
        if path.chars().any(char::is_control) {
            return Err(FieldError::new(
                "path_contains",
                "The path text cannot hold control characters.",
            ));
        }
        let failure = self.failure.trim();
        let failure_ok = failure.len() <= 64
            && failure
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !failure_ok {
            return Err(FieldError::new(
                "failure",
                "A failure code is a number (10005) or an error name (InvalidApiKey).",
            ));
        }
        Ok(LogFilter {
            client: self.client,
            plan: self.plan,
            status: StatusFilter::parse(&self.status)?,
            method,
            path_contains: (!path.is_empty()).then(|| path.to_string()),
            failure: (!failure.is_empty()).then(|| failure.to_string()),
        })
    }
}

/// One logged request, as the Log Analyzer shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// "org/api/version"
    pub api: String,
    /// "org/client/version", none for public APIs or unknown keys.
    pub client: Option<String>,
    /// "plan version"
    pub plan: Option<String>,
    pub method: String,
    pub path: String,
    pub status: u16,
    pub latency_ms: f64,
    pub bytes_in: i64,
    pub bytes_out: i64,
    pub client_ip: Option<String>,
    /// The key's first four characters and an ellipsis.
    pub key_hint: Option<String>,
    pub failure: Option<String>,
}

/// One page of the log and where the next one starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogPage {
    pub rows: Vec<LogRow>,
    pub next: Option<Cursor>,
}

/// Cuts a path to `MAX_LOGGED_PATH` bytes at a character boundary.
pub fn logged_path(path: &str) -> &str {
    if path.len() <= MAX_LOGGED_PATH {
        return path;
    }
    let mut end = MAX_LOGGED_PATH;
    while !path.is_char_boundary(end) {
        end -= 1;
    }
    &path[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_filters_take_codes_and_classes_and_refuse_the_rest() {
        assert_eq!(StatusFilter::parse(" "), Ok(None));
        assert_eq!(
            StatusFilter::parse("404"),
            Ok(Some(StatusFilter::Code(404)))
        );
        assert_eq!(
            StatusFilter::parse("5XX"),
            Ok(Some(StatusFilter::Class(StatusClass::ServerError)))
        );
        for bad in ["99", "600", "4x", "-1", "200 OR 1=1", "६००"] {
            assert_eq!(
                StatusFilter::parse(bad).unwrap_err().field,
                "status",
                "{bad}"
            );
        }
        assert_eq!(StatusFilter::Code(429).codes(), (429, 429));
        assert_eq!(
            StatusFilter::Class(StatusClass::ClientError).codes(),
            (400, 499)
        );
    }

    #[test]
    fn queries_are_checked_field_by_field() {
        let ok = LogQuery {
            method: "get".into(),
            path_contains: " /users ".into(),
            failure: "10005".into(),
            ..Default::default()
        }
        .check()
        .unwrap();
        assert_eq!(ok.method, Some("GET"));
        assert_eq!(ok.path_contains.as_deref(), Some("/users"));
        assert_eq!(ok.failure.as_deref(), Some("10005"));
        let field = |q: LogQuery| q.check().unwrap_err().field;
        let q = |f: fn(&mut LogQuery)| {
            let mut q = LogQuery::default();
            f(&mut q);
            q
        };
        assert_eq!(field(q(|q| q.method = "BREW".into())), "method");
        assert_eq!(
            field(q(|q| q.path_contains = "a".repeat(201))),
            "path_contains"
        );
        assert_eq!(
            field(q(|q| q.path_contains = "/a\u{0}b".into())),
            "path_contains"
        );
        assert_eq!(field(q(|q| q.failure = "x' OR '1".into())), "failure");
        assert_eq!(field(q(|q| q.failure = "A".repeat(65))), "failure");
        assert!(q(|q| q.path_contains = "é".repeat(200)).check().is_ok());
    }

    #[test]
    fn long_paths_are_cut_at_a_character_boundary() {
        let p = "é".repeat(600);
        let cut = logged_path(&p);
        assert!(cut.len() <= MAX_LOGGED_PATH && cut.len() >= MAX_LOGGED_PATH - 1);
        assert_eq!(logged_path("/a"), "/a");
        assert_eq!(method_name("GET"), "GET");
        assert_eq!(method_name("BREW"), "OTHER");
    }
}
