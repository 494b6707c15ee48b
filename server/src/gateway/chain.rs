//! Policies compiled for the request path (regexes built once, secrets cached) and run as a
//! chain: client, then plan, then API policies on the request; the reverse on the response.

use std::net::IpAddr;
use std::sync::Arc;

use app::domain::policy::{
    ApplyTo, BasicAuthConfig, CorsConfig, Granularity, IpListConfig, PolicyConfig, PolicyType,
    RateLimitConfig,
};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use base64::Engine;
use chrono::{Datelike, Timelike, Utc};
use dashmap::DashMap;
use regex_lite::Regex;
use sha2::{Digest, Sha256};

use super::errors::{PolicyFailure, codes};
use super::limits::{Counters, window};

/// One policy, ready to run. `id` (the policy's row id) names its rate-limit buckets.
pub struct Compiled {
    pub id: i64,
    kind: Kind,
}

enum Kind {
    RateLimit {
        config: RateLimitConfig,
        quota: bool,
    },
    IpAllow(IpListConfig),
    IpBlock(IpListConfig),
    Ignored(Vec<(Option<Method>, Regex)>),
    ApiKey(HeaderName),
    Headers(HeaderRules),
    Cors(CorsConfig),
    Basic(BasicAuth),
    Time(Vec<TimeRule>),
}

struct HeaderRules {
    add: Vec<(HeaderName, HeaderValue, ApplyTo, bool)>,
    strip: Vec<(Stripper, ApplyTo)>,
}

enum Stripper {
    Name(HeaderName),
    Pattern(Regex),
}

struct TimeRule {
    days: (u8, u8),
    minutes: (u16, u16),
    path: Regex,
}

struct BasicAuth {
    config: BasicAuthConfig,
    /// Verified credentials by SHA-256 of "user:password", so Argon2 runs once per secret.
    verified: DashMap<[u8; 32], bool>,
}

pub type Chain = Arc<[Compiled]>;

fn anchored(pattern: &str) -> Option<Regex> {
    Regex::new(&format!("^(?:{pattern})$")).ok()
}

fn minutes(hhmm: &str) -> u16 {
    let (h, m) = hhmm.split_once(':').unwrap_or(("0", "0"));
    h.parse::<u16>().unwrap_or(0) * 60 + m.parse::<u16>().unwrap_or(0)
}

/// Compiles stored policies; a policy that no longer parses is skipped with a log line.
pub fn compile<'a>(
    policies: impl IntoIterator<Item = (i64, &'a str, &'a serde_json::Value)>,
) -> Chain {
    policies
        .into_iter()
        .filter_map(|(id, policy_type, config)| {
            let Some(t) = PolicyType::parse(policy_type) else {
                tracing::warn!(id, policy_type, "unknown policy type skipped");
                return None;
            };
            match PolicyConfig::from_json(t, &config.to_string()) {
                Ok(c) => Some(Compiled { id, kind: kind(c) }),
                Err(e) => {
                    tracing::warn!(id, error = %e.message, "invalid policy configuration skipped");
                    None
                }
            }
        })
        .collect()
}

fn kind(config: PolicyConfig) -> Kind {
    match config {
        PolicyConfig::RateLimiting(c) => Kind::RateLimit {
            config: c,
            quota: false,
        },
        PolicyConfig::Quota(c) => Kind::RateLimit {
            config: c,
            quota: true,
        },
        PolicyConfig::IpAllowList(c) => Kind::IpAllow(c),
        PolicyConfig::IpBlockList(c) => Kind::IpBlock(c),
        PolicyConfig::IgnoredResources(c) => Kind::Ignored(
            c.rules
                .iter()
                .filter_map(|r| {
                    let method = (r.verb != "*")
                        .then(|| Method::from_bytes(r.verb.as_bytes()).ok())
                        .flatten();
                    anchored(&r.path_pattern).map(|re| (method, re))
                })
                .collect(),
        ),
        PolicyConfig::ApiKey(c) => Kind::ApiKey(
            HeaderName::from_bytes(c.request_header.as_bytes())
                .unwrap_or(HeaderName::from_static("x-api-key")),
        ),
        PolicyConfig::SimpleHeader(c) => Kind::Headers(HeaderRules {
            add: c
                .add_headers
                .iter()
                .filter_map(|h| {
                    Some((
                        HeaderName::from_bytes(h.header_name.as_bytes()).ok()?,
                        HeaderValue::from_str(&h.header_value).ok()?,
                        h.apply_to,
                        h.overwrite,
                    ))
                })
                .collect(),
            strip: c
                .strip_headers
                .iter()
                .filter_map(|s| {
                    let stripper = if s.with == "Regex" {
                        Stripper::Pattern(Regex::new(&format!("(?i)^(?:{})$", s.pattern)).ok()?)
                    } else {
                        Stripper::Name(HeaderName::from_bytes(s.pattern.as_bytes()).ok()?)
                    };
                    Some((stripper, s.apply_to))
                })
                .collect(),
        }),
        PolicyConfig::Cors(c) => Kind::Cors(c),
        PolicyConfig::BasicAuth(c) => Kind::Basic(BasicAuth {
            config: c,
            verified: DashMap::new(),
        }),
        PolicyConfig::TimeRestricted(c) => Kind::Time(
            c.rules
                .iter()
                .filter_map(|r| {
                    Some(TimeRule {
                        days: (r.day_start, r.day_end),
                        minutes: (minutes(&r.time_start), minutes(&r.time_end)),
                        path: anchored(&r.path_pattern)?,
                    })
                })
                .collect(),
        ),
    }
}

/// What the policies see of a request, and the headers they add to its response.
pub struct Exchange<'a> {
    pub method: &'a Method,
    /// The path below the API's base, starting with '/'.
    pub path: &'a str,
    pub headers: &'a mut HeaderMap,
    pub peer: IpAddr,
    /// Identity for buckets: the client version, the API version.
    pub client_id: Option<i64>,
    pub api_id: i64,
    pub api_key: Option<&'a str>,
    pub https: bool,
    pub response_headers: HeaderMap,
    /// CORS origin accepted for this request, echoed on the response.
    cors: Option<(HeaderValue, &'a CorsConfig)>,
}

/// A policy either lets the request go on, or answers it itself.
pub enum Outcome {
    Continue,
    Fail(PolicyFailure),
    /// A CORS preflight answered by the gateway.
    Respond(StatusCode, HeaderMap),
}

impl<'a> Exchange<'a> {
    pub fn new(
        method: &'a Method,
        path: &'a str,
        headers: &'a mut HeaderMap,
        peer: IpAddr,
        api_id: i64,
    ) -> Self {
        Self {
            method,
            path,
            headers,
            peer,
            client_id: None,
            api_id,
            api_key: None,
            https: false,
            response_headers: HeaderMap::new(),
            cors: None,
        }
    }

    fn ip(&self, header: Option<&str>) -> Option<IpAddr> {
        match header {
            Some(h) => self
                .headers
                .get(h)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .and_then(|v| v.trim().parse().ok()),
            None => Some(self.peer),
        }
    }
}

/// Runs one chain on the request, in order.
pub async fn on_request<'a>(
    chain: &'a [Compiled],
    ex: &mut Exchange<'a>,
    counters: &Counters,
) -> Outcome {
    for policy in chain {
        let outcome = request(policy, ex, counters).await;
        if !matches!(outcome, Outcome::Continue) {
            return outcome;
        }
    }
    Outcome::Continue
}

async fn request<'a>(policy: &'a Compiled, ex: &mut Exchange<'a>, counters: &Counters) -> Outcome {
    match &policy.kind {
        Kind::RateLimit { config, quota } => {
            rate_limit(policy.id, config, *quota, ex, counters).await
        }
        Kind::IpAllow(c) => match ex.ip(c.http_header.as_deref()) {
            Some(ip) if c.matches(ip) => Outcome::Continue,
            _ => Outcome::Fail(PolicyFailure::new(
                "Other",
                codes::IP_NOT_ALLOWED,
                StatusCode::from_u16(c.response_code).unwrap_or(StatusCode::FORBIDDEN),
                "Your IP address is not allowed to call this API.",
            )),
        },
        Kind::IpBlock(c) => match ex.ip(c.http_header.as_deref()) {
            Some(ip) if c.matches(ip) => Outcome::Fail(PolicyFailure::new(
                "Other",
                codes::IP_BLOCKED,
                StatusCode::from_u16(c.response_code).unwrap_or(StatusCode::FORBIDDEN),
                "Your IP address is blocked from calling this API.",
            )),
            _ => Outcome::Continue,
        },
        Kind::Ignored(rules) => {
            let hit = rules
                .iter()
                .any(|(m, re)| m.as_ref().is_none_or(|m| m == ex.method) && re.is_match(ex.path));
            if hit {
                Outcome::Fail(PolicyFailure::new(
                    "Other",
                    codes::RESOURCE_IGNORED,
                    StatusCode::NOT_FOUND,
                    "This resource is not available through the gateway.",
                ))
            } else {
                Outcome::Continue
            }
        }
        Kind::ApiKey(name) => {
            if let Some(v) = ex.api_key.and_then(|k| HeaderValue::from_str(k).ok()) {
                ex.headers.insert(name.clone(), v);
            }
            Outcome::Continue
        }
        Kind::Headers(rules) => {
            apply_headers(rules, ex.headers, false);
            Outcome::Continue
        }
        Kind::Cors(c) => cors_request(c, ex),
        Kind::Basic(b) => basic(b, ex).await,
        Kind::Time(rules) => {
            let now = Utc::now();
            let weekday = now.weekday().number_from_monday() as u8;
            let minute = (now.hour() * 60 + now.minute()) as u16;
            let mut named = false;
            for rule in rules.iter().filter(|r| r.path.is_match(ex.path)) {
                named = true;
                if (rule.days.0..=rule.days.1).contains(&weekday)
                    && (rule.minutes.0..rule.minutes.1).contains(&minute)
                {
                    return Outcome::Continue;
                }
            }
            if named {
                Outcome::Fail(PolicyFailure::new(
                    "Other",
                    codes::TIME_RESTRICTED,
                    StatusCode::FORBIDDEN,
                    "This resource cannot be called at this time.",
                ))
            } else {
                Outcome::Continue
            }
        }
    }
}

/// Limit, remaining and reset, on every response of a rate-limited or quota-limited API.
const RATE_LIMIT_HEADERS: [HeaderName; 3] = [
    HeaderName::from_static("x-ratelimit-limit"),
    HeaderName::from_static("x-ratelimit-remaining"),
    HeaderName::from_static("x-ratelimit-reset"),
];
const QUOTA_HEADERS: [HeaderName; 3] = [
    HeaderName::from_static("x-quota-limit"),
    HeaderName::from_static("x-quota-remaining"),
    HeaderName::from_static("x-quota-reset"),
];

async fn rate_limit(
    id: i64,
    config: &RateLimitConfig,
    quota: bool,
    ex: &mut Exchange<'_>,
    counters: &Counters,
) -> Outcome {
    // The bucket: this policy, and whom it counts.
    let bucket = match config.granularity {
        Granularity::Client => ex.client_id.map(|c| format!("{id}:c{c}")),
        Granularity::Api => Some(format!("{id}:a{}", ex.api_id)),
        Granularity::Ip => Some(format!("{id}:i{}", ex.peer)),
        Granularity::User => config
            .user_header
            .as_deref()
            .and_then(|h| ex.headers.get(h))
            .and_then(|v| v.to_str().ok())
            .map(|u| format!("{id}:u{u}")),
    };
    // Without an identity (a public API per client, a missing user header) the policy cannot
    // count anyone: it lets the request through, as apiman does.
    let Some(bucket) = bucket else {
        return Outcome::Continue;
    };
    let now = Utc::now();
    let w = window(config.period, now);
    let count = counters.hit(&bucket, w).await;
    let names = if quota {
        &QUOTA_HEADERS
    } else {
        &RATE_LIMIT_HEADERS
    };
    let remaining = config.limit.saturating_sub(count);
    let reset = (w.resets_at - now).num_seconds().max(0);
    let values = [config.limit as i64, remaining as i64, reset];
    for (name, value) in names.iter().zip(values) {
        ex.response_headers
            .insert(name.clone(), HeaderValue::from(value));
    }
    if count > config.limit {
        let (code, what) = if quota {
            (codes::QUOTA_EXCEEDED, "Quota exceeded.")
        } else {
            (codes::RATE_LIMIT_EXCEEDED, "Rate limit exceeded.")
        };
        return Outcome::Fail(PolicyFailure::new(
            "Other",
            code,
            StatusCode::TOO_MANY_REQUESTS,
            what,
        ));
    }
    Outcome::Continue
}

fn apply_headers(rules: &HeaderRules, headers: &mut HeaderMap, on_response: bool) {
    for (stripper, apply_to) in &rules.strip {
        if !apply_to.applies(on_response) {
            continue;
        }
        match stripper {
            Stripper::Name(name) => {
                headers.remove(name);
            }
            Stripper::Pattern(re) => {
                let doomed: Vec<HeaderName> = headers
                    .keys()
                    .filter(|k| re.is_match(k.as_str()))
                    .cloned()
                    .collect();
                for name in doomed {
                    headers.remove(name);
                }
            }
        }
    }
    for (name, value, apply_to, overwrite) in &rules.add {
        if apply_to.applies(on_response) && (*overwrite || !headers.contains_key(name)) {
            headers.insert(name.clone(), value.clone());
        }
    }
}

fn cors_request<'a>(c: &'a CorsConfig, ex: &mut Exchange<'a>) -> Outcome {
    let Some(origin) = ex.headers.get(header::ORIGIN).cloned() else {
        return Outcome::Continue;
    };
    let allowed = origin.to_str().is_ok_and(|o| c.origin_allowed(o));
    let preflight = ex.method == Method::OPTIONS
        && ex
            .headers
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if !allowed {
        return if c.terminate_on_invalid_request || preflight {
            Outcome::Fail(PolicyFailure::new(
                "Other",
                codes::CORS_ORIGIN_NOT_ALLOWED,
                StatusCode::FORBIDDEN,
                "This origin may not call this API.",
            ))
        } else {
            Outcome::Continue
        };
    }
    let echoed = if c.allow_origin.iter().any(|o| o == "*") && !c.allow_credentials {
        HeaderValue::from_static("*")
    } else {
        origin
    };
    if preflight {
        let mut h = HeaderMap::new();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, echoed);
        if let Ok(v) = HeaderValue::from_str(&c.allow_methods.join(", ")) {
            h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, v);
        }
        let requested = ex
            .headers
            .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
            .cloned();
        let allow_headers = if c.allow_headers.is_empty() {
            requested
        } else {
            HeaderValue::from_str(&c.allow_headers.join(", ")).ok()
        };
        if let Some(v) = allow_headers {
            h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, v);
        }
        if c.allow_credentials {
            h.insert(
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
        }
        if let Some(age) = c.max_age {
            h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from(age));
        }
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
        return Outcome::Respond(StatusCode::OK, h);
    }
    ex.cors = Some((echoed, c));
    Outcome::Continue
}

async fn basic(b: &BasicAuth, ex: &mut Exchange<'_>) -> Outcome {
    let realm = &b.config.realm;
    let challenge = |message: &str, code| {
        let mut f = PolicyFailure::new("Authentication", code, StatusCode::UNAUTHORIZED, message);
        f.message = format!("{message} (realm \"{realm}\")");
        Outcome::Fail(f)
    };
    if b.config.require_transport_security && !ex.https {
        return Outcome::Fail(PolicyFailure::new(
            "Authentication",
            codes::TRANSPORT_SECURITY_REQUIRED,
            StatusCode::FORBIDDEN,
            "This API requires HTTPS for BASIC authentication.",
        ));
    }
    let Some(credentials) = ex
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|v| {
            base64::engine::general_purpose::STANDARD
                .decode(v.trim())
                .ok()
        })
        .and_then(|v| String::from_utf8(v).ok())
    else {
        return challenge("BASIC authentication required.", codes::BASIC_AUTH_REQUIRED);
    };
    let Some((user, password)) = credentials.split_once(':') else {
        return challenge("BASIC authentication failed.", codes::BASIC_AUTH_FAILED);
    };
    let digest: [u8; 32] = Sha256::digest(credentials.as_bytes()).into();
    let ok = match b.verified.get(&digest).map(|v| *v) {
        Some(known) => known,
        None => {
            let hash = b
                .config
                .static_identity
                .identities
                .iter()
                .find(|i| i.username == user)
                .and_then(|i| i.password_hash.clone());
            let ok = match hash {
                Some(h) => app::auth::password::verify(password.to_string(), h).await,
                None => false,
            };
            // Only successes are cached: a cache of failures would grow with every guess.
            if ok {
                b.verified.insert(digest, true);
            }
            ok
        }
    };
    if !ok {
        return challenge("BASIC authentication failed.", codes::BASIC_AUTH_FAILED);
    }
    ex.headers.remove(header::AUTHORIZATION);
    if let Some(h) = &b.config.forward_identity_http_header
        && let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(h.as_bytes()),
            HeaderValue::from_str(user),
        )
    {
        ex.headers.insert(name, value);
    }
    Outcome::Continue
}

/// Runs the response half of a chain (in reverse order) on the response headers.
pub fn on_response(chain: &[Compiled], headers: &mut HeaderMap) {
    for policy in chain.iter().rev() {
        if let Kind::Headers(rules) = &policy.kind {
            apply_headers(rules, headers, true);
        }
    }
}

/// Headers every response of this exchange carries: rate-limit figures and CORS.
pub fn finish(ex: Exchange<'_>, headers: &mut HeaderMap) {
    if headers.is_empty() {
        *headers = ex.response_headers;
    } else {
        // Replaces what `headers` has under the same names, as `insert` would.
        headers.extend(ex.response_headers);
    }
    if let Some((origin, c)) = ex.cors {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        if c.allow_credentials {
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
        }
        if !c.expose_headers.is_empty()
            && let Ok(v) = HeaderValue::from_str(&c.expose_headers.join(", "))
        {
            headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, v);
        }
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
    }
}
