//! Rate Limiting and Quota: at most `limit` requests per period, counted per client, API, user
//! or IP address. The two types share one configuration; a quota usually has a longer period.

use serde::{Deserialize, Serialize};

use super::format::count;
use super::{FieldError, FieldKind, FieldSpec, FormValues, form, form_of};

/// Whose requests share one counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Granularity {
    #[default]
    Client,
    Api,
    User,
    Ip,
}

impl Granularity {
    pub const ALL: [Granularity; 4] = [Self::Client, Self::Api, Self::User, Self::Ip];

    /// The JSON and form value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Client => "Client",
            Self::Api => "Api",
            Self::User => "User",
            Self::Ip => "Ip",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Client => "Per client",
            Self::Api => "Per API",
            Self::User => "Per user",
            Self::Ip => "Per IP address",
        }
    }

    fn word(self) -> &'static str {
        match self {
            Self::Client => "client",
            Self::Api => "API",
            Self::User => "user",
            Self::Ip => "IP address",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Period {
    Second,
    Minute,
    Hour,
    #[default]
    Day,
    Month,
    Year,
}

impl Period {
    pub const ALL: [Period; 6] = [
        Self::Second,
        Self::Minute,
        Self::Hour,
        Self::Day,
        Self::Month,
        Self::Year,
    ];

    /// The JSON and form value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Second => "Second",
            Self::Minute => "Minute",
            Self::Hour => "Hour",
            Self::Day => "Day",
            Self::Month => "Month",
            Self::Year => "Year",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Second => "Per second",
            Self::Minute => "Per minute",
            Self::Hour => "Per hour",
            Self::Day => "Per day",
            Self::Month => "Per month",
            Self::Year => "Per year",
        }
    }

    fn word(self) -> &'static str {
        match self {
            Self::Second => "second",
            Self::Minute => "minute",
            Self::Hour => "hour",
            Self::Day => "day",
            Self::Month => "month",
            Self::Year => "year",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RateLimitConfig {
    pub limit: u64,
    pub granularity: Granularity,
    pub period: Period,
    /// The request header naming the user, for `Granularity::User`.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "form::opt_string"
    )]
    pub user_header: Option<String>,
}

const LIMIT_MESSAGE: &str = "Enter a limit of at least 1 request.";

impl RateLimitConfig {
    pub fn validate(&self) -> Result<(), FieldError> {
        if self.limit < 1 {
            return Err(FieldError::new("limit", LIMIT_MESSAGE));
        }
        match (&self.user_header, self.granularity) {
            (Some(header), _) => form::check_header_name("user_header", header),
            (None, Granularity::User) => Err(FieldError::new(
                "user_header",
                "Enter the request header that names the user, like X-User, to count per user.",
            )),
            (None, _) => Ok(()),
        }
    }

    /// "10,000 requests per day per client".
    pub fn summary(&self) -> String {
        format!(
            "{} per {} per {}",
            count(self.limit, "request", "requests"),
            self.period.word(),
            self.granularity.word()
        )
    }
}

pub(super) fn fields() -> Vec<FieldSpec> {
    vec![
        FieldSpec {
            name: "limit",
            label: "Limit",
            kind: FieldKind::Number,
            help: "How many requests are allowed in each period.",
        },
        FieldSpec {
            name: "period",
            label: "Period",
            kind: form::select(&Period::ALL, Period::as_str, Period::label),
            help: "The time window the limit applies to; counting starts over in each new one.",
        },
        FieldSpec {
            name: "granularity",
            label: "Counted",
            kind: form::select(&Granularity::ALL, Granularity::as_str, Granularity::label),
            help: "Whose requests share one counter.",
        },
        FieldSpec {
            name: "user_header",
            label: "User header",
            kind: FieldKind::Text,
            help: "The request header that names the user; needed for \"Per user\".",
        },
    ]
}

pub(super) fn default_form(period: Period) -> FormValues {
    let mut form = to_form(&RateLimitConfig {
        period,
        ..RateLimitConfig::default()
    });
    form.insert("limit".to_string(), String::new());
    form
}

pub(super) fn parse_form(form: &FormValues) -> Result<RateLimitConfig, FieldError> {
    // Accept "10,000" as typed with separators.
    let digits: String = form::text(form, "limit")
        .chars()
        .filter(|c| !matches!(c, ',' | '_' | ' '))
        .collect();
    let limit = digits
        .parse::<u64>()
        .ok()
        .filter(|&n| n >= 1)
        .ok_or_else(|| FieldError::new("limit", LIMIT_MESSAGE))?;
    Ok(RateLimitConfig {
        limit,
        period: form::choice(form, "period", &Period::ALL, Period::as_str, Period::Day)?,
        granularity: form::choice(
            form,
            "granularity",
            &Granularity::ALL,
            Granularity::as_str,
            Granularity::Client,
        )?,
        user_header: form::optional(form, "user_header"),
    })
}

pub(super) fn to_form(c: &RateLimitConfig) -> FormValues {
    form_of([
        ("limit", c.limit.to_string()),
        ("period", c.period.as_str().to_string()),
        ("granularity", c.granularity.as_str().to_string()),
        ("user_header", c.user_header.clone().unwrap_or_default()),
    ])
}

#[cfg(test)]
mod tests {
    use super::super::tests::{error, json_error, valid};
    use super::*;
    use crate::domain::policy::PolicyConfig;
    use crate::domain::policy::PolicyType::{Quota, RateLimiting};

    #[test]
    fn summaries() {
        for (t, form, summary) in [
            (
                RateLimiting,
                [("limit", "10000")].as_slice(),
                "10,000 requests per day per client",
            ),
            (
                RateLimiting,
                &[
                    ("limit", "1,000"),
                    ("period", "Second"),
                    ("granularity", "Ip"),
                ],
                "1,000 requests per second per IP address",
            ),
            (
                RateLimiting,
                &[("limit", "1"), ("period", "Minute"), ("granularity", "Api")],
                "1 request per minute per API",
            ),
            (
                RateLimiting,
                &[
                    ("limit", "5"),
                    ("granularity", "User"),
                    ("user_header", "X-User"),
                ],
                "5 requests per day per user",
            ),
            (
                Quota,
                &[("limit", "100000")],
                "Quota: 100,000 requests per month per client",
            ),
        ] {
            assert_eq!(valid(t, form).summary(), summary);
        }
    }

    #[test]
    fn invalid_forms() {
        for (form, field, message) in [
            ([("limit", "-5")].as_slice(), "limit", LIMIT_MESSAGE),
            (&[("limit", "0")], "limit", LIMIT_MESSAGE),
            (&[("limit", "ten")], "limit", LIMIT_MESSAGE),
            (&[("limit", "")], "limit", LIMIT_MESSAGE),
            (
                &[("limit", "5"), ("period", "Week")],
                "period",
                "Choose one of Second",
            ),
            (
                &[("limit", "5"), ("granularity", "Team")],
                "granularity",
                "Choose one of",
            ),
            (
                &[("limit", "5"), ("granularity", "User")],
                "user_header",
                "header that names the user",
            ),
            (
                &[("limit", "5"), ("user_header", "X User")],
                "user_header",
                "not a header name",
            ),
        ] {
            let e = error(RateLimiting, form);
            assert_eq!(e.field, field, "{form:?}");
            assert!(e.message.contains(message), "{form:?}: {}", e.message);
        }
    }

    #[test]
    fn apiman_json() {
        let c = PolicyConfig::from_json(
            RateLimiting,
            r#"{"limit":100,"granularity":"User","period":"Hour","userHeader":"X-User","headerLimit":""}"#,
        )
        .unwrap();
        assert_eq!(c.summary(), "100 requests per hour per user");
        assert_eq!(
            c.to_json(),
            r#"{"limit":100,"granularity":"User","period":"Hour","userHeader":"X-User"}"#
        );
        for (json, field) in [
            (
                r#"{"limit":-5,"granularity":"Client","period":"Day"}"#,
                "limit",
            ),
            (r#"{"granularity":"Client","period":"Day"}"#, "limit"),
            (r#"{"limit":5,"period":"Fortnight"}"#, "period"),
            (
                r#"{"limit":5,"granularity":"User","userHeader":""}"#,
                "user_header",
            ),
            (r#"[1]"#, "limit"),
        ] {
            assert_eq!(json_error(RateLimiting, json).field, field, "{json}");
        }
    }
}
