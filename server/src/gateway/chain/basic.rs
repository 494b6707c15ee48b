//! BASIC Authentication against static identities. Argon2 is slow on purpose, which makes it
//! a lever against the gateway: failures are throttled per client address and per username
//! (429 with Retry-After), verifications run at most `max_verifications` at a time, and an
//! unknown username is verified against a decoy hash so that it takes as long to refuse as a
//! wrong password.

use std::time::Duration;

use app::domain::policy::{BasicAuthConfig, Period};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use base64::Engine;
use chrono::Utc;
use dashmap::DashMap;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use super::{Exchange, Outcome};
use crate::gateway::errors::{FailureType, PolicyFailure, codes};
use crate::gateway::limits::{BucketKey, CounterLimits, Counters, window};

pub(super) struct BasicAuth {
    config: BasicAuthConfig,
    /// Verified credentials by SHA-256 of "user:password", so Argon2 runs once per secret.
    /// Only successes are kept: it holds at most one entry per identity and password.
    verified: DashMap<[u8; 32], ()>,
}

impl BasicAuth {
    pub(super) fn new(config: BasicAuthConfig) -> Self {
        Self {
            config,
            verified: DashMap::new(),
        }
    }
}

/// The numbers of BASIC Authentication's defences (see the README).
#[derive(Debug, Clone, Copy)]
pub struct AuthLimits {
    /// Failed attempts per minute from one client address, and for one username.
    pub failures_per_minute: u64,
    /// Argon2 verifications running at once, over all policies.
    pub max_verifications: usize,
    /// How long a request waits for a verification slot before a 503.
    pub verification_wait: Duration,
    /// Addresses and usernames whose failures are remembered at most.
    pub max_tracked: usize,
}

impl Default for AuthLimits {
    fn default() -> Self {
        Self {
            failures_per_minute: 10,
            max_verifications: 4,
            verification_wait: Duration::from_secs(5),
            max_tracked: 100_000,
        }
    }
}

/// Failure counts and the verification slots, shared by every BASIC Authentication policy.
pub struct AuthGuard {
    failures: Counters,
    slots: Semaphore,
    limits: AuthLimits,
}

impl AuthGuard {
    pub fn new(limits: AuthLimits) -> Self {
        Self {
            failures: Counters::local(CounterLimits {
                max_buckets: limits.max_tracked,
                ..CounterLimits::default()
            }),
            slots: Semaphore::new(limits.max_verifications),
            limits,
        }
    }

    /// Forgets failures of ended minutes.
    pub fn sweep(&self) {
        self.failures.sweep(Utc::now());
    }

    #[cfg(test)]
    pub(super) fn slots(&self) -> &Semaphore {
        &self.slots
    }
}

fn refusal(status: StatusCode, code: u32, message: String, retry_after: Option<u64>) -> Outcome {
    let mut f = PolicyFailure::new(FailureType::Authentication, code, status, message);
    f.retry_after = retry_after;
    Outcome::Fail(f)
}

/// "user:password" from the Authorization header.
fn credentials(ex: &Exchange<'_>) -> Option<String> {
    ex.headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|v| {
            base64::engine::general_purpose::STANDARD
                .decode(v.trim())
                .ok()
        })
        .and_then(|v| String::from_utf8(v).ok())
}

pub(super) async fn check(
    id: i64,
    b: &BasicAuth,
    ex: &mut Exchange<'_>,
    guard: &AuthGuard,
) -> Outcome {
    let realm = &b.config.realm;
    let challenge = |message: &str, code| {
        let text = format!("{message} (realm \"{realm}\")");
        refusal(StatusCode::UNAUTHORIZED, code, text, None)
    };
    if b.config.require_transport_security && !ex.https {
        let text = "This API requires HTTPS for BASIC authentication.".to_string();
        return refusal(
            StatusCode::FORBIDDEN,
            codes::TRANSPORT_SECURITY_REQUIRED,
            text,
            None,
        );
    }
    let Some(credentials) = credentials(ex) else {
        return challenge("BASIC authentication required.", codes::BASIC_AUTH_REQUIRED);
    };
    let Some((user, password)) = credentials.split_once(':') else {
        return challenge("BASIC authentication failed.", codes::BASIC_AUTH_FAILED);
    };
    let digest: [u8; 32] = Sha256::digest(credentials.as_bytes()).into();
    if !b.verified.contains_key(&digest) {
        let now = Utc::now();
        let w = window(Period::Minute, now);
        let keys = [
            BucketKey::new(id, w, (b'i', ex.client_ip)),
            BucketKey::new(id, w, (b'u', user)),
        ];
        let limit = guard.limits.failures_per_minute;
        if keys.iter().any(|k| guard.failures.peek(*k) >= limit) {
            let wait = (w.resets_at - now).num_seconds().max(1).unsigned_abs();
            let text = format!("Too many failed BASIC authentication attempts; retry in {wait} s.");
            return refusal(
                StatusCode::TOO_MANY_REQUESTS,
                codes::BASIC_AUTH_THROTTLED,
                text,
                Some(wait),
            );
        }
        let Ok(Ok(_slot)) =
            tokio::time::timeout(guard.limits.verification_wait, guard.slots.acquire()).await
        else {
            let text = "The gateway is busy verifying passwords; retry shortly.".to_string();
            return refusal(
                StatusCode::SERVICE_UNAVAILABLE,
                codes::BASIC_AUTH_BUSY,
                text,
                Some(1),
            );
        };
        let hash = b
            .config
            .static_identity
            .identities
            .iter()
            .find(|i| i.username == user)
            .and_then(|i| i.password_hash.clone());
        if verify(password, hash).await {
            b.verified.insert(digest, ());
        } else {
            for k in keys {
                guard.failures.hit(k, w).await;
            }
            return challenge("BASIC authentication failed.", codes::BASIC_AUTH_FAILED);
        }
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

/// Argon2 against the identity's hash, or against a decoy when there is none, so that
/// unknown usernames cost the same time as wrong passwords.
async fn verify(password: &str, hash: Option<String>) -> bool {
    let (hash, known) = match hash {
        Some(h) => (h, true),
        // The decoy is hashed once, off the async threads.
        None => (
            tokio::task::spawn_blocking(app::auth::password::decoy_hash)
                .await
                .unwrap_or_default(),
            false,
        ),
    };
    app::auth::password::verify(password.to_string(), hash).await && known
}
