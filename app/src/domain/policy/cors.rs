//! CORS: lets web pages on other origins call the API from a browser.

use serde::{Deserialize, Serialize};

use super::format::list_summary;
use super::{FieldError, FieldKind, FieldSpec, FormValues, form, form_of};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CorsConfig {
    /// "*" or origins like https://app.example.com.
    pub allow_origin: Vec<String>,
    pub allow_credentials: bool,
    pub expose_headers: Vec<String>,
    pub allow_headers: Vec<String>,
    pub allow_methods: Vec<String>,
    /// Seconds browsers may cache a preflight answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_age: Option<u32>,
    /// Refuse requests from origins not allowed, instead of passing them on without CORS headers.
    pub terminate_on_invalid_request: bool,
}

impl Default for CorsConfig {
    fn default() -> Self {
        Self {
            allow_origin: Vec::new(),
            allow_credentials: false,
            expose_headers: Vec::new(),
            allow_headers: Vec::new(),
            allow_methods: Vec::new(),
            max_age: None,
            terminate_on_invalid_request: true,
        }
    }
}

/// What is wrong with an origin, if anything.
fn origin_problem(origin: &str) -> Option<&'static str> {
    if origin == "*" {
        return None;
    }
    let Some((scheme, rest)) = origin.split_once("://") else {
        return Some("start with http:// or https://");
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return Some("use http:// or https://");
    }
    if rest.contains(['/', '?', '#']) {
        return Some("leave out the path");
    }
    let (host_ok, port) = match rest.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((addr, port)) => (addr.parse::<std::net::Ipv6Addr>().is_ok(), port),
            None => (false, ""),
        },
        None => {
            let (host, port) = rest.find(':').map_or((rest, ""), |i| rest.split_at(i));
            let host_ok = !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
            (host_ok, port)
        }
    };
    if !host_ok {
        return Some("enter a valid host name");
    }
    match port.strip_prefix(':') {
        None if port.is_empty() => None,
        Some(p) if p.parse::<u16>().is_ok_and(|p| p > 0) => None,
        _ => Some("use a port number from 1 to 65535"),
    }
}

fn check_origin(line: usize, origin: &str) -> Result<(), FieldError> {
    match origin_problem(origin) {
        None => Ok(()),
        Some(problem) => Err(FieldError::new(
            "allow_origin",
            format!(
                "Line {line}: {problem} in \"{origin}\"; an origin looks like https://app.example.com, or * for any."
            ),
        )),
    }
}

fn check_headers(field: &str, headers: &[String]) -> Result<(), FieldError> {
    headers
        .iter()
        .try_for_each(|h| form::check_header_name(field, h))
}

impl CorsConfig {
    pub fn validate(&self) -> Result<(), FieldError> {
        if self.allow_origin.is_empty() {
            return Err(FieldError::new(
                "allow_origin",
                "Enter at least one origin, like https://app.example.com, or * for any.",
            ));
        }
        for (i, origin) in self.allow_origin.iter().enumerate() {
            check_origin(i + 1, origin)?;
        }
        if self.allow_credentials && self.any_origin() {
            return Err(FieldError::new(
                "allow_credentials",
                "Browsers refuse credentials from any origin (*): list the allowed origins, or turn credentials off.",
            ));
        }
        if let Some(method) = self.allow_methods.iter().find(|m| !form::is_method(m)) {
            return Err(FieldError::new(
                "allow_methods",
                format!(
                    "\"{method}\" is not an HTTP method; use {}.",
                    form::methods_hint()
                ),
            ));
        }
        check_headers("allow_headers", &self.allow_headers)?;
        check_headers("expose_headers", &self.expose_headers)
    }

    fn any_origin(&self) -> bool {
        self.allow_origin.iter().any(|o| o == "*")
    }

    /// True when browsers on `origin` (as sent in the Origin header) may call the API.
    pub fn origin_allowed(&self, origin: &str) -> bool {
        self.allow_origin
            .iter()
            .any(|o| o == "*" || o.eq_ignore_ascii_case(origin))
    }

    /// "Allows cross-origin calls from https://app.example.com" / "from any origin".
    pub fn summary(&self) -> String {
        let from = if self.any_origin() {
            "any origin".to_string()
        } else {
            list_summary(&self.allow_origin)
        };
        let credentials = if self.allow_credentials {
            ", with credentials"
        } else {
            ""
        };
        format!("Allows cross-origin calls from {from}{credentials}")
    }
}

pub(super) fn fields() -> Vec<FieldSpec> {
    vec![
        FieldSpec {
            name: "allow_origin",
            label: "Allowed origins",
            kind: FieldKind::Lines,
            help: "One origin per line, like https://app.example.com, or * for any origin.",
        },
        FieldSpec {
            name: "allow_methods",
            label: "Allowed methods",
            kind: FieldKind::Text,
            help: "HTTP methods separated by commas, like GET, POST, PUT.",
        },
        FieldSpec {
            name: "allow_headers",
            label: "Allowed request headers",
            kind: FieldKind::Text,
            help: "Request headers pages may send, separated by commas, like Content-Type, Authorization.",
        },
        FieldSpec {
            name: "expose_headers",
            label: "Exposed response headers",
            kind: FieldKind::Text,
            help: "Response headers pages may read, separated by commas, like X-Request-Id.",
        },
        FieldSpec {
            name: "allow_credentials",
            label: "Allow credentials",
            kind: FieldKind::Checkbox,
            help: "Let browsers send cookies and HTTP authentication; needs listed origins, not *.",
        },
        FieldSpec {
            name: "max_age",
            label: "Preflight cache (seconds)",
            kind: FieldKind::Number,
            help: "Optional: how long browsers may cache the answer to a preflight request.",
        },
        FieldSpec {
            name: "terminate_on_invalid_request",
            label: "Refuse other origins",
            kind: FieldKind::Checkbox,
            help: "Answer requests from origins not allowed with an error instead of passing them to the API.",
        },
    ]
}

pub(super) fn default_form() -> FormValues {
    to_form(&CorsConfig {
        allow_methods: ["GET", "POST", "PUT", "PATCH", "DELETE"]
            .map(String::from)
            .to_vec(),
        ..CorsConfig::default()
    })
}

pub(super) fn parse_form(form: &FormValues) -> Result<CorsConfig, FieldError> {
    let mut allow_origin = Vec::new();
    for (line, origin) in form::lines(form, "allow_origin") {
        check_origin(line, origin)?;
        allow_origin.push(origin.to_string());
    }
    let max_age = match form::text(form, "max_age") {
        "" => None,
        text => Some(text.parse::<u32>().map_err(|_| {
            FieldError::new(
                "max_age",
                "Enter a number of seconds, like 3600, or leave it empty.",
            )
        })?),
    };
    Ok(CorsConfig {
        allow_origin,
        allow_credentials: form::checkbox(form, "allow_credentials"),
        expose_headers: form::words(form, "expose_headers"),
        allow_headers: form::words(form, "allow_headers"),
        allow_methods: form::words(form, "allow_methods")
            .into_iter()
            .map(|m| m.to_ascii_uppercase())
            .collect(),
        max_age,
        terminate_on_invalid_request: form::checkbox(form, "terminate_on_invalid_request"),
    })
}

pub(super) fn to_form(c: &CorsConfig) -> FormValues {
    form_of([
        ("allow_origin", c.allow_origin.join("\n")),
        ("allow_methods", c.allow_methods.join(", ")),
        ("allow_headers", c.allow_headers.join(", ")),
        ("expose_headers", c.expose_headers.join(", ")),
        ("allow_credentials", form::bool_text(c.allow_credentials)),
        (
            "max_age",
            c.max_age.map(|s| s.to_string()).unwrap_or_default(),
        ),
        (
            "terminate_on_invalid_request",
            form::bool_text(c.terminate_on_invalid_request),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::super::tests::{error, json_error, valid};
    use super::*;
    use crate::domain::policy::PolicyConfig;
    use crate::domain::policy::PolicyType::Cors;

    #[test]
    fn summaries() {
        for (form, summary) in [
            (
                [("allow_origin", "https://app.example.com")].as_slice(),
                "Allows cross-origin calls from https://app.example.com",
            ),
            (
                &[("allow_origin", "*"), ("max_age", "600")],
                "Allows cross-origin calls from any origin",
            ),
            (
                &[
                    (
                        "allow_origin",
                        "https://a.example\nhttp://localhost:8080\nhttp://[::1]:3000\nhttps://d.example",
                    ),
                    ("allow_credentials", "true"),
                    ("allow_methods", "get,post"),
                    ("allow_headers", "Content-Type Authorization"),
                    ("expose_headers", "X-Request-Id"),
                    ("terminate_on_invalid_request", "false"),
                ],
                "Allows cross-origin calls from https://a.example, http://localhost:8080, http://[::1]:3000 and 1 more, with credentials",
            ),
        ] {
            assert_eq!(valid(Cors, form).summary(), summary);
        }
    }

    #[test]
    fn invalid() {
        let origin = |o| [("allow_origin", o)];
        for (form, field, message) in [
            (origin("").as_slice(), "allow_origin", "at least one origin"),
            (
                &origin("app.example.com"),
                "allow_origin",
                "Line 1: start with http:// or https://",
            ),
            (
                &origin("ftp://app.example.com"),
                "allow_origin",
                "use http:// or https://",
            ),
            (
                &origin("https://ok.example\nhttps://app.example.com/"),
                "allow_origin",
                "Line 2: leave out the path",
            ),
            (
                &origin("https://app example"),
                "allow_origin",
                "valid host name",
            ),
            (
                &origin("https://app.example.com:99999"),
                "allow_origin",
                "port number",
            ),
            (
                &[("allow_origin", "*"), ("allow_credentials", "true")],
                "allow_credentials",
                "Browsers refuse credentials",
            ),
            (
                &[("allow_origin", "*"), ("allow_methods", "GET, FETCH")],
                "allow_methods",
                "\"FETCH\" is not an HTTP method",
            ),
            (
                &[("allow_origin", "*"), ("allow_headers", "X:Y")],
                "allow_headers",
                "not a header name",
            ),
            (
                &[("allow_origin", "*"), ("expose_headers", "X:Y")],
                "expose_headers",
                "not a header name",
            ),
            (
                &[("allow_origin", "*"), ("max_age", "-1")],
                "max_age",
                "number of seconds",
            ),
        ] {
            let e = error(Cors, form);
            assert_eq!(e.field, field, "{form:?}");
            assert!(e.message.contains(message), "{form:?}: {}", e.message);
        }
        for (json, field) in [
            (
                r#"{"allowOrigin":["*"],"allowCredentials":true}"#,
                "allow_credentials",
            ),
            (r#"{"allowOrigin":["*"],"maxAge":"soon"}"#, "max_age"),
            (
                r#"{"allowOrigin":["*"],"terminateOnInvalidRequest":"yes"}"#,
                "terminate_on_invalid_request",
            ),
        ] {
            assert_eq!(json_error(Cors, json).field, field, "{json}");
        }
        let apiman = r#"{"allowOrigin":["https://a.example"],"allowCredentials":false,"exposeHeaders":[],"allowHeaders":[],"allowMethods":["GET"],"maxAge":60,"terminateOnInvalidRequest":true}"#;
        assert_eq!(
            PolicyConfig::from_json(Cors, apiman).map(|c| c.to_json()),
            Ok(apiman.to_string())
        );
    }

    #[test]
    fn origins() {
        let c = CorsConfig {
            allow_origin: vec!["https://app.example.com".into()],
            ..CorsConfig::default()
        };
        assert!(c.origin_allowed("https://app.example.com"));
        assert!(c.origin_allowed("https://APP.example.com"));
        assert!(!c.origin_allowed("http://app.example.com"));
        assert!(!c.origin_allowed("https://evil.example"));
        let any = CorsConfig {
            allow_origin: vec!["*".into()],
            ..CorsConfig::default()
        };
        assert!(any.origin_allowed("https://evil.example"));
    }
}
