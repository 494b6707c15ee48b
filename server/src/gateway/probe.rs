//! The console's view of the gateway's rate-limit and quota counters (`app::state::LimitProbe`):
//! for a contract, each limit's current window and how much of it is used, read from the same
//! buckets the gateway counts in (Redis when configured, else this process's).
//!
//! Limits counted per client or per API have one bucket a consumer can be shown; those counted
//! per IP address or per user header have one bucket per caller, so they are left out.

use std::future::Future;
use std::pin::Pin;
use std::sync::Weak;

use app::domain::analytics::report::LimitUse;
use app::domain::policy::{Granularity, PolicyConfig, RateLimitConfig};
use app::state::LimitProbe;
use chrono::Utc;
use sqlx::PgPool;

use super::Gateway;
use super::limits::{BucketKey, window};

pub struct Probe {
    pub gateway: Weak<Gateway>,
    pub pool: PgPool,
}

impl LimitProbe for Probe {
    fn limits(
        &self,
        client_version_id: i64,
        api_version_id: i64,
    ) -> Pin<Box<dyn Future<Output = Vec<LimitUse>> + Send + '_>> {
        Box::pin(async move {
            let policies = match app::store::policies::limits_of_contract(
                &self.pool,
                client_version_id,
                api_version_id,
            )
            .await
            {
                Ok(p) => p,
                Err(e) => {
                    tracing::warn!(error = %e, "contract limits could not be read");
                    return Vec::new();
                }
            };
            let Some(gateway) = self.gateway.upgrade() else {
                return Vec::new();
            };
            let mut out = Vec::new();
            for (level, policy) in policies {
                let (name, config) = match &policy.config {
                    Ok(PolicyConfig::RateLimiting(c)) => ("Rate Limiting", c),
                    Ok(PolicyConfig::Quota(c)) => ("Quota", c),
                    _ => continue,
                };
                let Some(subject) = subject(config, client_version_id, api_version_id) else {
                    continue;
                };
                let now = Utc::now();
                let w = window(config.period, now);
                let key = match subject {
                    Subject::Client(id) => BucketKey::new(policy.id, w, (b'c', id)),
                    Subject::Api(id) => BucketKey::new(policy.id, w, (b'a', id)),
                };
                let used = gateway.runtime.counters.current(key).await;
                out.push(LimitUse {
                    policy: name.to_string(),
                    level: level.clone(),
                    period: config.period.label().to_lowercase(),
                    limit: config.limit,
                    used: used.min(config.limit),
                    remaining: config.limit.saturating_sub(used),
                    resets_at: w.resets_at,
                });
            }
            out
        })
    }
}

enum Subject {
    Client(i64),
    Api(i64),
}

/// Whom a limit counts, when that is one bucket: the same tags as `chain::rate_limit`.
fn subject(config: &RateLimitConfig, client: i64, api: i64) -> Option<Subject> {
    match config.granularity {
        Granularity::Client => Some(Subject::Client(client)),
        Granularity::Api => Some(Subject::Api(api)),
        Granularity::Ip | Granularity::User => None,
    }
}
