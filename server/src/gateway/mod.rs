//! The API gateway: `/gateway/{org}/{api}/{version}/{*path}`. It identifies the client by its
//! API key, runs the policy chain of the contract (client, plan, API on the request; the
//! reverse on the response) and streams the exchange to and from the upstream. Everything it
//! needs per request is in the in-memory registry: no database query on the request path.
//! This module does not depend on Leptos.

pub mod analytics;
pub mod chain;
pub mod client_addr;
pub mod connect;
pub mod cookies;
pub mod errors;
pub mod feed;
mod handle;
pub mod key_use;
pub mod limits;
pub mod load;
pub mod metrics;
pub mod path;
pub mod pool;
pub mod probe;
pub mod proxy;
pub mod registry;
pub mod tls;

use std::borrow::Cow;
use std::net::SocketAddr;
use std::sync::{Arc, Weak};

use app::domain::upstream_guard::UpstreamGuard;
use arc_swap::ArcSwap;
use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, Response};
use axum::routing::{any, get};
use sqlx::PgPool;

use chain::{AuthGuard, AuthLimits, Runtime};
use client_addr::TrustedProxies;
use limits::{CounterLimits, Counters};
use metrics::Metrics;
use proxy::{Timeouts, Upstream};
use registry::Registry;

pub struct GatewayConfig {
    pub timeouts: Timeouts,
    pub redis_url: Option<String>,
    /// Which upstream addresses are refused (and `GATEHOUSE_UPSTREAM_ALLOW`'s exceptions).
    pub upstream_guard: UpstreamGuard,
    /// Proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (see `client_addr`).
    pub trusted_proxies: TrustedProxies,
    pub counters: CounterLimits,
    pub auth: AuthLimits,
    pub analytics: analytics::AnalyticsConfig,
}

/// One HTTP worker's gateway: answers `/gateway/...` requests.
#[derive(Clone)]
pub struct Front(Arc<Worker>);

impl Front {
    /// One exchange; `peer` is the socket's other end.
    pub async fn handle(&self, peer: SocketAddr, request: Request) -> Response<Body> {
        handle::handle(&self.0, peer, request).await
    }
}

pub struct Gateway {
    /// Read by requests; replaced by the registry thread (`feed.rs`).
    pub registry: Arc<ArcSwap<Registry>>,
    pub feed_stats: Arc<feed::FeedStats>,
    _feed: feed::FeedHandle,
    runtime: Runtime,
    timeouts: Timeouts,
    metrics: Metrics,
    /// TLS trust for upstreams: the system's certificates.
    trust: tls::Trust,
    guard: Arc<UpstreamGuard>,
    analytics: Arc<analytics::Analytics>,
    key_use: Arc<key_use::KeyUse>,
}

/// The gateway as one HTTP worker serves it: shared registry, counters and metrics, and the
/// worker's own upstream connection pool, so that upstream connections stay on its thread.
struct Worker {
    gateway: Arc<Gateway>,
    upstream: Upstream,
    /// This worker's analytics buffer.
    shard: Arc<analytics::Shard>,
    /// The keys this worker's requests used since their last use was written.
    keys_used: Arc<key_use::Noted>,
    observers: metrics::Observers,
}

impl Gateway {
    /// Loads the registry, connects the counters and starts following changes.
    pub async fn start(pool: PgPool, config: GatewayConfig) -> anyhow::Result<Arc<Gateway>> {
        let counters = match &config.redis_url {
            None => Counters::local(config.counters),
            Some(url) => match Counters::redis(url, config.counters).await {
                Ok(c) => {
                    tracing::info!("rate limit counters are shared through Redis");
                    c
                }
                Err(e) => {
                    tracing::warn!(error = %e, "Redis unreachable at start: rate limits are counted per gateway process");
                    Counters::local(config.counters)
                }
            },
        };
        let trust = tls::Trust::from_system()?;
        let registry = Arc::new(ArcSwap::from_pointee(Registry::default()));
        let feed_stats = Arc::new(feed::FeedStats::default());
        let feed = feed::start(
            &pool,
            Arc::clone(&registry),
            trust.clone(),
            Arc::clone(&feed_stats),
        )
        .await?;
        let metrics = Metrics::new()?;
        let analytics = analytics::Analytics::new(
            pool.clone(),
            config.analytics,
            metrics.analytics_dropped.clone(),
        );
        analytics.start();
        let key_use = key_use::KeyUse::start(pool.clone());
        let gateway = Arc::new(Gateway {
            registry,
            feed_stats,
            _feed: feed,
            runtime: Runtime {
                counters,
                auth: AuthGuard::new(config.auth),
                trusted: config.trusted_proxies,
            },
            timeouts: config.timeouts,
            metrics,
            trust,
            guard: Arc::new(config.upstream_guard),
            analytics,
            key_use,
        });
        tokio::spawn(sweep(Arc::downgrade(&gateway)));
        Ok(gateway)
    }

    /// Local rate-limit buckets in use (for tests and diagnostics).
    pub fn buckets(&self) -> usize {
        self.runtime.counters.len()
    }

    /// What the console shows of this gateway's rate-limit and quota counters.
    pub fn probe(self: &Arc<Self>, pool: PgPool) -> Arc<dyn app::state::LimitProbe> {
        Arc::new(probe::Probe {
            gateway: Arc::downgrade(self),
            pool,
        })
    }

    /// The portal's Try it relay, trusting what the gateway trusts for HTTPS.
    pub fn try_relay(&self) -> Arc<dyn app::state::TryRelay> {
        Arc::new(crate::try_relay::Relay::new(&self.trust.config()))
    }

    /// Writes the analytics buffered so far: at shutdown, after the last request.
    pub async fn flush_analytics(&self) {
        self.analytics.flush().await;
    }

    /// Writes the last use of the keys used since the previous write (every minute anyway);
    /// returns how many keys.
    pub async fn flush_key_use(&self) -> usize {
        self.key_use.flush().await
    }

    /// The gateway as one HTTP worker serves it, with an upstream pool of its own. Made on the
    /// worker's runtime (the pool's sweeping task runs there).
    pub fn front(self: &Arc<Self>) -> Front {
        Front(Arc::new(Worker {
            gateway: Arc::clone(self),
            upstream: Upstream::new(self.timeouts, &self.trust, Arc::clone(&self.guard)),
            shard: self.analytics.shard(),
            keys_used: self.key_use.worker(),
            observers: metrics::Observers::default(),
        }))
    }

    /// The gateway's routes as an axum router, for serving it with `axum::serve` (tests); the
    /// HTTP workers call [`Front`] directly.
    pub fn router(self: &Arc<Self>) -> Router {
        let front = self.front();
        let route = move |ConnectInfo(peer): ConnectInfo<SocketAddr>, request: Request| {
            let front = front.clone();
            async move { front.handle(peer, request).await }
        };
        Router::new()
            .route("/gateway/{*rest}", any(route))
            .layer(DefaultBodyLimit::disable())
    }

    /// `/metrics`, for the private metrics listener only: it names every API.
    pub fn metrics_router(self: &Arc<Self>) -> Router {
        Router::new()
            .route("/metrics", get(metrics))
            .with_state(Arc::clone(self))
    }
}

async fn metrics(State(gateway): State<Arc<Gateway>>) -> String {
    gateway.metrics.render()
}

/// Drops counters of ended windows, for as long as the gateway lives.
async fn sweep(gateway: Weak<Gateway>) {
    let mut every = tokio::time::interval(limits::SWEEP_EVERY);
    loop {
        every.tick().await;
        let Some(gateway) = gateway.upgrade() else {
            return;
        };
        gateway.runtime.counters.sweep(chrono::Utc::now());
        gateway.runtime.auth.sweep();
    }
}

/// Splits "org/api/version/rest..." into the registry key and the path below the API.
fn split(rest: &str) -> Option<(&str, &str)> {
    let mut slashes = rest.match_indices('/').map(|(i, _)| i);
    let (_, _) = (slashes.next()?, slashes.next()?);
    match slashes.next() {
        Some(end) => Some((&rest[..end], &rest[end..])),
        None => Some((rest, "")),
    }
}

const X_API_KEY: axum::http::HeaderName = axum::http::HeaderName::from_static("x-api-key");

/// The API key from `X-API-Key`, else the `apikey` query parameter, and the query to forward
/// (without that parameter when the key came from it). Borrows where it can: this runs on
/// every request.
fn api_key<'a>(
    header: Option<&'a HeaderValue>,
    query: Option<&'a str>,
) -> (Option<&'a str>, Option<Cow<'a, str>>) {
    if let Some(key) = header.and_then(|v| v.to_str().ok()) {
        return (Some(key), query.map(Cow::Borrowed));
    }
    let Some(query) = query else {
        return (None, None);
    };
    if !query.split('&').any(|pair| pair.starts_with("apikey=")) {
        return (None, Some(Cow::Borrowed(query)));
    }
    let mut key = None;
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| match pair.strip_prefix("apikey=") {
            Some(k) => {
                key = Some(k);
                false
            }
            None => true,
        })
        .collect();
    (key, Some(Cow::Owned(kept.join("&"))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_into_api_and_rest() {
        assert_eq!(
            split("STRINGER/Echo/1.0/a/b"),
            Some(("STRINGER/Echo/1.0", "/a/b"))
        );
        assert_eq!(split("STRINGER/Echo/1.0"), Some(("STRINGER/Echo/1.0", "")));
        assert_eq!(
            split("STRINGER/Echo/1.0/"),
            Some(("STRINGER/Echo/1.0", "/"))
        );
        assert_eq!(split("STRINGER/Echo"), None);
    }

    #[test]
    fn keys_come_from_the_header_or_the_query_which_loses_them() {
        let from_query = api_key(None, Some("x=1&apikey=K&y=2"));
        assert_eq!(from_query, (Some("K"), Some(Cow::Borrowed("x=1&y=2"))));
        let h = HeaderValue::from_static("H");
        assert_eq!(
            api_key(Some(&h), Some("x=1")),
            (Some("H"), Some(Cow::Borrowed("x=1")))
        );
        assert_eq!(
            api_key(None, Some("x=1")),
            (None, Some(Cow::Borrowed("x=1")))
        );
        assert_eq!(api_key(None, None), (None, None));
    }
}
