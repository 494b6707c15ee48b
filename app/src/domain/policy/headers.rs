//! Simple Header: adds headers to, or strips headers from, requests and/or responses.

use serde::{Deserialize, Serialize};

use super::format::list_summary;
use super::{FieldError, FieldKind, FieldSpec, FormValues, form, form_of};

/// Which messages a header rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum ApplyTo {
    #[default]
    Request,
    Response,
    Both,
}

impl ApplyTo {
    pub const ALL: [ApplyTo; 3] = [Self::Request, Self::Response, Self::Both];

    /// The JSON and form value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Request => "Request",
            Self::Response => "Response",
            Self::Both => "Both",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Request => "Requests",
            Self::Response => "Responses",
            Self::Both => "Requests and responses",
        }
    }

    pub fn applies(self, on_response: bool) -> bool {
        match self {
            Self::Request => !on_response,
            Self::Response => on_response,
            Self::Both => true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SimpleHeaderConfig {
    pub add_headers: Vec<AddHeader>,
    pub strip_headers: Vec<StripHeader>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AddHeader {
    pub header_name: String,
    pub header_value: String,
    pub apply_to: ApplyTo,
    /// Replace a header of that name already present; otherwise add alongside it.
    pub overwrite: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StripHeader {
    /// Always "Key": headers are stripped by name.
    pub strip_type: String,
    pub with: StripWith,
    pub pattern: String,
    pub apply_to: ApplyTo,
}

/// How a header to strip is named; stored as "String" or "Regex".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StripWith {
    /// The exact name, any case.
    String,
    /// A regular expression matched against the whole name, any case.
    Regex,
}

impl Default for StripHeader {
    fn default() -> Self {
        Self {
            strip_type: "Key".to_string(),
            with: StripWith::String,
            pattern: String::new(),
            apply_to: ApplyTo::Request,
        }
    }
}

fn check_add(line: usize, add: &AddHeader) -> Result<(), FieldError> {
    form::check_header_name("add_headers", &add.header_name)
        .map_err(|e| FieldError::new("add_headers", format!("Line {line}: {}", e.message)))?;
    if add.header_value.chars().any(char::is_control) {
        return Err(FieldError::new(
            "add_headers",
            format!("Line {line}: a header value cannot hold control characters."),
        ));
    }
    Ok(())
}

fn check_strip(line: usize, strip: &StripHeader) -> Result<(), FieldError> {
    let field = "strip_headers";
    if strip.strip_type != "Key" {
        return Err(FieldError::new(
            field,
            format!("Line {line}: headers can only be stripped by name (strip type Key)."),
        ));
    }
    match strip.with {
        StripWith::String => form::check_header_name(field, &strip.pattern)
            .map_err(|e| FieldError::new(field, format!("Line {line}: {}", e.message))),
        StripWith::Regex => form::check_regex(field, line, &strip.pattern),
    }
}

impl StripHeader {
    /// The form line: a name, or a regular expression between slashes.
    fn line(&self) -> String {
        if self.with == StripWith::Regex {
            format!("/{}/", self.pattern)
        } else {
            self.pattern.clone()
        }
    }
}

impl SimpleHeaderConfig {
    pub fn validate(&self) -> Result<(), FieldError> {
        if self.add_headers.is_empty() && self.strip_headers.is_empty() {
            return Err(FieldError::new(
                "add_headers",
                "Add or strip at least one header.",
            ));
        }
        for (i, add) in self.add_headers.iter().enumerate() {
            check_add(i + 1, add)?;
        }
        for (i, strip) in self.strip_headers.iter().enumerate() {
            check_strip(i + 1, strip)?;
        }
        Ok(())
    }

    /// "Adds X-Foo to requests; strips /X-Internal-.*/ from responses".
    pub fn summary(&self) -> String {
        let adds: Vec<_> = self
            .add_headers
            .iter()
            .map(|a| (a.apply_to, a.header_name.clone()))
            .collect();
        let strips: Vec<_> = self
            .strip_headers
            .iter()
            .map(|s| (s.apply_to, s.line()))
            .collect();
        let mut parts = Vec::new();
        if !adds.is_empty() {
            parts.push(format!("Adds {}", grouped(&adds, "to")));
        }
        if !strips.is_empty() {
            let verb = if parts.is_empty() { "Strips" } else { "strips" };
            parts.push(format!("{verb} {}", grouped(&strips, "from")));
        }
        parts.join("; ")
    }
}

/// "X-A, X-B to requests, X-C to responses": names grouped by what they apply to.
fn grouped(entries: &[(ApplyTo, String)], preposition: &str) -> String {
    let groups: Vec<String> = ApplyTo::ALL
        .into_iter()
        .filter_map(|apply_to| {
            let names: Vec<&str> = entries
                .iter()
                .filter(|(a, _)| *a == apply_to)
                .map(|(_, name)| name.as_str())
                .collect();
            (!names.is_empty()).then(|| {
                format!(
                    "{} {preposition} {}",
                    list_summary(&names),
                    apply_to.label().to_lowercase()
                )
            })
        })
        .collect();
    groups.join(", ")
}

pub(super) fn fields() -> Vec<FieldSpec> {
    let apply_to = form::select(&ApplyTo::ALL, ApplyTo::as_str, ApplyTo::label);
    vec![
        FieldSpec {
            name: "add_headers",
            label: "Headers to add",
            kind: FieldKind::Lines,
            help: "One header per line as Name: value, like \"X-Served-By: gatehouse\".",
        },
        FieldSpec {
            name: "add_apply_to",
            label: "Add to",
            kind: apply_to.clone(),
            help: "Whether the headers are added to requests, responses or both.",
        },
        FieldSpec {
            name: "overwrite",
            label: "Replace existing headers",
            kind: FieldKind::Checkbox,
            help: "Replace a header of the same name that is already there, instead of adding another.",
        },
        FieldSpec {
            name: "strip_headers",
            label: "Headers to strip",
            kind: FieldKind::Lines,
            help: "One per line: a header name, or a regular expression between slashes like /^X-Internal-.*/ (any case).",
        },
        FieldSpec {
            name: "strip_apply_to",
            label: "Strip from",
            kind: apply_to,
            help: "Whether the headers are stripped from requests, responses or both.",
        },
    ]
}

pub(super) fn default_form() -> FormValues {
    to_form(&SimpleHeaderConfig::default())
}

pub(super) fn parse_form(form: &FormValues) -> Result<SimpleHeaderConfig, FieldError> {
    let choose = |name| form::choice(form, name, &ApplyTo::ALL, ApplyTo::as_str, ApplyTo::Request);
    let (add_to, strip_from) = (choose("add_apply_to")?, choose("strip_apply_to")?);
    let overwrite = form::checkbox(form, "overwrite");
    let mut add_headers = Vec::new();
    for (line, text) in form::lines(form, "add_headers") {
        let Some((name, value)) = text.split_once(':') else {
            return Err(FieldError::new(
                "add_headers",
                format!("Line {line}: write a header as Name: value, like X-Served-By: gatehouse."),
            ));
        };
        let add = AddHeader {
            header_name: name.trim().to_string(),
            header_value: value.trim().to_string(),
            apply_to: add_to,
            overwrite,
        };
        check_add(line, &add)?;
        add_headers.push(add);
    }
    let mut strip_headers = Vec::new();
    for (line, text) in form::lines(form, "strip_headers") {
        let regex = text
            .strip_prefix('/')
            .and_then(|t| t.strip_suffix('/'))
            .filter(|_| text.len() >= 2);
        let strip = StripHeader {
            with: if regex.is_some() {
                StripWith::Regex
            } else {
                StripWith::String
            },
            pattern: regex.unwrap_or(text).to_string(),
            apply_to: strip_from,
            ..StripHeader::default()
        };
        check_strip(line, &strip)?;
        strip_headers.push(strip);
    }
    Ok(SimpleHeaderConfig {
        add_headers,
        strip_headers,
    })
}

pub(super) fn to_form(c: &SimpleHeaderConfig) -> FormValues {
    let adds: Vec<String> = c
        .add_headers
        .iter()
        .map(|a| format!("{}: {}", a.header_name, a.header_value))
        .collect();
    let strips: Vec<String> = c.strip_headers.iter().map(StripHeader::line).collect();
    let first_add = c.add_headers.first();
    let add_to = first_add.map_or(ApplyTo::Request, |a| a.apply_to);
    let overwrite = first_add.is_some_and(|a| a.overwrite);
    let strip_from = c
        .strip_headers
        .first()
        .map_or(ApplyTo::Request, |s| s.apply_to);
    form_of([
        ("add_headers", adds.join("\n")),
        ("add_apply_to", add_to.as_str().to_string()),
        ("overwrite", form::bool_text(overwrite)),
        ("strip_headers", strips.join("\n")),
        ("strip_apply_to", strip_from.as_str().to_string()),
    ])
}

#[cfg(test)]
mod tests {
    use super::super::tests::{error, json_error, valid};
    use super::StripWith;
    use crate::domain::policy::PolicyType::SimpleHeader;
    use crate::domain::policy::{Matcher, PolicyConfig};

    #[test]
    fn summaries() {
        for (form, summary) in [
            (
                [
                    ("add_headers", "X-Foo: bar"),
                    ("strip_headers", "/X-Internal-.*/"),
                    ("strip_apply_to", "Response"),
                ]
                .as_slice(),
                "Adds X-Foo to requests; strips /X-Internal-.*/ from responses",
            ),
            (
                &[
                    ("strip_headers", "Server\nX-Powered-By"),
                    ("strip_apply_to", "Both"),
                ],
                "Strips Server, X-Powered-By from requests and responses",
            ),
            (
                &[
                    ("add_headers", "X-A: 1\nX-B:\n"),
                    ("add_apply_to", "Response"),
                    ("overwrite", "true"),
                ],
                "Adds X-A, X-B to responses",
            ),
        ] {
            assert_eq!(valid(SimpleHeader, form).summary(), summary);
        }
    }

    #[test]
    fn invalid() {
        let check = |form: &[(&str, &str)], field: &str, message: &str| {
            let e = error(SimpleHeader, form);
            assert!(e.field == field && e.message.contains(message), "{e:?}");
        };
        check(
            &[("add_headers", "")],
            "add_headers",
            "Add or strip at least one",
        );
        check(
            &[("add_headers", "X-Foo bar")],
            "add_headers",
            "Line 1: write a header as",
        );
        check(
            &[("add_headers", "X: 1\nX Y: 2")],
            "add_headers",
            "Line 2: \"X Y\" is not a",
        );
        check(
            &[("strip_headers", "X Y")],
            "strip_headers",
            "Line 1: \"X Y\" is not a header",
        );
        check(
            &[("strip_headers", "/X(/")],
            "strip_headers",
            "\"X(\" is not a valid regular",
        );
        let sometimes = [("strip_headers", "Server"), ("strip_apply_to", "Sometimes")];
        check(
            &sometimes,
            "strip_apply_to",
            "Choose one of Request, Response, Both.",
        );
        for (json, field) in [
            (
                r#"{"stripHeaders":[{"stripType":"Value","pattern":"X"}]}"#,
                "strip_headers",
            ),
            (
                r#"{"stripHeaders":[{"with":"Glob","pattern":"X"}]}"#,
                "strip_headers",
            ),
            (
                r#"{"addHeaders":[{"headerName":"X","applyTo":"Sideways"}]}"#,
                "add_headers",
            ),
        ] {
            assert_eq!(json_error(SimpleHeader, json).field, field, "{json}");
        }
    }

    /// Stored strip rules ("with": "String" or "Regex") read back and are written back as stored.
    #[test]
    fn stored_strip_rules_round_trip() {
        let stored = r#"{"addHeaders":[],"stripHeaders":[{"stripType":"Key","with":"String","pattern":"Server","applyTo":"Response"},{"stripType":"Key","with":"Regex","pattern":"^X-.*","applyTo":"Both"}]}"#;
        let Ok(PolicyConfig::SimpleHeader(c)) = PolicyConfig::from_json(SimpleHeader, stored)
        else {
            panic!("stored rules read back")
        };
        let with: Vec<StripWith> = c.strip_headers.iter().map(|s| s.with).collect();
        assert_eq!(with, [StripWith::String, StripWith::Regex]);
        assert_eq!(PolicyConfig::SimpleHeader(c).to_json(), stored);
    }

    #[test]
    fn stripping() {
        let c = valid(
            SimpleHeader,
            &[
                ("strip_headers", "Server\n/^X-Internal-.*/"),
                ("strip_apply_to", "Response"),
            ],
        );
        let Ok(Matcher::Headers(m)) = c.compile() else {
            panic!("{c:?}")
        };
        for (name, on_response, expected) in [
            ("server", true, true),
            ("Server", false, false),
            ("x-internal-id", true, true),
            ("X-Public", true, false),
        ] {
            assert_eq!(m.strips(name, on_response), expected, "{name}");
        }
    }
}
