//! The console's defences as a browser meets them: the cross-site request guard, sign-in
//! throttling and the security headers on every page and server function.

use app::store::PgPool;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use leptos::config::LeptosOptions;
use leptos::server_fn::ServerFn;
use server::http::{ConsoleSettings, router};
use tower::ServiceExt;

fn console(pool: PgPool) -> axum::Router {
    consoles(pool, 1).remove(0)
}

/// `n` routers made from one process's settings, as its `n` HTTP workers make them.
fn consoles(pool: PgPool, n: usize) -> Vec<axum::Router> {
    let options = LeptosOptions::builder()
        .output_name("gatehouse")
        .site_root("target/site")
        .build();
    let settings = ConsoleSettings {
        self_signup: true,
        gateway_url: "http://127.0.0.1:8080".into(),
        max_body_bytes: 1 << 20,
        upstream_guard: Default::default(),
        trusted_proxies: Default::default(),
        limits: None,
        analytics_minute_days: 30,
        try_relay: None,
        shared: Default::default(),
    };
    (0..n)
        .map(|_| router(pool.clone(), options.clone(), &settings))
        .collect()
}

fn form_post(path: &str, body: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut r = Request::post(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("host", "127.0.0.1:3000");
    for (name, value) in headers {
        r = r.header(*name, *value);
    }
    r.body(Body::from(body.to_string())).expect("request")
}

async fn status(app: &axum::Router, request: Request<Body>) -> StatusCode {
    app.clone()
        .oneshot(request)
        .await
        .expect("response")
        .status()
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn cross_site_sign_in_and_registration_are_refused(pool: PgPool) {
    let app = console(pool.clone());
    let login = app::api::session::Login::PATH;
    let register = app::api::portal::CreatePortalAccount::PATH;
    let signup = "username=mallory&display_name=Mallory&email=m%40example.com&password=correct-horse-battery";
    for headers in [
        vec![("sec-fetch-site", "cross-site")],
        vec![("sec-fetch-site", "same-site")],
        vec![("origin", "http://evil.example")],
        vec![("origin", "http://127.0.0.1:8080")],
    ] {
        let r = form_post(login, "username=admin&password=guess", &headers);
        assert_eq!(status(&app, r).await, StatusCode::FORBIDDEN, "{headers:?}");
        let r = form_post(register, signup, &headers);
        assert_eq!(status(&app, r).await, StatusCode::FORBIDDEN, "{headers:?}");
    }
    let created: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE username = 'mallory'")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(created, 0, "a refused registration created nothing");

    // The console's own pages get through to the server function (which refuses the guess).
    for headers in [
        vec![("sec-fetch-site", "same-origin")],
        vec![("origin", "http://127.0.0.1:3000")],
        vec![],
    ] {
        let r = form_post(login, "username=admin&password=guess", &headers);
        assert_eq!(
            status(&app, r).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{headers:?}"
        );
    }
    // Following a link from another site is fine.
    let r = Request::get("/login")
        .header("sec-fetch-site", "cross-site")
        .body(Body::empty())
        .expect("request");
    assert_eq!(status(&app, r).await, StatusCode::OK);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn parallel_guesses_past_the_limit_never_reach_the_password_check(pool: PgPool) {
    // Two workers' consoles: connections are spread over them, the limit holds for both.
    let apps = consoles(pool, 2);
    let login = app::api::session::Login::PATH;
    let limit = app::auth::throttle::ThrottleLimits::default().per_username;
    let guesses = (0..20).map(|i| {
        let app = apps[i % 2].clone();
        let mut r = form_post(login, &format!("username=admin&password=guess-{i}"), &[]);
        let peer = std::net::SocketAddr::from(([192, 0, 2, (i % 4) as u8 + 1], 40000));
        r.extensions_mut().insert(axum::extract::ConnectInfo(peer));
        tokio::spawn(async move { app.oneshot(r).await.expect("response") })
    });
    let (mut checked, mut throttled) = (0, 0);
    for guess in guesses {
        let response = guess.await.expect("task");
        match response.status() {
            // The password was checked (and was wrong).
            StatusCode::UNPROCESSABLE_ENTITY => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                let wait: u64 = response.headers()["retry-after"]
                    .to_str()
                    .expect("ascii")
                    .parse()
                    .expect("seconds");
                assert!(wait > 0 && wait <= 15 * 60, "{wait}");
                throttled += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(
        checked, limit,
        "no more than the limit reached the password check"
    );
    assert_eq!(throttled, 20 - limit);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn over_long_usernames_are_refused_before_counting(pool: PgPool) {
    let app = console(pool);
    let login = app::api::session::Login::PATH;
    let long = "a".repeat(app::domain::text::USERNAME_MAX_LEN + 1);
    for _ in 0..40 {
        let r = form_post(login, &format!("username={long}&password=x"), &[]);
        let response = app.clone().oneshot(r).await.expect("response");
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .expect("body");
        assert!(String::from_utf8_lossy(&body).contains("at most 40 characters"));
    }
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn pages_and_server_functions_carry_the_security_headers(pool: PgPool) {
    let app = console(pool);
    let page = app
        .clone()
        .oneshot(Request::get("/login").body(Body::empty()).expect("request"))
        .await
        .expect("response");
    assert_eq!(page.status(), StatusCode::OK);
    let headers = page.headers().clone();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "same-origin");
    assert_eq!(headers["x-frame-options"], "DENY");
    let csp = headers["content-security-policy"].to_str().expect("ascii");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    // Every inline script of the page carries the nonce the policy names.
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy");
    let body = axum::body::to_bytes(page.into_body(), 1 << 22)
        .await
        .expect("body");
    let html = String::from_utf8_lossy(&body);
    let scripts: Vec<_> = html.match_indices("<script").collect();
    assert!(!scripts.is_empty());
    for (at, _) in scripts {
        let tag = &html[at..at + html[at..].find('>').expect("tag end")];
        assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "{tag}");
    }

    let call = form_post(
        app::api::session::Whoami::PATH,
        "",
        &[("sec-fetch-site", "same-origin")],
    );
    let response = app.oneshot(call).await.expect("response");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .expect("ascii");
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
}
