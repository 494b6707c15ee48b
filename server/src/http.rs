//! The HTTP surface: Leptos pages and server functions, static files, health checks.

use axum::Router;
use axum::extract::State;
use axum::handler::Handler;
use axum::http::StatusCode;
use axum::routing::get;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use sqlx::PgPool;
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

use std::sync::Arc;

use app::state::AppState;

use crate::gateway::Gateway;
use app::{App, shell};

/// Health checks and the built-in echo upstream.
pub fn health(pool: PgPool) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .with_state(pool)
        .merge(crate::echo::routes())
}

pub fn router(
    pool: PgPool,
    options: LeptosOptions,
    gateway: &Arc<Gateway>,
    self_signup: bool,
) -> Router {
    let routes = generate_route_list(App);
    let state = AppState::new(pool.clone()).with_self_signup(self_signup);
    let context = move || provide_context(state.clone());
    let fallback_context = context.clone();
    let plain = health(pool).merge(gateway.router());
    Router::new()
        .leptos_routes_with_context(&options, routes, context, {
            let options = options.clone();
            move || shell(options.clone())
        })
        // The site's files (wasm, JS, CSS, favicon) come from site_root; any other address gets
        // Leptos' "Page not found" (404). Leptos' own file handler is not used for the files: it
        // answers a browser's revalidation (304) with the 404 page, and it extends each file's
        // response with whatever response options the thread's current reactive owner holds,
        // which can be those of a page rendered before: the wasm was seen answering a page's 403.
        .fallback_service(
            ServeDir::new(&*options.site_root).fallback(
                leptos_axum::file_and_error_handler_with_context(fallback_context, shell)
                    .with_state(options.clone()),
            ),
        )
        .with_state(options)
        .merge(plain)
        .layer(TraceLayer::new_for_http())
}

/// Ready when the database answers.
async fn readyz(State(pool): State<PgPool>) -> (StatusCode, &'static str) {
    match sqlx::query("SELECT 1").execute(&pool).await {
        Ok(_) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}
