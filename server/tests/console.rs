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
