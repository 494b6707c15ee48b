//! What the server hands to every server function through Leptos context.

use std::sync::Arc;

use leptos::prelude::use_context;
use sqlx::PgPool;

use crate::auth::throttle::LoginThrottle;
use crate::domain::upstream_guard::UpstreamGuard;
use crate::error::{AppError, AppResult};

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub throttle: Arc<LoginThrottle>,
    /// Whether visitors may create their own Developer Portal accounts.
    pub self_signup: bool,
    /// The gateway's public base URL (`GATEHOUSE_GATEWAY_URL`), no trailing slash: every
    /// managed endpoint shown to users starts with it.
    pub gateway_url: Arc<str>,
    /// Which upstream addresses endpoints may not have (checked when saved).
    pub upstream_guard: Arc<UpstreamGuard>,
}

impl AppState {
    pub fn new(pool: PgPool) -> Self {
        Self {
            pool,
            throttle: Arc::new(LoginThrottle::default()),
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
        }
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
