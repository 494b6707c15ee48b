//! The policy catalog: each policy type's apiman-compatible configuration, its validation,
//! a one-line summary and a description of its form, so one generic form can edit them all.
//! The gateway executes these same configurations.

mod api_key;
mod basic_auth;
mod compiled;
mod cors;
mod form;
mod format;
mod headers;
mod ignored;
mod ip_list;
mod rate_limit;
mod stored;
mod time_window;

use serde::{Deserialize, Serialize, Serializer};

pub use super::FieldError;
pub use api_key::ApiKeyConfig;
pub use basic_auth::{BasicAuthConfig, Identity, StaticIdentities};
pub use compiled::{
    AddRule, HeaderRules, IgnoredMatcher, IpMatcher, Matcher, RateLimit, Stripper, TimeMatcher,
};
pub use cors::CorsConfig;
pub use format::group_thousands;
pub use headers::{AddHeader, ApplyTo, SimpleHeaderConfig, StripHeader, StripWith};
pub use ignored::{IgnoredResourcesConfig, IgnoredRule, Verb};
pub use ip_list::IpListConfig;
pub use rate_limit::{Granularity, Period, RateLimitConfig};
pub use stored::{StoredPolicy, Unusable};
pub use time_window::{TimeRestrictedConfig, TimeRule};

/// Form field name -> text as typed (checkboxes hold "true" or "false").
pub type FormValues = std::collections::BTreeMap<String, String>;

/// One field of a policy's form.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldSpec {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: FieldKind,
    pub help: &'static str,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    Number,
    Text,
    /// "true" or "false".
    Checkbox,
    /// (value, label) pairs.
    Select(Vec<(&'static str, &'static str)>),
    /// A textarea holding one entry per line.
    Lines,
}

/// The policy types; serialized as their apiman ids, like "RateLimitingPolicy".
#[cfg_attr(feature = "ssr", derive(sqlx::Encode, sqlx::Decode))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PolicyType {
    #[serde(rename = "RateLimitingPolicy")]
    #[cfg_attr(feature = "ssr", sqlx(rename = "RateLimitingPolicy"))]
    RateLimiting,
    #[serde(rename = "QuotaPolicy")]
    #[cfg_attr(feature = "ssr", sqlx(rename = "QuotaPolicy"))]
    Quota,
    #[serde(rename = "IPWhitelistPolicy")]
    #[cfg_attr(feature = "ssr", sqlx(rename = "IPWhitelistPolicy"))]
    IpAllowList,
    #[serde(rename = "IPBlacklistPolicy")]
    #[cfg_attr(feature = "ssr", sqlx(rename = "IPBlacklistPolicy"))]
    IpBlockList,
    #[serde(rename = "IgnoredResourcesPolicy")]
    #[cfg_attr(feature = "ssr", sqlx(rename = "IgnoredResourcesPolicy"))]
    IgnoredResources,
    #[serde(rename = "APIKeyPolicy")]
    #[cfg_attr(feature = "ssr", sqlx(rename = "APIKeyPolicy"))]
    ApiKey,
    #[serde(rename = "SimpleHeaderPolicy")]
    #[cfg_attr(feature = "ssr", sqlx(rename = "SimpleHeaderPolicy"))]
    SimpleHeader,
    #[serde(rename = "CORSPolicy")]
    #[cfg_attr(feature = "ssr", sqlx(rename = "CORSPolicy"))]
    Cors,
    #[serde(rename = "BASICAuthenticationPolicy")]
    #[cfg_attr(feature = "ssr", sqlx(rename = "BASICAuthenticationPolicy"))]
    BasicAuth,
    #[serde(rename = "TimeRestrictedAccessPolicy")]
    #[cfg_attr(feature = "ssr", sqlx(rename = "TimeRestrictedAccessPolicy"))]
    TimeRestricted,
}

impl PolicyType {
    pub const ALL: [PolicyType; 10] = [
        Self::RateLimiting,
        Self::Quota,
        Self::IpAllowList,
        Self::IpBlockList,
        Self::IgnoredResources,
        Self::ApiKey,
        Self::SimpleHeader,
        Self::Cors,
        Self::BasicAuth,
        Self::TimeRestricted,
    ];

    /// The apiman policy definition id.
    pub fn id(self) -> &'static str {
        match self {
            Self::RateLimiting => "RateLimitingPolicy",
            Self::Quota => "QuotaPolicy",
            Self::IpAllowList => "IPWhitelistPolicy",
            Self::IpBlockList => "IPBlacklistPolicy",
            Self::IgnoredResources => "IgnoredResourcesPolicy",
            Self::ApiKey => "APIKeyPolicy",
            Self::SimpleHeader => "SimpleHeaderPolicy",
            Self::Cors => "CORSPolicy",
            Self::BasicAuth => "BASICAuthenticationPolicy",
            Self::TimeRestricted => "TimeRestrictedAccessPolicy",
        }
    }

    pub fn parse(id: &str) -> Option<PolicyType> {
        Self::ALL.into_iter().find(|t| t.id() == id)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::RateLimiting => "Rate Limiting",
            Self::Quota => "Quota",
            Self::IpAllowList => "IP Allow List",
            Self::IpBlockList => "IP Block List",
            Self::IgnoredResources => "Ignored Resources",
            Self::ApiKey => "API Key",
            Self::SimpleHeader => "Simple Header",
            Self::Cors => "CORS",
            Self::BasicAuth => "BASIC Authentication",
            Self::TimeRestricted => "Time Restricted Access",
        }
    }

    /// One sentence for the "add policy" chooser.
    pub fn description(self) -> &'static str {
        match self {
            Self::RateLimiting => {
                "Limits how many requests each client, user, API or IP address may make per second, minute, hour or day."
            }
            Self::Quota => {
                "Caps the total number of requests over a longer period, such as a month."
            }
            Self::IpAllowList => "Accepts requests only from the listed IP addresses and ranges.",
            Self::IpBlockList => "Refuses requests from the listed IP addresses and ranges.",
            Self::IgnoredResources => {
                "Answers 404 for the listed paths, so those requests never reach the API."
            }
            Self::ApiKey => "Forwards the client's API key to the API in a request header.",
            Self::SimpleHeader => {
                "Adds, replaces or removes HTTP headers on requests and responses."
            }
            Self::Cors => "Lets web pages on other origins call the API from a browser (CORS).",
            Self::BasicAuth => {
                "Requires a username and password (HTTP BASIC) from a list of static identities."
            }
            Self::TimeRestricted => "Allows calls only on certain days and at certain times (UTC).",
        }
    }

    /// The form that edits this type's configuration.
    pub fn fields(self) -> Vec<FieldSpec> {
        match self {
            Self::RateLimiting | Self::Quota => rate_limit::fields(),
            Self::IpAllowList | Self::IpBlockList => ip_list::fields(),
            Self::IgnoredResources => ignored::fields(),
            Self::ApiKey => api_key::fields(),
            Self::SimpleHeader => headers::fields(),
            Self::Cors => cors::fields(),
            Self::BasicAuth => basic_auth::fields(),
            Self::TimeRestricted => time_window::fields(),
        }
    }

    /// The form of a new policy of this type.
    pub fn default_form(self) -> FormValues {
        match self {
            Self::RateLimiting => rate_limit::default_form(Period::Day),
            Self::Quota => rate_limit::default_form(Period::Month),
            Self::IpAllowList | Self::IpBlockList => ip_list::default_form(),
            Self::IgnoredResources => ignored::default_form(),
            Self::ApiKey => api_key::default_form(),
            Self::SimpleHeader => headers::default_form(),
            Self::Cors => cors::default_form(),
            Self::BasicAuth => basic_auth::default_form(),
            Self::TimeRestricted => time_window::default_form(),
        }
    }
}

/// A policy's configuration, typed by policy type.
#[derive(Debug, Clone, PartialEq)]
pub enum PolicyConfig {
    RateLimiting(RateLimitConfig),
    Quota(RateLimitConfig),
    IpAllowList(IpListConfig),
    IpBlockList(IpListConfig),
    IgnoredResources(IgnoredResourcesConfig),
    ApiKey(ApiKeyConfig),
    SimpleHeader(SimpleHeaderConfig),
    Cors(CorsConfig),
    BasicAuth(BasicAuthConfig),
    TimeRestricted(TimeRestrictedConfig),
}

impl PolicyConfig {
    pub fn policy_type(&self) -> PolicyType {
        match self {
            Self::RateLimiting(_) => PolicyType::RateLimiting,
            Self::Quota(_) => PolicyType::Quota,
            Self::IpAllowList(_) => PolicyType::IpAllowList,
            Self::IpBlockList(_) => PolicyType::IpBlockList,
            Self::IgnoredResources(_) => PolicyType::IgnoredResources,
            Self::ApiKey(_) => PolicyType::ApiKey,
            Self::SimpleHeader(_) => PolicyType::SimpleHeader,
            Self::Cors(_) => PolicyType::Cors,
            Self::BasicAuth(_) => PolicyType::BasicAuth,
            Self::TimeRestricted(_) => PolicyType::TimeRestricted,
        }
    }

    /// Parses stored/sent JSON for `t` and validates it. Errors name a form field of `t`.
    pub fn from_json(t: PolicyType, json: &str) -> Result<PolicyConfig, FieldError> {
        let fields = t.fields();
        let config = match t {
            PolicyType::RateLimiting => Self::RateLimiting(form::parse_json(json, &fields, &[])?),
            PolicyType::Quota => Self::Quota(form::parse_json(json, &fields, &[])?),
            PolicyType::IpAllowList => Self::IpAllowList(form::parse_json(json, &fields, &[])?),
            PolicyType::IpBlockList => Self::IpBlockList(form::parse_json(json, &fields, &[])?),
            PolicyType::IgnoredResources => {
                Self::IgnoredResources(form::parse_json(json, &fields, &[])?)
            }
            PolicyType::ApiKey => Self::ApiKey(form::parse_json(json, &fields, &[])?),
            PolicyType::SimpleHeader => Self::SimpleHeader(form::parse_json(json, &fields, &[])?),
            PolicyType::Cors => Self::Cors(form::parse_json(json, &fields, &[])?),
            PolicyType::BasicAuth => {
                Self::BasicAuth(form::parse_json(json, &fields, basic_auth::JSON_ALIASES)?)
            }
            PolicyType::TimeRestricted => {
                Self::TimeRestricted(form::parse_json(json, &fields, &[])?)
            }
        };
        config.validate()?;
        Ok(config)
    }

    /// The apiman-compatible JSON configuration.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn validate(&self) -> Result<(), FieldError> {
        match self {
            Self::RateLimiting(c) | Self::Quota(c) => c.validate(),
            Self::IpAllowList(c) | Self::IpBlockList(c) => c.validate(),
            Self::IgnoredResources(c) => c.validate(),
            Self::ApiKey(c) => c.validate(),
            Self::SimpleHeader(c) => c.validate(),
            Self::Cors(c) => c.validate(),
            Self::BasicAuth(c) => c.validate(),
            Self::TimeRestricted(c) => c.validate(),
        }
    }

    /// One human line, for policy lists.
    pub fn summary(&self) -> String {
        match self {
            Self::RateLimiting(c) => c.summary(),
            Self::Quota(c) => format!("Quota: {}", c.summary()),
            Self::IpAllowList(c) => c.summary(true),
            Self::IpBlockList(c) => c.summary(false),
            Self::IgnoredResources(c) => c.summary(),
            Self::ApiKey(c) => c.summary(),
            Self::SimpleHeader(c) => c.summary(),
            Self::Cors(c) => c.summary(),
            Self::BasicAuth(c) => c.summary(),
            Self::TimeRestricted(c) => c.summary(),
        }
    }

    /// Parses and validates a submitted form.
    pub fn from_form(t: PolicyType, form: &FormValues) -> Result<PolicyConfig, FieldError> {
        Self::from_form_keeping(t, form, None)
    }

    /// Like [`PolicyConfig::from_form`], for editing `previous`: a BASIC Authentication line
    /// holding just a username keeps that identity's stored credentials from `previous`.
    pub fn from_form_keeping(
        t: PolicyType,
        form: &FormValues,
        previous: Option<&PolicyConfig>,
    ) -> Result<PolicyConfig, FieldError> {
        let config = match t {
            PolicyType::RateLimiting => Self::RateLimiting(rate_limit::parse_form(form)?),
            PolicyType::Quota => Self::Quota(rate_limit::parse_form(form)?),
            PolicyType::IpAllowList => Self::IpAllowList(ip_list::parse_form(form)?),
            PolicyType::IpBlockList => Self::IpBlockList(ip_list::parse_form(form)?),
            PolicyType::IgnoredResources => Self::IgnoredResources(ignored::parse_form(form)?),
            PolicyType::ApiKey => Self::ApiKey(api_key::parse_form(form)),
            PolicyType::SimpleHeader => Self::SimpleHeader(headers::parse_form(form)?),
            PolicyType::Cors => Self::Cors(cors::parse_form(form)?),
            PolicyType::BasicAuth => {
                let previous = match previous {
                    Some(Self::BasicAuth(c)) => Some(c),
                    _ => None,
                };
                Self::BasicAuth(basic_auth::parse_form(form, previous)?)
            }
            PolicyType::TimeRestricted => Self::TimeRestricted(time_window::parse_form(form)?),
        };
        config.validate()?;
        Ok(config)
    }

    /// The form showing this configuration; [`PolicyConfig::from_form`] reads it back.
    /// BASIC Authentication lists usernames only: read it back with `from_form_keeping`.
    pub fn to_form(&self) -> FormValues {
        match self {
            Self::RateLimiting(c) | Self::Quota(c) => rate_limit::to_form(c),
            Self::IpAllowList(c) | Self::IpBlockList(c) => ip_list::to_form(c),
            Self::IgnoredResources(c) => ignored::to_form(c),
            Self::ApiKey(c) => api_key::to_form(c),
            Self::SimpleHeader(c) => headers::to_form(c),
            Self::Cors(c) => cors::to_form(c),
            Self::BasicAuth(c) => basic_auth::to_form(c),
            Self::TimeRestricted(c) => time_window::to_form(c),
        }
    }
}

/// Serializes as the apiman-compatible configuration alone (the type is stored beside it).
impl Serialize for PolicyConfig {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::RateLimiting(c) | Self::Quota(c) => c.serialize(serializer),
            Self::IpAllowList(c) | Self::IpBlockList(c) => c.serialize(serializer),
            Self::IgnoredResources(c) => c.serialize(serializer),
            Self::ApiKey(c) => c.serialize(serializer),
            Self::SimpleHeader(c) => c.serialize(serializer),
            Self::Cors(c) => c.serialize(serializer),
            Self::BasicAuth(c) => c.serialize(serializer),
            Self::TimeRestricted(c) => c.serialize(serializer),
        }
    }
}

/// Builds a `FormValues` from (name, value) pairs.
fn form_of<const N: usize>(pairs: [(&str, String); N]) -> FormValues {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

#[cfg(test)]
mod tests;
