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
    /// "*" or an HTTP method.
    pub verb: String,
    /// A regular expression that must match the whole request path.
    pub path_pattern: String,
}

impl Default for IgnoredRule {
    fn default() -> Self {
        Self {
            verb: "*".to_string(),
            path_pattern: String::new(),
        }
    }
}

fn rules_error(line: usize, problem: impl std::fmt::Display) -> FieldError {
    FieldError::new("rules", format!("Line {line}: {problem}"))
}

fn check_rule(line: usize, rule: &IgnoredRule) -> Result<(), FieldError> {
    if rule.verb != "*" && !form::is_method(&rule.verb) {
        return Err(rules_error(
            line,
            format!(
                "start with * or an HTTP method ({}), not \"{}\".",
                form::methods_hint(),
                rule.verb
            ),
        ));
    }
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
        if self.verb == "*" {
            self.path_pattern.clone()
        } else {
            format!("{} {}", self.verb, self.path_pattern)
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
    let rule = match text.split_once(char::is_whitespace) {
        Some((verb, pattern)) => IgnoredRule {
            verb: verb.to_ascii_uppercase(),
            path_pattern: pattern.trim().to_string(),
        },
        None if text == "*" || form::is_method(text) => IgnoredRule {
            verb: text.to_ascii_uppercase(),
            path_pattern: String::new(),
        },
        None => IgnoredRule {
            verb: "*".to_string(),
            path_pattern: text.to_string(),
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
        .map(|r| format!("{} {}", r.verb, r.path_pattern))
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

    #[test]
    fn ignoring() {
        let c = IgnoredResourcesConfig {
            rules: vec![
                IgnoredRule {
                    verb: "GET".into(),
                    path_pattern: "/admin/.*".into(),
                },
                IgnoredRule {
                    verb: "*".into(),
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
