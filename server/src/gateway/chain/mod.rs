//! Policies run as a chain: client, then plan, then API policies on the request; the reverse
//! on the response. What a policy means (which paths, headers, addresses, times) is decided by
//! the matchers of `app::domain::policy`; this module only executes them on an exchange:
//! headers, counters and responses.

mod basic;
mod cors;
mod rate_limit;
#[cfg(test)]
mod tests;

use std::net::IpAddr;
use std::sync::Arc;

use app::domain::policy::{HeaderRules, IpMatcher, Matcher, StoredPolicy, Stripper};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use chrono::{Datelike, Timelike, Utc};

use super::client_addr::TrustedProxies;
use super::errors::{FailureType, PolicyFailure, codes};
use super::limits::Counters;

pub use basic::{AuthGuard, AuthLimits};

/// One policy, ready to run. `id` (the policy's row id) names its rate-limit buckets.
pub struct Compiled {
    pub id: i64,
    kind: Kind,
}

enum Kind {
    Run(Matcher),
    Basic(basic::BasicAuth),
    /// A stored policy that does not compile: refused requests rather than a silently skipped
    /// policy (an allow list or BASIC Authentication skipped would let everyone in).
    Broken,
}

pub type Chain = Arc<[Compiled]>;

/// What the chain needs besides the exchange: the counters and BASIC Authentication's guard.
pub struct Runtime {
    pub counters: Counters,
    pub auth: AuthGuard,
    pub trusted: TrustedProxies,
}

/// Compiles stored policies once; one that does not check out or compile is logged with its
/// reason and refuses every request until it is fixed.
pub fn compile<'a>(policies: impl IntoIterator<Item = &'a StoredPolicy>) -> Chain {
    policies
        .into_iter()
        .map(|policy| {
            let id = policy.id;
            let compiled = match &policy.config {
                Ok(c) => c
                    .compile()
                    .map_err(|e| format!("{}: {}", e.field, e.message)),
                Err(unusable) => Err(unusable.to_string()),
            };
            let kind = match compiled {
                Ok(Matcher::Basic(c)) => Kind::Basic(basic::BasicAuth::new(c)),
                Ok(m) => Kind::Run(m),
                Err(reason) => {
                    tracing::error!(
                        id,
                        policy_type = ?policy.policy_type(),
                        reason,
                        "invalid policy: its API refuses requests until it is fixed"
                    );
                    Kind::Broken
                }
            };
            Compiled { id, kind }
        })
        .collect()
}

/// What the policies see of a request, and the headers they add to its response.
pub struct Exchange<'a> {
    pub method: &'a Method,
    /// The normalised path below the API's base, "" or starting with '/'.
    pub path: &'a str,
    pub headers: &'a mut HeaderMap,
    /// The socket peer, and the client behind it (see `client_addr`).
    pub peer: IpAddr,
    pub client_ip: IpAddr,
    /// Identity for buckets: the client version, the API version.
    pub client_id: Option<i64>,
    pub api_id: i64,
    pub api_key: Option<&'a str>,
    pub https: bool,
    pub response_headers: HeaderMap,
    /// CORS origin accepted for this request, echoed on the response.
    cors: Option<(HeaderValue, &'a app::domain::policy::CorsConfig)>,
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
            client_ip: peer,
            client_id: None,
            api_id,
            api_key: None,
            https: false,
            response_headers: HeaderMap::new(),
            cors: None,
        }
    }

    /// The address an IP list checks. Its header is read only when the peer is a trusted
    /// proxy, with the same right-to-left walk as X-Forwarded-For; from anyone else it is the
    /// client's own writing, and the client address is used.
    fn ip_for(&self, list: &IpMatcher, trusted: &TrustedProxies) -> Option<IpAddr> {
        match &list.header {
            Some(name) if trusted.trusts(self.peer) => trusted
                .client(self.peer, self.headers.get_all(name).iter())
                .ok(),
            _ => Some(self.client_ip),
        }
    }
}

/// Runs one chain on the request, in order.
pub async fn on_request<'a>(chain: &'a [Compiled], ex: &mut Exchange<'a>, rt: &Runtime) -> Outcome {
    for policy in chain {
        let outcome = request(policy, ex, rt).await;
        if !matches!(outcome, Outcome::Continue) {
            return outcome;
        }
    }
    Outcome::Continue
}

fn fail(code: u32, status: StatusCode, message: &str) -> Outcome {
    Outcome::Fail(PolicyFailure::new(
        FailureType::Other,
        code,
        status,
        message,
    ))
}

async fn request<'a>(policy: &'a Compiled, ex: &mut Exchange<'a>, rt: &Runtime) -> Outcome {
    let matcher = match &policy.kind {
        Kind::Run(m) => m,
        Kind::Basic(b) => return basic::check(policy.id, b, ex, &rt.auth).await,
        Kind::Broken => {
            return fail(
                codes::POLICY_INVALID,
                StatusCode::INTERNAL_SERVER_ERROR,
                "A policy of this API is misconfigured; the gateway refuses requests until it is fixed.",
            );
        }
    };
    match matcher {
        Matcher::RateLimit(r) => rate_limit::check(policy.id, r, ex, &rt.counters).await,
        Matcher::IpAllow(list) => match ex.ip_for(list, &rt.trusted) {
            Some(ip) if list.contains(ip) => Outcome::Continue,
            _ => fail(
                codes::IP_NOT_ALLOWED,
                list.status,
                "Your IP address is not allowed to call this API.",
            ),
        },
        Matcher::IpBlock(list) => match ex.ip_for(list, &rt.trusted) {
            Some(ip) if list.contains(ip) => fail(
                codes::IP_BLOCKED,
                list.status,
                "Your IP address is blocked from calling this API.",
            ),
            _ => Outcome::Continue,
        },
        Matcher::Ignored(m) if m.ignores(ex.method, ex.path) => fail(
            codes::RESOURCE_IGNORED,
            StatusCode::NOT_FOUND,
            "This resource is not available through the gateway.",
        ),
        Matcher::Ignored(_) => Outcome::Continue,
        Matcher::ApiKey(name) => {
            if let Some(v) = ex.api_key.and_then(|k| HeaderValue::from_str(k).ok()) {
                ex.headers.insert(name.clone(), v);
            }
            Outcome::Continue
        }
        Matcher::Headers(rules) => {
            apply_headers(rules, ex.headers, false);
            Outcome::Continue
        }
        Matcher::Cors(c) => cors::request(c, ex),
        // Compiled into `Kind::Basic`.
        Matcher::Basic(_) => Outcome::Continue,
        Matcher::Time(m) => {
            let now = Utc::now();
            let weekday = now.weekday().number_from_monday() as u8;
            let minute = (now.hour() * 60 + now.minute()) as u16;
            if m.allows(weekday, minute, ex.path) {
                Outcome::Continue
            } else {
                fail(
                    codes::TIME_RESTRICTED,
                    StatusCode::FORBIDDEN,
                    "This resource cannot be called at this time.",
                )
            }
        }
    }
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
            Stripper::Pattern(_) => {
                let doomed: Vec<HeaderName> = headers
                    .keys()
                    .filter(|k| stripper.matches(k.as_str()))
                    .cloned()
                    .collect();
                for name in doomed {
                    headers.remove(name);
                }
            }
        }
    }
    for add in &rules.add {
        if add.apply_to.applies(on_response) && (add.overwrite || !headers.contains_key(&add.name))
        {
            headers.insert(add.name.clone(), add.value.clone());
        }
    }
}

/// Runs the response half of a chain (in reverse order) on the response headers.
pub fn on_response(chain: &[Compiled], headers: &mut HeaderMap) {
    for policy in chain.iter().rev() {
        if let Kind::Run(Matcher::Headers(rules)) = &policy.kind {
            apply_headers(rules, headers, true);
        }
    }
}

/// Headers every response of this exchange carries: rate-limit figures and CORS.
pub fn finish(ex: &mut Exchange<'_>, headers: &mut HeaderMap) {
    let own = std::mem::take(&mut ex.response_headers);
    if headers.is_empty() {
        *headers = own;
    } else {
        // Replaces what `headers` has under the same names, as `insert` would.
        headers.extend(own);
    }
    if let Some((origin, c)) = ex.cors.take() {
        cors::finish(origin, c, headers);
    }
}
