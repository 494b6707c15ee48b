//! The console's listener: its request-body cap, and no gateway on its origin.

use app::store::PgPool;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use leptos::config::LeptosOptions;
use server::http::{ConsoleSettings, router};
use tower::ServiceExt;

fn console(pool: PgPool, max_body_bytes: usize) -> axum::Router {
    let options = LeptosOptions::builder()
        .output_name("gatehouse")
        .site_root("target/site")
        .build();
    let settings = ConsoleSettings {
        self_signup: true,
        gateway_url: "http://127.0.0.1:8080".into(),
        max_body_bytes,
        upstream_guard: Default::default(),
        trusted_proxies: Default::default(),
    };
    router(pool, options, &settings)
}

async fn status(app: axum::Router, request: Request<Body>) -> StatusCode {
    app.oneshot(request).await.expect("response").status()
}

fn post(path: &str, body: Vec<u8>, announced: bool) -> Request<Body> {
    let mut r = Request::post(path).header("content-type", "application/x-www-form-urlencoded");
    if announced {
        r = r.header("content-length", body.len());
    }
    r.body(Body::from(body)).expect("request")
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn bodies_over_the_cap_get_413(pool: PgPool) {
    let cap = 4096;
    let app = console(pool, cap);
    // A server function called with a body one byte too large, announced or streamed.
    let path = <app::api::session::Login as leptos::server_fn::ServerFn>::PATH;
    for announced in [true, false] {
        let over = status(app.clone(), post(path, vec![b'a'; cap + 1], announced)).await;
        assert_eq!(
            over,
            StatusCode::PAYLOAD_TOO_LARGE,
            "announced: {announced}"
        );
    }
    // At the cap the request reaches the server function (which refuses the nonsense form).
    let at = status(app, post(path, vec![b'a'; cap], true)).await;
    assert_ne!(at, StatusCode::PAYLOAD_TOO_LARGE);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn the_console_does_not_serve_the_gateway_or_metrics(pool: PgPool) {
    let app = console(pool, 1 << 20);
    for path in ["/gateway/STRINGER/PrivateEchoAPI/1.0/", "/metrics"] {
        let response = app
            .clone()
            .oneshot(Request::get(path).body(Body::empty()).expect("request"))
            .await
            .expect("response");
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(
            response.headers().get("x-gateway-error").is_none(),
            "{path}"
        );
    }
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn the_console_is_served_by_the_http_workers(pool: PgPool) {
    use server::workers::{Limits, Site, serve};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    // Each worker builds the Leptos router on its own runtime.
    let sites = vec![Site {
        name: "console",
        listener,
        app: Box::new(move || console(pool.clone(), 1 << 20)),
    }];
    let limits = Limits {
        header_read: std::time::Duration::from_secs(5),
        keep_alive: std::time::Duration::from_secs(5),
        body_idle: std::time::Duration::from_secs(5),
        max_header_bytes: 32 * 1024,
        max_connections: 16,
    };
    tokio::spawn(serve(sites, 2, limits, std::future::pending()));
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Body>();
    for path in ["/healthz", "/login"] {
        let response = client
            .request(
                Request::get(format!("http://{addr}{path}"))
                    .body(Body::empty())
                    .expect("request"),
            )
            .await
            .expect("response");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
}
