//! What the server hands to every server function through Leptos context.

use std::sync::Arc;

use leptos::prelude::use_context;
use sqlx::PgPool;

use crate::auth::throttle::LoginThrottle;
use crate::error::{AppError, AppResult};

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub throttle: Arc<LoginThrottle>,
    /// Whether visitors may create their own Developer Portal accounts.
    pub self_signup: bool,
}

impl AppState {
    pub fn new(pool: PgPool) -> Self {
        Self {
            pool,
            throttle: Arc::new(LoginThrottle::default()),
            self_signup: true,
        }
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
