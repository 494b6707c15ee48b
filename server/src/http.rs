//! The HTTP surface: Leptos pages and server functions, static files, health checks.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{any, get};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use sqlx::PgPool;
use tower_http::trace::TraceLayer;

use app::state::AppState;
use app::{App, shell};

pub fn router(pool: PgPool, options: LeptosOptions) -> Router {
    let routes = generate_route_list(App);
    let state = AppState::new(pool.clone());
    let context = move || provide_context(state.clone());
    let fallback_context = context.clone();
    let health = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/echo", any(crate::echo::echo))
        .route("/echo/{*path}", any(crate::echo::echo))
        .layer(DefaultBodyLimit::disable())
        .with_state(pool);
    Router::new()
        .leptos_routes_with_context(&options, routes, context, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context(
            fallback_context,
            shell,
        ))
        .with_state(options)
        .merge(health)
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
