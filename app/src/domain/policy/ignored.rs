//! Ignored Resources: requests whose method and path match a rule are answered 404 by the
//! gateway and never reach the API.

use serde::{Deserialize, Serialize};

use super::format::list_summary;
use super::{FieldError, FieldKind, FieldSpec, FormValues, form, form_of};

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IgnoredResourcesConfig {
    pub rules: Vec<IgnoredRule>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IgnoredRule {
    pub verb: Verb,
    /// A regular expression that must match the whole request path.
    pub path_pattern: String,
}

impl Default for IgnoredRule {
    fn default() -> Self {
        Self {
            verb: Verb::Any,
            path_pattern: String::new(),
        }
    }
}

/// The method a rule applies to: "*" (any) or one of `form::HTTP_METHODS`, in any case as
/// written (apiman's JSON and older stored rules), upper case when written back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum Verb {
    Any,
    Get,
    Post,
    Put,
    Patch,
    Delete,
    Head,
    Options,
}

impl Verb {
    const METHODS: [Verb; 7] = [
        Verb::Get,
        Verb::Post,
        Verb::Put,
        Verb::Patch,
        Verb::Delete,
        Verb::Head,
        Verb::Options,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Any => "*",
            Verb::Get => "GET",
            Verb::Post => "POST",
            Verb::Put => "PUT",
            Verb::Patch => "PATCH",
            Verb::Delete => "DELETE",
            Verb::Head => "HEAD",
            Verb::Options => "OPTIONS",
        }
    }

    /// The method to match, None for any.
    pub fn method(self) -> Option<http::Method> {
        Some(match self {
            Verb::Any => return None,
            Verb::Get => http::Method::GET,
            Verb::Post => http::Method::POST,
            Verb::Put => http::Method::PUT,
            Verb::Patch => http::Method::PATCH,
            Verb::Delete => http::Method::DELETE,
            Verb::Head => http::Method::HEAD,
            Verb::Options => http::Method::OPTIONS,
        })
    }
}

impl TryFrom<String> for Verb {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        if text == "*" {
            return Ok(Verb::Any);
        }
        Verb::METHODS
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(&text))
            .ok_or_else(|| {
                format!(
                    "start with * or an HTTP method ({}), not \"{text}\".",
                    form::methods_hint()
                )
            })
    }
}

impl From<Verb> for &'static str {
    fn from(v: Verb) -> Self {
        v.as_str()
    }
}

fn rules_error(line: usize, problem: impl std::fmt::Display) -> FieldError {
    FieldError::new("rules", format!("Line {line}: {problem}"))
}

fn check_rule(line: usize, rule: &IgnoredRule) -> Result<(), FieldError> {
    if rule.path_pattern.is_empty() {
        return Err(rules_error(
            line,
            "add a path pattern after the method, like GET /admin/.*",
        ));
    }
    form::check_regex("rules", line, &rule.path_pattern)
}

impl IgnoredRule {
    /// "GET /admin/.*", or just the pattern for any method.
    fn describe(&self) -> String {
        match self.verb {
            Verb::Any => self.path_pattern.clone(),
            verb => format!("{} {}", verb.as_str(), self.path_pattern),
        }
    }
}

impl IgnoredResourcesConfig {
    pub fn validate(&self) -> Result<(), FieldError> {
        if self.rules.is_empty() {
            return Err(FieldError::new(
                "rules",
                "Enter at least one rule, like GET /admin/.*",
            ));
        }
        for (i, rule) in self.rules.iter().enumerate() {
            check_rule(i + 1, rule)?;
        }
        Ok(())
    }

    /// "Ignores GET /admin/.*, /internal/.*".
    pub fn summary(&self) -> String {
        let rules: Vec<String> = self.rules.iter().map(IgnoredRule::describe).collect();
        format!("Ignores {}", list_summary(&rules))
    }
}

pub(super) fn fields() -> Vec<FieldSpec> {
    vec![FieldSpec {
        name: "rules",
        label: "Ignored paths",
        kind: FieldKind::Lines,
        help: "One rule per line: a method (or * for any) and a regular expression matched against the whole path, like \"GET /admin/.*\" or \"* /internal/.*\". A line with only a pattern applies to any method.",
    }]
}

pub(super) fn default_form() -> FormValues {
    to_form(&IgnoredResourcesConfig::default())
}

fn parse_line(line: usize, text: &str) -> Result<IgnoredRule, FieldError> {
    let verb = |text: &str| Verb::try_from(text.to_string()).map_err(|e| rules_error(line, e));
    let rule = match text.split_once(char::is_whitespace) {
        Some((method, pattern)) => IgnoredRule {
            verb: verb(method)?,
            path_pattern: pattern.trim().to_string(),
        },
        None => match Verb::try_from(text.to_string()) {
            Ok(verb) => IgnoredRule {
                verb,
                path_pattern: String::new(),
            },
            Err(_) => IgnoredRule {
                verb: Verb::Any,
                path_pattern: text.to_string(),
            },
        },
    };
    check_rule(line, &rule)?;
    Ok(rule)
}

pub(super) fn parse_form(form: &FormValues) -> Result<IgnoredResourcesConfig, FieldError> {
    let rules = form::lines(form, "rules")
        .into_iter()
        .map(|(line, text)| parse_line(line, text))
        .collect::<Result<_, _>>()?;
    Ok(IgnoredResourcesConfig { rules })
}

pub(super) fn to_form(c: &IgnoredResourcesConfig) -> FormValues {
    let lines: Vec<String> = c
        .rules
        .iter()
        .map(|r| format!("{} {}", r.verb.as_str(), r.path_pattern))
        .collect();
    form_of([("rules", lines.join("\n"))])
}

#[cfg(test)]
mod tests {
    use super::super::tests::{error, json_error, valid};
    use super::*;
    use crate::domain::policy::PolicyType::IgnoredResources;
    use crate::domain::policy::{Matcher, PolicyConfig};

    #[test]
    fn summaries() {
        for (rules, summary) in [
            ("get /admin/.*", "Ignores GET /admin/.*"),
            ("/internal/.*\n* /debug", "Ignores /internal/.*, /debug"),
            (
                "GET /a\nPOST /b\nDELETE /c\nPUT /d",
                "Ignores GET /a, POST /b, DELETE /c and 1 more",
            ),
        ] {
            assert_eq!(
                valid(IgnoredResources, &[("rules", rules)]).summary(),
                summary
            );
        }
    }

    #[test]
    fn invalid() {
        for (rules, message) in [
            ("", "at least one rule"),
            (
                "GET /ok\nFETCH /admin",
                "Line 2: start with * or an HTTP method",
            ),
            ("GET", "Line 1: add a path pattern"),
            (
                "GET /admin/(.*",
                "Line 1: \"/admin/(.*\" is not a valid regular expression",
            ),
        ] {
            let e = error(IgnoredResources, &[("rules", rules)]);
            assert!(e.message.contains(message), "{rules}: {}", e.message);
        }
        for json in [
            r#"{"rules":[]}"#,
            r#"{"rules":[{"verb":"GET"}]}"#,
            r#"{"rules":[{"verb":"GET","pathPattern":"["}]}"#,
            r#"{"rules":{"verb":"GET"}}"#,
        ] {
            assert_eq!(json_error(IgnoredResources, json).field, "rules", "{json}");
        }
    }

    /// Stored rules (methods in any case, "*" for any) read back as the same rules, and are
    /// written back in the stored spelling.
    #[test]
    fn stored_verbs_round_trip() {
        let stored = r#"{"rules":[{"verb":"GET","pathPattern":"/a"},{"verb":"*","pathPattern":"/b"},{"verb":"delete","pathPattern":"/c"}]}"#;
        let Ok(PolicyConfig::IgnoredResources(c)) =
            PolicyConfig::from_json(IgnoredResources, stored)
        else {
            panic!("stored rules read back")
        };
        let verbs: Vec<Verb> = c.rules.iter().map(|r| r.verb).collect();
        assert_eq!(verbs, [Verb::Get, Verb::Any, Verb::Delete]);
        let written = PolicyConfig::IgnoredResources(c.clone()).to_json();
        assert_eq!(
            written,
            r#"{"rules":[{"verb":"GET","pathPattern":"/a"},{"verb":"*","pathPattern":"/b"},{"verb":"DELETE","pathPattern":"/c"}]}"#
        );
        assert_eq!(
            PolicyConfig::from_json(IgnoredResources, &written),
            Ok(PolicyConfig::IgnoredResources(c))
        );
        let e = json_error(
            IgnoredResources,
            r#"{"rules":[{"verb":"FETCH","pathPattern":"/a"}]}"#,
        );
        assert!(e.message.contains("HTTP method"), "{e:?}");
    }

    #[test]
    fn ignoring() {
        let c = IgnoredResourcesConfig {
            rules: vec![
                IgnoredRule {
                    verb: Verb::Get,
                    path_pattern: "/admin/.*".into(),
                },
                IgnoredRule {
                    verb: Verb::Any,
                    path_pattern: "/internal/.*".into(),
                },
            ],
        };
        let Ok(Matcher::Ignored(m)) = PolicyConfig::IgnoredResources(c).compile() else {
            panic!("compiles")
        };
        for (method, path, expected) in [
            ("GET", "/admin/users", true),
            ("get", "/admin/users", false),
            ("POST", "/admin/users", false),
            ("GET", "/api/admin/users", false),
            ("DELETE", "/internal/cache", true),
            ("GET", "/public", false),
        ] {
            let method = http::Method::from_bytes(method.as_bytes()).unwrap();
            assert_eq!(m.ignores(&method, path), expected, "{method} {path}");
        }
    }
}
