//! Each policy configuration compiled once into what runs per request: regexes built, header
//! names, methods and networks parsed. The gateway runs these matchers and the unit tests test
//! them, so a policy means one thing. A configuration that does not compile is refused with
//! its reason; nothing falls back to a default.

use std::net::IpAddr;
use std::ops::{Range, RangeInclusive};

use http::{HeaderName, HeaderValue, Method, StatusCode};
use ipnet::IpNet;
use regex_lite::Regex;

use super::headers::{ApplyTo, SimpleHeaderConfig, StripWith};
use super::ignored::IgnoredResourcesConfig;
use super::ip_list::{IpListConfig, network};
use super::rate_limit::RateLimitConfig;
use super::time_window::{TimeRestrictedConfig, minutes};
use super::{BasicAuthConfig, CorsConfig, FieldError, PolicyConfig, form};

/// A policy ready to run.
#[derive(Debug, Clone)]
pub enum Matcher {
    RateLimit(RateLimit),
    IpAllow(IpMatcher),
    IpBlock(IpMatcher),
    Ignored(IgnoredMatcher),
    /// The header the client's API key is forwarded in.
    ApiKey(HeaderName),
    Headers(HeaderRules),
    Cors(CorsConfig),
    Basic(BasicAuthConfig),
    Time(TimeMatcher),
}

impl PolicyConfig {
    /// Validates and compiles the configuration; the error names the field at fault.
    pub fn compile(&self) -> Result<Matcher, FieldError> {
        self.validate()?;
        Ok(match self {
            Self::RateLimiting(c) => Matcher::RateLimit(RateLimit::new(c, false)?),
            Self::Quota(c) => Matcher::RateLimit(RateLimit::new(c, true)?),
            Self::IpAllowList(c) => Matcher::IpAllow(IpMatcher::new(c)?),
            Self::IpBlockList(c) => Matcher::IpBlock(IpMatcher::new(c)?),
            Self::IgnoredResources(c) => Matcher::Ignored(IgnoredMatcher::new(c)?),
            Self::ApiKey(c) => Matcher::ApiKey(header_name("request_header", &c.request_header)?),
            Self::SimpleHeader(c) => Matcher::Headers(HeaderRules::new(c)?),
            Self::Cors(c) => Matcher::Cors(c.clone()),
            Self::BasicAuth(c) => Matcher::Basic(c.clone()),
            Self::TimeRestricted(c) => Matcher::Time(TimeMatcher::new(c)?),
        })
    }
}

fn header_name(field: &str, name: &str) -> Result<HeaderName, FieldError> {
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| FieldError::new(field, format!("\"{name}\" is not a header name.")))
}

fn regex(field: &str, line: usize, pattern: &str, ignore_case: bool) -> Result<Regex, FieldError> {
    let compiled = if ignore_case {
        form::anchored_ignore_case(pattern)
    } else {
        form::anchored(pattern)
    };
    compiled.map_err(|e| {
        FieldError::new(
            field,
            format!("Line {line}: \"{pattern}\" is not a valid regular expression ({e})."),
        )
    })
}

/// Rate Limiting and Quota: the configuration, and the user header parsed once.
#[derive(Debug, Clone)]
pub struct RateLimit {
    pub config: RateLimitConfig,
    pub quota: bool,
    pub user_header: Option<HeaderName>,
}

impl RateLimit {
    fn new(c: &RateLimitConfig, quota: bool) -> Result<Self, FieldError> {
        let user_header = match &c.user_header {
            Some(h) => Some(header_name("user_header", h)?),
            None => None,
        };
        Ok(Self {
            config: c.clone(),
            quota,
            user_header,
        })
    }
}

/// IP Allow List and IP Block List.
#[derive(Debug, Clone)]
pub struct IpMatcher {
    nets: Vec<IpNet>,
    /// Where the client address is read from instead of the connection (see the gateway's
    /// trusted-proxy rule for how).
    pub header: Option<HeaderName>,
    pub status: StatusCode,
}

impl IpMatcher {
    fn new(c: &IpListConfig) -> Result<Self, FieldError> {
        let nets = c
            .ip_list
            .iter()
            .enumerate()
            .map(|(i, entry)| {
                network(entry).ok_or_else(|| {
                    FieldError::new("ip_list", format!("Line {}: \"{entry}\"", i + 1))
                })
            })
            .collect::<Result<_, _>>()?;
        let header = match &c.http_header {
            Some(h) => Some(header_name("http_header", h)?),
            None => None,
        };
        let status = StatusCode::from_u16(c.response_code)
            .map_err(|_| FieldError::new("response_code", "Choose 403, 404 or 500."))?;
        Ok(Self {
            nets,
            header,
            status,
        })
    }

    /// True when some entry contains `ip` (an IPv4-mapped IPv6 address also matches as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let mapped = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4),
            IpAddr::V4(_) => None,
        };
        self.nets
            .iter()
            .any(|net| net.contains(&ip) || mapped.is_some_and(|v4| net.contains(&v4)))
    }
}

/// Ignored Resources: (method or any, whole-path regex).
#[derive(Debug, Clone)]
pub struct IgnoredMatcher {
    rules: Vec<(Option<Method>, Regex)>,
}

impl IgnoredMatcher {
    fn new(c: &IgnoredResourcesConfig) -> Result<Self, FieldError> {
        let rules = c
            .rules
            .iter()
            .enumerate()
            .map(|(i, rule)| {
                let method = rule.verb.method();
                Ok((method, regex("rules", i + 1, &rule.path_pattern, false)?))
            })
            .collect::<Result<_, FieldError>>()?;
        Ok(Self { rules })
    }

    /// True when a rule matches the method and the whole (normalised) path.
    pub fn ignores(&self, method: &Method, path: &str) -> bool {
        self.rules
            .iter()
            .any(|(m, re)| m.as_ref().is_none_or(|m| m == method) && re.is_match(path))
    }
}

/// How a header to strip is recognised.
#[derive(Debug, Clone)]
pub enum Stripper {
    Name(HeaderName),
    /// Matched against the whole name, ignoring case.
    Pattern(Regex),
}

impl Stripper {
    pub fn matches(&self, name: &str) -> bool {
        match self {
            Stripper::Name(n) => n.as_str().eq_ignore_ascii_case(name),
            Stripper::Pattern(re) => re.is_match(name),
        }
    }
}

/// A header to add.
#[derive(Debug, Clone)]
pub struct AddRule {
    pub name: HeaderName,
    pub value: HeaderValue,
    pub apply_to: ApplyTo,
    pub overwrite: bool,
}

/// Simple Header.
#[derive(Debug, Clone)]
pub struct HeaderRules {
    pub add: Vec<AddRule>,
    pub strip: Vec<(Stripper, ApplyTo)>,
}

impl HeaderRules {
    fn new(c: &SimpleHeaderConfig) -> Result<Self, FieldError> {
        let mut add = Vec::with_capacity(c.add_headers.len());
        for (i, h) in c.add_headers.iter().enumerate() {
            let value = HeaderValue::from_str(&h.header_value).map_err(|_| {
                FieldError::new(
                    "add_headers",
                    format!(
                        "Line {}: the value of {} is not a header value.",
                        i + 1,
                        h.header_name
                    ),
                )
            })?;
            add.push(AddRule {
                name: header_name("add_headers", &h.header_name)?,
                value,
                apply_to: h.apply_to,
                overwrite: h.overwrite,
            });
        }
        let mut strip = Vec::with_capacity(c.strip_headers.len());
        for (i, s) in c.strip_headers.iter().enumerate() {
            let stripper = match s.with {
                StripWith::Regex => {
                    Stripper::Pattern(regex("strip_headers", i + 1, &s.pattern, true)?)
                }
                StripWith::String => Stripper::Name(header_name("strip_headers", &s.pattern)?),
            };
            strip.push((stripper, s.apply_to));
        }
        Ok(Self { add, strip })
    }

    /// True when a strip rule for requests (or responses) matches the header `name`.
    pub fn strips(&self, name: &str, on_response: bool) -> bool {
        self.strip
            .iter()
            .any(|(s, apply_to)| apply_to.applies(on_response) && s.matches(name))
    }
}

/// One rule of Time Restricted Access.
#[derive(Debug, Clone)]
struct TimeSpan {
    days: RangeInclusive<u8>,
    minutes: Range<u16>,
    path: Regex,
}

/// Time Restricted Access.
#[derive(Debug, Clone)]
pub struct TimeMatcher {
    rules: Vec<TimeSpan>,
}

impl TimeMatcher {
    fn new(c: &TimeRestrictedConfig) -> Result<Self, FieldError> {
        let rules = c
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let time = |t: &str| {
                    minutes(t).ok_or_else(|| {
                        FieldError::new("rules", format!("Line {}: \"{t}\" is not a time.", i + 1))
                    })
                };
                Ok(TimeSpan {
                    days: r.day_start..=r.day_end,
                    minutes: time(&r.time_start)?..time(&r.time_end)?,
                    path: regex("rules", i + 1, &r.path_pattern, false)?,
                })
            })
            .collect::<Result<_, FieldError>>()?;
        Ok(Self { rules })
    }

    /// Whether a request at `weekday` (1 = Monday … 7 = Sunday) and `minute_of_day` (UTC) to
    /// `path` is allowed: yes when a rule whose pattern matches the path covers that time, or
    /// when no rule's pattern matches the path at all.
    pub fn allows(&self, weekday: u8, minute_of_day: u16, path: &str) -> bool {
        let mut named = false;
        for rule in self.rules.iter().filter(|r| r.path.is_match(path)) {
            named = true;
            if rule.days.contains(&weekday) && rule.minutes.contains(&minute_of_day) {
                return true;
            }
        }
        !named
    }
}
