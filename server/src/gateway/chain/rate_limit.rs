//! Rate Limiting and Quota: one hit per request in the bucket of whom the policy counts.

use app::domain::policy::{Granularity, RateLimit};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use chrono::Utc;

use super::{Exchange, Outcome, fail};
use crate::gateway::errors::codes;
use crate::gateway::limits::{BucketKey, Counters, window};

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

pub(super) async fn check(
    id: i64,
    policy: &RateLimit,
    ex: &mut Exchange<'_>,
    counters: &Counters,
) -> Outcome {
    let config = &policy.config;
    let now = Utc::now();
    let w = window(config.period, now);
    // The bucket: this policy, this window, and whom it counts (tagged, so that a client id
    // and an API id of the same number are different subjects).
    let key = match config.granularity {
        Granularity::Client => ex.client_id.map(|c| BucketKey::new(id, w, (b'c', c))),
        Granularity::Api => Some(BucketKey::new(id, w, (b'a', ex.api_id))),
        Granularity::Ip => Some(BucketKey::new(id, w, (b'i', ex.client_ip))),
        Granularity::User => policy
            .user_header
            .as_ref()
            .and_then(|h| ex.headers.get(h))
            .map(|u| BucketKey::new(id, w, (b'u', u.as_bytes()))),
    };
    // Without an identity (a public API per client, a missing user header) the policy cannot
    // count anyone: it lets the request through, as apiman does. So does a full counter map.
    let Some(key) = key else {
        return Outcome::Continue;
    };
    let Some(count) = counters.hit(key, w).await else {
        return Outcome::Continue;
    };
    let names = if policy.quota {
        &QUOTA_HEADERS
    } else {
        &RATE_LIMIT_HEADERS
    };
    let remaining = config.limit.saturating_sub(count);
    let reset = (w.resets_at - now).num_seconds().max(0).unsigned_abs();
    for (name, value) in names.iter().zip([config.limit, remaining, reset]) {
        ex.response_headers
            .insert(name.clone(), HeaderValue::from(value));
    }
    if count > config.limit {
        let (code, what) = if policy.quota {
            (codes::QUOTA_EXCEEDED, "Quota exceeded.")
        } else {
            (codes::RATE_LIMIT_EXCEEDED, "Rate limit exceeded.")
        };
        return fail(code, StatusCode::TOO_MANY_REQUESTS, what);
    }
    Outcome::Continue
}
