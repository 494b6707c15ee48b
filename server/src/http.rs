//! The console's HTTP surface: Leptos pages and server functions, static files, health checks
//! and the built-in echo upstream. The gateway is served on a listener of its own (lib.rs), so
//! that upstream content never runs on the console's origin.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::handler::Handler;
use axum::http::StatusCode;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use sqlx::PgPool;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::gateway::client_addr::TrustedProxies;
use app::auth::throttle::ClientIp;

use app::state::AppState;

use app::{App, shell};

/// Health checks, on every listener but the metrics one.
pub fn health(pool: PgPool) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .with_state(pool)
}

/// What the console's router is built with, besides the pool and the Leptos options.
pub struct ConsoleSettings {
    pub self_signup: bool,
    /// `GATEHOUSE_GATEWAY_URL`, shown in managed endpoints.
    pub gateway_url: String,
    /// Request bodies larger than this get 413.
    pub max_body_bytes: usize,
    /// Upstream addresses refused when an endpoint is saved.
    pub upstream_guard: app::domain::upstream_guard::UpstreamGuard,
    /// `GATEHOUSE_TRUSTED_PROXIES`: whose `X-Forwarded-For` names the client (sign-in throttling).
    pub trusted_proxies: TrustedProxies,
    /// The in-process gateway's counters, for the usage pages' limits.
    pub limits: Option<std::sync::Arc<dyn app::state::LimitProbe>>,
    /// `GATEHOUSE_ANALYTICS_MINUTE_DAYS`.
    pub analytics_minute_days: i64,
    /// Sends the portal's Try it calls to the gateway.
    pub try_relay: Option<std::sync::Arc<dyn app::state::TryRelay>>,
    /// Limits every worker's console counts together (sign-in throttling, Try it in flight).
    pub shared: app::state::Shared,
}

pub fn router(pool: PgPool, options: LeptosOptions, settings: &ConsoleSettings) -> Router {
    let routes = generate_route_list(App);
    let state = AppState::new(pool.clone())
        .with_shared(&settings.shared)
        .with_self_signup(settings.self_signup)
        .with_gateway_url(&settings.gateway_url)
        .with_upstream_guard(settings.upstream_guard.clone())
        .with_analytics_minute_days(settings.analytics_minute_days);
    let state = match &settings.limits {
        Some(probe) => state.with_limits(std::sync::Arc::clone(probe)),
        None => state,
    };
    let state = match &settings.try_relay {
        Some(relay) => state.with_try_relay(std::sync::Arc::clone(relay)),
        None => state,
    };
    let export = app::api::analytics::export::routes(state.clone())
        .merge(app::api::definitions::download::routes(state.clone()));
    let context = move || provide_context(state.clone());
    let fallback_context = context.clone();
    let plain = health(pool).merge(crate::echo::routes());
    let router = Router::new()
        .leptos_routes_with_context(&options, routes, context, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .merge(export)
        // The site's files (wasm, JS, CSS, favicon) come from site_root; any other address gets
        // Leptos' "Page not found" (404). Leptos' own file handler is not used for the files: it
        // answers a browser's revalidation (304) with the 404 page, and it extends each file's
        // response with whatever response options the thread's current reactive owner holds,
        // which can be those of a page rendered before: the wasm was seen answering a page's 403.
        // Brotli and gzip variants written at build time (`scripts/build.sh`) are sent to the
        // browsers that accept them.
        .fallback_service(
            ServeDir::new(&*options.site_root)
                .precompressed_br()
                .precompressed_gzip()
                .fallback(
                    leptos_axum::file_and_error_handler_with_context(fallback_context, shell)
                        .with_state(options.clone()),
                ),
        )
        .layer(axum::middleware::from_fn_with_state(
            CacheRules::new(&options),
            cache_control,
        ))
        .layer(compression())
        .with_state(options)
        // Pages and server functions only: `/echo` is an upstream, not a console action.
        .layer(axum::middleware::from_fn(crate::cross_site::guard))
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(settings.trusted_proxies.clone()),
            client_address,
        ))
        .merge(plain)
        .layer(axum::middleware::from_fn_with_state(
            settings.max_body_bytes,
            cap_body,
        ));
    with_security_headers(router).layer(TraceLayer::new_for_http())
}

/// Pages and server-function answers compressed on the fly (brotli at quality 4, gzip). Not the
/// WebAssembly: in a release build it is precompressed at build time (best quality, once), and
/// compressing the development build's tens of megabytes per request would cost more than it saves
/// on a local link. Responses that already have a `Content-Encoding` pass unchanged.
fn compression() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new().br(true).gzip(true).compress_when(
        DefaultPredicate::new().and(NotForContentType::const_new("application/wasm")),
    )
}

/// Which responses browsers may keep.
#[derive(Clone)]
struct CacheRules {
    /// `/pkg/`: the site's built assets.
    assets: Arc<str>,
    /// File names carry a content hash (`LEPTOS_HASH_FILES`), so an asset never changes.
    hashed: bool,
}

impl CacheRules {
    fn new(options: &LeptosOptions) -> Self {
        Self {
            assets: format!("/{}/", options.site_pkg_dir).into(),
            hashed: options.hash_files,
        }
    }
}

/// Hashed assets are kept for a year without asking again; everything else (pages, server
/// functions, unhashed files) is revalidated on every use, so a new release shows at once.
async fn cache_control(State(rules): State<CacheRules>, request: Request, next: Next) -> Response {
    let immutable = rules.hashed && request.uri().path().starts_with(&*rules.assets);
    let mut response = next.run(request).await;
    let value = if immutable && response.status() == StatusCode::OK {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    response
        .headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static(value));
    response
}

/// Headers on every console and portal response. Pages carry their own, nonced policy (set by
/// the shell); everything else gets one under which nothing runs.
fn with_security_headers(router: Router) -> Router {
    let set =
        |name, value| SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value));
    router
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(app::ui::csp::FALLBACK_POLICY),
        ))
        .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(set(header::REFERRER_POLICY, "same-origin"))
        // For browsers without CSP's frame-ancestors.
        .layer(set(header::X_FRAME_OPTIONS, "DENY"))
}

/// Puts the client's address (the socket peer, or the client behind trusted proxies) into the
/// request for the sign-in throttle. A trusted proxy's malformed `X-Forwarded-For` counts as the
/// proxy itself, so such requests share one, stricter, allowance.
async fn client_address(
    State(proxies): State<Arc<TrustedProxies>>,
    mut request: Request,
    next: Next,
) -> Response {
    if let Some(ConnectInfo(peer)) = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .copied()
    {
        let forwarded = request.headers().get_all("x-forwarded-for");
        let ip = proxies
            .client(peer.ip(), forwarded.iter())
            .unwrap_or(peer.ip());
        request.extensions_mut().insert(ClientIp(ip));
    }
    next.run(request).await
}

/// Reads a console request's body whole, up to `max` bytes, before anything else sees it: a
/// larger one (announced or streamed) gets 413 whatever route it was for. Server functions read
/// whole bodies anyway; the gateway, which streams, is on its own listener without this.
async fn cap_body(State(max): State<usize>, request: Request, next: Next) -> Response {
    let too_large = || {
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("The request body is larger than {max} bytes."),
        )
            .into_response()
    };
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > max as u64) {
        return too_large();
    }
    let (parts, body) = request.into_parts();
    match Limited::new(body, max).collect().await {
        Ok(collected) => {
            next.run(Request::from_parts(parts, Body::from(collected.to_bytes())))
                .await
        }
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => too_large(),
        Err(e) => {
            tracing::debug!(error = %e, "request body could not be read");
            (
                StatusCode::BAD_REQUEST,
                "The request body could not be read.",
            )
                .into_response()
        }
    }
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
