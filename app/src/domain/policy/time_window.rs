//! Time Restricted Access: the paths a rule names may be called only on its days and between
//! its times (UTC). Paths no rule names are not restricted.

use serde::{Deserialize, Serialize};

use super::format::list_summary;
use super::{FieldError, FieldKind, FieldSpec, FormValues, form, form_of};

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const EXAMPLE: &str = "Mon-Fri 08:00-18:00 /.*";

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TimeRestrictedConfig {
    pub rules: Vec<TimeRule>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TimeRule {
    /// "HH:MM", UTC, inclusive.
    pub time_start: String,
    /// "HH:MM", UTC, exclusive; may be "24:00".
    pub time_end: String,
    /// 1 = Monday … 7 = Sunday, inclusive.
    pub day_start: u8,
    pub day_end: u8,
    /// A regular expression that must match the whole request path.
    pub path_pattern: String,
}

impl Default for TimeRule {
    fn default() -> Self {
        Self {
            time_start: String::new(),
            time_end: String::new(),
            day_start: 0,
            day_end: 0,
            path_pattern: "/.*".to_string(),
        }
    }
}

/// Minutes since midnight of "H:MM" or "HH:MM", up to 24:00.
pub(super) fn minutes(time: &str) -> Option<u16> {
    let (h, m) = time.split_once(':')?;
    let digits = |s: &str, max_len| {
        (!s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u16>().ok())
            .flatten()
    };
    let (h, m) = (digits(h, 2)?, digits(m, 2).filter(|_| m.len() == 2)?);
    (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
}

fn hhmm(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

fn day_name(day: u8) -> &'static str {
    DAYS.get(usize::from(day).wrapping_sub(1))
        .copied()
        .unwrap_or("?")
}

fn rule_error(line: usize, problem: impl std::fmt::Display) -> FieldError {
    FieldError::new("rules", format!("Line {line}: {problem}"))
}

fn check_rule(line: usize, rule: &TimeRule) -> Result<(), FieldError> {
    if !(1..=7).contains(&rule.day_start) || !(1..=7).contains(&rule.day_end) {
        return Err(rule_error(line, "days go from 1 (Monday) to 7 (Sunday)."));
    }
    if rule.day_start > rule.day_end {
        return Err(rule_error(
            line,
            "write the days in week order, like Mon-Fri; use two rules for a range past Sunday.",
        ));
    }
    let bad_time = |t: &str| {
        rule_error(
            line,
            format!("\"{t}\" is not a time; write times like 08:00 or 18:30 (UTC)."),
        )
    };
    let start = minutes(&rule.time_start)
        .filter(|&m| m < 24 * 60)
        .ok_or_else(|| bad_time(&rule.time_start))?;
    let end = minutes(&rule.time_end).ok_or_else(|| bad_time(&rule.time_end))?;
    if start >= end {
        return Err(rule_error(
            line,
            "the start time must be before the end time; use two rules for a window past midnight (UTC).",
        ));
    }
    form::check_regex("rules", line, &rule.path_pattern)
}

impl TimeRule {
    fn days(&self, separator: &str) -> String {
        if self.day_start == self.day_end {
            day_name(self.day_start).to_string()
        } else {
            format!(
                "{}{separator}{}",
                day_name(self.day_start),
                day_name(self.day_end)
            )
        }
    }
}

impl TimeRestrictedConfig {
    pub fn validate(&self) -> Result<(), FieldError> {
        if self.rules.is_empty() {
            return Err(FieldError::new(
                "rules",
                format!("Enter at least one rule, like {EXAMPLE}"),
            ));
        }
        for (i, rule) in self.rules.iter().enumerate() {
            check_rule(i + 1, rule)?;
        }
        Ok(())
    }

    /// "Open Mon–Fri 08:00–18:00 UTC for /.*".
    pub fn summary(&self) -> String {
        let rules: Vec<String> = self
            .rules
            .iter()
            .map(|r| {
                format!(
                    "{} {}–{} UTC for {}",
                    r.days("–"),
                    r.time_start,
                    r.time_end,
                    r.path_pattern
                )
            })
            .collect();
        format!("Open {}", list_summary(&rules))
    }
}

pub(super) fn fields() -> Vec<FieldSpec> {
    vec![FieldSpec {
        name: "rules",
        label: "Opening hours",
        kind: FieldKind::Lines,
        help: "One rule per line: days, times in UTC and an optional path regex (default /.*), like \"Mon-Fri 08:00-18:00 /.*\" or \"Sat 10:00-12:00 /reports/.*\". Paths no rule names are not restricted.",
    }]
}

pub(super) fn default_form() -> FormValues {
    to_form(&TimeRestrictedConfig::default())
}

fn day(text: &str) -> Option<u8> {
    DAYS.iter()
        .position(|d| d.eq_ignore_ascii_case(text))
        .and_then(|i| u8::try_from(i + 1).ok())
}

fn parse_line(line: usize, text: &str) -> Result<TimeRule, FieldError> {
    let mut parts = text.splitn(3, char::is_whitespace);
    let (days, times) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let path = parts.next().map_or("", str::trim);
    let (first, last) = days.split_once('-').unwrap_or((days, days));
    let (Some(day_start), Some(day_end)) = (day(first), day(last)) else {
        return Err(rule_error(
            line,
            format!(
                "write days as Mon, Tue, Wed, Thu, Fri, Sat or Sun, or a range like Mon-Fri, as in {EXAMPLE}"
            ),
        ));
    };
    let Some((start, end)) = times.split_once('-') else {
        return Err(rule_error(
            line,
            format!("add the times after the days, as in {EXAMPLE}"),
        ));
    };
    // Store times as HH:MM even when typed as H:MM.
    let normalize = |t: &str| minutes(t).map_or_else(|| t.to_string(), hhmm);
    let rule = TimeRule {
        time_start: normalize(start),
        time_end: normalize(end),
        day_start,
        day_end,
        path_pattern: if path.is_empty() { "/.*" } else { path }.to_string(),
    };
    check_rule(line, &rule)?;
    Ok(rule)
}

pub(super) fn parse_form(form: &FormValues) -> Result<TimeRestrictedConfig, FieldError> {
    let rules = form::lines(form, "rules")
        .into_iter()
        .map(|(line, text)| parse_line(line, text))
        .collect::<Result<_, _>>()?;
    Ok(TimeRestrictedConfig { rules })
}

pub(super) fn to_form(c: &TimeRestrictedConfig) -> FormValues {
    let lines: Vec<String> = c
        .rules
        .iter()
        .map(|r| {
            format!(
                "{} {}-{} {}",
                r.days("-"),
                r.time_start,
                r.time_end,
                r.path_pattern
            )
        })
        .collect();
    form_of([("rules", lines.join("\n"))])
}

#[cfg(test)]
mod tests {
    use super::super::tests::{error, json_error, valid};
    use super::*;
    use crate::domain::policy::PolicyType::TimeRestricted;
    use crate::domain::policy::{Matcher, PolicyConfig};

    #[test]
    fn summaries() {
        for (rules, summary) in [
            (
                "Mon-Fri 08:00-18:00 /.*",
                "Open Mon–Fri 08:00–18:00 UTC for /.*",
            ),
            ("sat 8:00-12:00", "Open Sat 08:00–12:00 UTC for /.*"),
            (
                "Mon-Fri 8:00-24:00\n\nSat 10:00-12:00 /reports/.*",
                "Open Mon–Fri 08:00–24:00 UTC for /.*, Sat 10:00–12:00 UTC for /reports/.*",
            ),
        ] {
            assert_eq!(
                valid(TimeRestricted, &[("rules", rules)]).summary(),
                summary
            );
        }
    }

    #[test]
    fn invalid() {
        for (rules, message) in [
            ("", "at least one rule"),
            (
                "Mon-Fri 08:00-18:00\nWeekdays 08:00-18:00",
                "Line 2: write days as Mon",
            ),
            ("Mon-Fri", "Line 1: add the times"),
            ("Mon-Fri 8-18", "\"8\" is not a time"),
            ("Mon-Fri 08:00-25:00", "\"25:00\" is not a time"),
            ("Mon-Fri 24:00-24:00", "\"24:00\" is not a time"),
            ("Mon-Fri 08:60-09:00", "\"08:60\" is not a time"),
            (
                "Mon-Fri 18:00-08:00",
                "start time must be before the end time",
            ),
            ("Sat-Mon 08:00-18:00", "week order"),
            (
                "Mon 08:00-18:00 /(",
                "\"/(\" is not a valid regular expression",
            ),
        ] {
            let e = error(TimeRestricted, &[("rules", rules)]);
            assert!(e.message.contains(message), "{rules}: {}", e.message);
        }
        for json in [
            r#"{"rules":[{"timeStart":"08:00","timeEnd":"18:00","dayStart":0,"dayEnd":5}]}"#,
            r#"{"rules":[{"timeStart":"08:00","timeEnd":"18:00","dayStart":1,"dayEnd":8}]}"#,
            r#"{"rules":[{"timeStart":"8am","timeEnd":"18:00","dayStart":1,"dayEnd":5}]}"#,
            r#"{"rules":[{"dayStart":-1}]}"#,
        ] {
            assert_eq!(json_error(TimeRestricted, json).field, "rules", "{json}");
        }
    }

    #[test]
    fn allowing() {
        let c = TimeRestrictedConfig {
            rules: vec![
                TimeRule {
                    time_start: "08:00".into(),
                    time_end: "18:00".into(),
                    day_start: 1,
                    day_end: 5,
                    path_pattern: "/api/.*".into(),
                },
                TimeRule {
                    time_start: "10:00".into(),
                    time_end: "12:00".into(),
                    day_start: 6,
                    day_end: 6,
                    path_pattern: "/api/reports/.*".into(),
                },
            ],
        };
        let Ok(Matcher::Time(m)) = PolicyConfig::TimeRestricted(c).compile() else {
            panic!("compiles")
        };
        for (day, minute, path, expected) in [
            (1, 8 * 60, "/api/x", true),
            (5, 18 * 60 - 1, "/api/x", true),
            (5, 18 * 60, "/api/x", false),
            (3, 7 * 60 + 59, "/api/x", false),
            (6, 11 * 60, "/api/x", false),
            (6, 11 * 60, "/api/reports/daily", true),
            (6, 13 * 60, "/api/reports/daily", false),
            (7, 3 * 60, "/health", true),
        ] {
            assert_eq!(
                m.allows(day, minute, path),
                expected,
                "{day} {minute} {path}"
            );
        }
    }
}
