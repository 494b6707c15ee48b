//! What the server hands to every server function through Leptos context.

use std::sync::Arc;

use leptos::prelude::use_context;
use sqlx::PgPool;

use crate::api::try_it::in_flight::InFlight;
use crate::auth::throttle::LoginThrottle;
use crate::domain::analytics::report::LimitUse;
use crate::domain::try_it::{RelayAnswer, RelayCall, RelayFailure};
use crate::domain::upstream_guard::UpstreamGuard;
use crate::error::{AppError, AppResult};

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    /// Sign-in throttling and Try it calls in flight, one per process.
    pub shared: Shared,
    /// Whether visitors may create their own Developer Portal accounts.
    pub self_signup: bool,
    /// The gateway's public base URL (`GATEHOUSE_GATEWAY_URL`), no trailing slash: every
    /// managed endpoint shown to users starts with it.
    pub gateway_url: Arc<str>,
    /// Which upstream addresses endpoints may not have (checked when saved).
    pub upstream_guard: Arc<UpstreamGuard>,
    /// The gateway's rate-limit and quota counters, when a gateway runs in this process.
    pub limits: Option<Arc<dyn LimitProbe>>,
    /// Sends Try it calls to the gateway (`None`: Try it answers that it is not available).
    pub try_relay: Option<Arc<dyn TryRelay>>,
    /// Days the minute rollups are kept (`GATEHOUSE_ANALYTICS_MINUTE_DAYS`): older windows are
    /// charted from hours.
    pub analytics_minute_days: i64,
}

/// What the gateway's counters say about a contract right now: every Rate Limiting and Quota
/// policy of its client, plan and API chains that counts per client or per API, with the use
/// of its current window. Implemented by the gateway (server/src/gateway/probe.rs), read by
/// the Metrics tab of a client and the portal's Usage page.
pub trait LimitProbe: Send + Sync {
    fn limits(
        &self,
        client_version_id: i64,
        api_version_id: i64,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Vec<LimitUse>> + Send + '_>>;
}

/// Sends one checked Try it call (`api::try_it::service::prepare` decides where to) and reads
/// the answer within the time and size limits of `domain::try_it`. Implemented by the server
/// (server/src/try_relay.rs) with its HTTP client.
pub trait TryRelay: Send + Sync {
    fn send(
        &self,
        call: RelayCall,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<RelayAnswer, RelayFailure>> + Send + '_>,
    >;
}

/// What every HTTP worker's console must share, so that a limit holds per process and not per
/// worker thread (connections are spread over the workers): sign-in throttling and the Try it
/// calls in flight.
#[derive(Clone, Default)]
pub struct Shared {
    pub throttle: Arc<LoginThrottle>,
    /// Try it calls running per user (`MAX_TRY_IN_FLIGHT` each).
    pub try_in_flight: Arc<InFlight>,
}

impl AppState {
    pub fn new(pool: PgPool) -> Self {
        Self {
            pool,
            shared: Shared::default(),
            self_signup: true,
            gateway_url: Arc::from("http://127.0.0.1:8080"),
            // The gateway's and metrics' default listeners; the server sets its own.
            upstream_guard: Arc::new(UpstreamGuard {
                allow: Vec::new(),
                own: vec![
                    std::net::SocketAddr::from(([127, 0, 0, 1], 8080)),
                    std::net::SocketAddr::from(([127, 0, 0, 1], 9464)),
                ],
            }),
            limits: None,
            try_relay: None,
            analytics_minute_days: crate::domain::analytics::DEFAULT_MINUTE_DAYS,
        }
    }

    pub fn with_shared(mut self, shared: &Shared) -> Self {
        self.shared = shared.clone();
        self
    }

    pub fn with_analytics_minute_days(mut self, days: i64) -> Self {
        self.analytics_minute_days = days;
        self
    }

    pub fn with_limits(mut self, probe: Arc<dyn LimitProbe>) -> Self {
        self.limits = Some(probe);
        self
    }

    pub fn with_try_relay(mut self, relay: Arc<dyn TryRelay>) -> Self {
        self.try_relay = Some(relay);
        self
    }

    pub fn with_upstream_guard(mut self, guard: UpstreamGuard) -> Self {
        self.upstream_guard = Arc::new(guard);
        self
    }

    pub fn with_gateway_url(mut self, url: &str) -> Self {
        self.gateway_url = Arc::from(url.trim_end_matches('/'));
        self
    }

    pub fn with_self_signup(mut self, on: bool) -> Self {
        self.self_signup = on;
        self
    }
}

/// The state provided by the server; missing only if the wiring is broken.
pub fn state() -> AppResult<AppState> {
    use_context::<AppState>().ok_or_else(|| AppError::internal("wiring", "AppState not in context"))
}
