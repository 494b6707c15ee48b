//! The console's listener: its request-body cap, and no gateway on its origin.

use app::store::PgPool;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use leptos::config::LeptosOptions;
use server::http::{ConsoleSettings, router};
use tower::ServiceExt;

fn console(pool: PgPool, max_body_bytes: usize) -> axum::Router {
    console_at(pool, max_body_bytes, "target/site", false)
}

fn console_at(pool: PgPool, max_body_bytes: usize, site: &str, hashed: bool) -> axum::Router {
    let options = LeptosOptions::builder()
        .output_name("gatehouse")
        .site_root(site)
        .hash_files(hashed)
        .build();
    let settings = ConsoleSettings {
        self_signup: true,
        gateway_url: "http://127.0.0.1:8080".into(),
        max_body_bytes,
        upstream_guard: Default::default(),
        trusted_proxies: Default::default(),
        limits: None,
        analytics_minute_days: 30,
        try_relay: None,
        shared: Default::default(),
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
        app: Box::new(move || server::workers::App::Router(console(pool.clone(), 1 << 20))),
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

/// A site root with one built asset and its precompressed variants (distinct bytes, so the test
/// sees which one was sent).
fn site_with_asset(name: &str) -> std::path::PathBuf {
    let root = std::env::temp_dir().join(format!("gatehouse-site-{}-{name}", std::process::id()));
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).expect("site");
    std::fs::write(pkg.join(name), vec![b'w'; 4096]).expect("raw");
    std::fs::write(pkg.join(format!("{name}.br")), b"brotli variant").expect("br");
    std::fs::write(pkg.join(format!("{name}.gz")), b"gzip variant").expect("gz");
    root
}

async fn get(app: axum::Router, path: &str, accept: &str) -> axum::response::Response {
    let mut request = Request::get(path);
    if !accept.is_empty() {
        request = request.header("accept-encoding", accept);
    }
    app.oneshot(request.body(Body::empty()).expect("request"))
        .await
        .expect("response")
}

fn header<'a>(response: &'a axum::response::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .map_or("", |v| v.to_str().unwrap_or("?"))
}

async fn body(response: axum::response::Response) -> Vec<u8> {
    use http_body_util::BodyExt;
    response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec()
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn assets_are_sent_precompressed_and_hashed_ones_kept_for_a_year(pool: PgPool) {
    let name = "gatehouse.0a1b2c3d.wasm";
    let root = site_with_asset(name);
    // With hashing on, Leptos reads the hashes from beside the executable, where cargo-leptos
    // writes them.
    let exe = std::env::current_exe().expect("exe");
    let hashes = exe.parent().expect("dir").join("hash.txt");
    std::fs::write(&hashes, "js: 0a1b2c3d\nwasm: 0a1b2c3d\ncss: 0a1b2c3d\n").expect("hashes");
    let app = console_at(pool, 1 << 20, root.to_str().expect("utf-8"), true);
    let path = format!("/pkg/{name}");
    for (accept, encoding, expected) in [
        ("gzip, deflate, br", "br", b"brotli variant".to_vec()),
        ("gzip", "gzip", b"gzip variant".to_vec()),
        ("", "", vec![b'w'; 4096]),
        ("identity", "", vec![b'w'; 4096]),
    ] {
        let response = get(app.clone(), &path, accept).await;
        assert_eq!(response.status(), StatusCode::OK, "{accept}");
        assert_eq!(header(&response, "content-encoding"), encoding, "{accept}");
        assert_eq!(
            header(&response, "cache-control"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(body(response).await, expected, "{accept}");
    }
    // A missing asset is not cached for a year.
    let missing = get(app, "/pkg/gatehouse.ffff.wasm", "br").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(header(&missing, "cache-control"), "no-cache");
    let _ = std::fs::remove_dir_all(root);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn unhashed_assets_and_pages_are_revalidated_and_pages_compressed(pool: PgPool) {
    let name = "gatehouse.wasm";
    let root = site_with_asset(name);
    let app = console_at(pool, 1 << 20, root.to_str().expect("utf-8"), false);
    let asset = get(app.clone(), &format!("/pkg/{name}"), "br").await;
    assert_eq!(header(&asset, "cache-control"), "no-cache");
    // Without a precompressed variant the wasm is sent as it is, never compressed per request.
    std::fs::remove_file(root.join("pkg").join(format!("{name}.br"))).expect("rm br");
    std::fs::remove_file(root.join("pkg").join(format!("{name}.gz"))).expect("rm gz");
    let raw = get(app.clone(), &format!("/pkg/{name}"), "br, gzip").await;
    assert_eq!(header(&raw, "content-encoding"), "");
    // Pages are compressed on the fly and revalidated.
    for (accept, encoding) in [("br", "br"), ("gzip", "gzip"), ("", "")] {
        let page = get(app.clone(), "/login", accept).await;
        assert_eq!(page.status(), StatusCode::OK);
        assert_eq!(header(&page, "content-encoding"), encoding, "{accept}");
        assert_eq!(header(&page, "cache-control"), "no-cache");
        assert!(header(&page, "content-type").starts_with("text/html"));
    }
    let _ = std::fs::remove_dir_all(root);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn the_log_export_streams_to_its_end_through_compression(pool: PgPool) {
    use app::store::users::NewUser;
    app::api::users::service::create(
        &pool,
        "system",
        NewUser {
            username: "admin",
            display_name: "Admin",
            email: "",
            password_hash: "!",
            is_admin: true,
            portal_only: false,
        },
    )
    .await
    .expect("user");
    app::api::orgs::service::create(&pool, "admin", "ACME", "ACME", "")
        .await
        .expect("org");
    let token = app::auth::token::new_token();
    app::store::sessions::create(
        &pool,
        &app::auth::token::hash(&token),
        "admin",
        chrono::Utc::now() + chrono::Duration::hours(1),
    )
    .await
    .expect("session");
    let app = console(pool, 4096);
    let request = Request::get("/api/analytics/export.csv?scope=org&org=ACME&range=24h")
        .header("cookie", format!("gatehouse_session={token}"))
        .header("accept-encoding", "gzip")
        .body(Body::empty())
        .expect("request");
    let response = app.oneshot(request).await.expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "content-encoding"), "gzip");
    // Read to the end: the body must end cleanly (it once panicked when polled past its end).
    let bytes = body(response).await;
    assert!(!bytes.is_empty());
}
