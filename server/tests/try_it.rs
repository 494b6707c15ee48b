//! Try it through the real relay and gateway: the call goes to the managed endpoint of the API
//! viewed with the chosen client's key, runs the policy chain, is cut at the size cap and the
//! time limit; hostile input never makes it call anything else; only the user's own clients
//! with an active contract (and keys they may see) can be used.

mod support;

use std::time::Duration;

use app::api::try_it::in_flight::InFlight;
use app::api::try_it::service;
use app::domain::policy::PolicyType;
use app::domain::refs::VersionRef;
use app::domain::try_it::{TryRequest, TryResponse};
use app::error::AppError;
use app::store::PgPool;
use support::*;

fn echo_api() -> VersionRef {
    // An empty version: the newest the portal lists, as the portal's links name it.
    VersionRef::new(ORG, "Echo", "")
}

fn app_client() -> Option<VersionRef> {
    Some(VersionRef::new(ORG, "App", "1.0"))
}

fn get(path: &str) -> TryRequest {
    TryRequest {
        method: "GET".into(),
        path: path.into(),
        ..TryRequest::default()
    }
}

async fn try_it(
    pool: &PgPool,
    gw: &str,
    who: &str,
    api: &VersionRef,
    client: Option<VersionRef>,
    request: &TryRequest,
) -> Result<TryResponse, AppError> {
    let who = portal_user(who);
    let call = service::prepare(pool, &who, gw, api, client.as_ref(), request).await?;
    let relay = try_relay(Duration::from_millis(300), 1024);
    service::send(&relay, &InFlight::default(), &who, call).await
}

fn field(e: AppError) -> String {
    match e {
        AppError::Field(f) => f.field,
        other => format!("{other:?}"),
    }
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn the_call_reaches_the_upstream_through_the_chain_with_the_clients_key(pool: PgPool) {
    let limit = form(
        PolicyType::RateLimiting,
        &[
            ("limit", "3"),
            ("period", "Hour"),
            ("granularity", "Client"),
        ],
    );
    let key = echo_world(&pool, &[limit]).await;
    let (_gw, addr) = gateway(&pool, None).await;
    let gw = format!("http://{addr}");

    let target = service::target(&pool, &portal_user("david"), &gw, &echo_api())
        .await
        .expect("target");
    assert_eq!(target.endpoint, format!("{gw}/gateway/{ORG}/Echo/1.0"));
    assert!(!target.public);
    assert_eq!(target.clients.len(), 1);
    assert_eq!(target.clients[0].client, VersionRef::new(ORG, "App", "1.0"));
    assert!(
        !target.clients[0].key_hint.contains(&key[4..]),
        "the key is masked"
    );

    let mut request = TryRequest {
        method: "post".into(),
        path: "/pets/{id}".into(),
        path_params: vec![("id".into(), "a b".into())],
        query: vec![("q".into(), "x&y".into())],
        headers: vec![("X-Note".into(), "hi".into())],
        body: Some("{\"name\":\"Rex\"}".into()),
    };
    let answer = try_it(&pool, &gw, "david", &echo_api(), app_client(), &request)
        .await
        .expect("answer");
    assert_eq!(answer.status, 200, "{}", answer.body);
    let echoed: serde_json::Value = serde_json::from_str(&answer.body).expect("json");
    assert_eq!(echoed["method"], "POST");
    assert_eq!(echoed["path"], "/pets/a%20b");
    assert_eq!(echoed["query"], "q=x%26y");
    assert_eq!(echoed["headers"]["x-note"], "hi");
    assert_eq!(echoed["body"], "{\"name\":\"Rex\"}");
    assert!(answer.body.starts_with("{\n  "), "pretty-printed");
    assert!(answer.latency_ms > 0.0);
    assert!(answer.curl.contains("$API_KEY") && !answer.curl.contains(&key));
    assert!(
        answer
            .curl
            .contains(&format!("'{gw}/gateway/{ORG}/Echo/1.0/pets/a%20b?q=x%26y'"))
    );

    // Try it counts like any other call: the limit of 3 an hour is reached on the fourth.
    request.body = None;
    request.method = "GET".into();
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let a = try_it(&pool, &gw, "david", &echo_api(), app_client(), &request).await;
        statuses.push(a.expect("answer").status);
    }
    assert_eq!(statuses, [200, 200, 429]);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn hostile_requests_never_leave_the_managed_endpoint(pool: PgPool) {
    echo_world(&pool, &[]).await;
    let gw = "http://gw.example";
    let endpoint = format!("{gw}/gateway/{ORG}/Echo/1.0");
    let nasty_paths = [
        "/../../admin",
        "/a/%2e%2e/b",
        "//evil.example/x",
        "@evil.example",
        "/x?y#z",
        "/\u{0}",
        "/{p}",
        "http://evil.example/",
    ];
    let nasty_values = [
        "..",
        "../../x",
        "/",
        "%2F..",
        "?a=b",
        "#f",
        "\r\nHost: evil",
    ];
    for path in nasty_paths {
        for value in nasty_values {
            let mut r = get(path);
            r.path_params = vec![("p".into(), value.into())];
            r.query = vec![
                ("apikey".into(), "stolen".into()),
                (value.into(), value.into()),
            ];
            match service::prepare(
                &pool,
                &portal_user("david"),
                gw,
                &echo_api(),
                app_client().as_ref(),
                &r,
            )
            .await
            {
                Ok((call, _)) => {
                    let rest = call
                        .url
                        .strip_prefix(&endpoint)
                        .expect("below the endpoint");
                    assert!(
                        rest.is_empty() || rest.starts_with('/') || rest.starts_with('?'),
                        "{rest}"
                    );
                    assert!(
                        !rest.contains("/../") && !rest.contains('#') && !rest.contains('\r'),
                        "{rest}"
                    );
                    let keys: Vec<_> = call
                        .headers
                        .iter()
                        .filter(|(n, _)| n == "x-api-key")
                        .collect();
                    assert_eq!(keys.len(), 1);
                }
                Err(e) => assert_eq!(field(e), "path", "{path} {value:?}"),
            }
        }
    }
    for (name, value) in [
        ("Host", "evil.example"),
        ("X-API-Key", "other"),
        ("Transfer-Encoding", "chunked"),
        ("Cookie", "s=1"),
        ("X-Forwarded-For", "203.0.113.9"),
        ("Forwarded", "for=203.0.113.9;proto=https"),
        ("X-Forwarded-Proto", "https"),
    ] {
        let mut r = get("/");
        r.headers = vec![(name.into(), value.into())];
        let e = service::prepare(
            &pool,
            &portal_user("david"),
            gw,
            &echo_api(),
            app_client().as_ref(),
            &r,
        )
        .await
        .expect_err(name);
        assert_eq!(field(e), "headers", "{name}");
    }
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn answers_are_cut_at_the_cap_and_the_time_limit(pool: PgPool) {
    let up = serve(
        axum::Router::new()
            .route("/big", axum::routing::get(|| async { "x".repeat(1025) }))
            .route("/exact", axum::routing::get(|| async { "y".repeat(1024) }))
            .route(
                "/slow",
                axum::routing::get(|| async {
                    tokio::time::sleep(Duration::from_secs(2)).await;
                    "late"
                }),
            )
            .route(
                "/redirect",
                axum::routing::get(|| async {
                    (
                        axum::http::StatusCode::FOUND,
                        [("location", "http://169.254.169.254/latest/meta-data/")],
                    )
                }),
            )
            .route(
                "/trickle",
                axum::routing::get(|| async {
                    // The head at once, then a byte every 100 ms for 2 s.
                    let chunks = futures_util::stream::unfold(0, |n| async move {
                        if n == 20 {
                            return None;
                        }
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        Some((
                            Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b"x")),
                            n + 1,
                        ))
                    });
                    axum::body::Body::from_stream(chunks)
                }),
            ),
    )
    .await;
    org(&pool).await;
    api(&pool, "Open", &format!("http://{up}"), true, &[], &[]).await;
    let (_gw, addr) = gateway_with(&pool, None, Duration::from_secs(5)).await;
    let gw = format!("http://{addr}");
    let open = VersionRef::new(ORG, "Open", "1.0");

    let big = try_it(&pool, &gw, "david", &open, None, &get("/big"))
        .await
        .expect("big");
    assert_eq!(
        (big.status, big.body.len(), big.truncated),
        (200, 1024, true)
    );
    let exact = try_it(&pool, &gw, "david", &open, None, &get("/exact"))
        .await
        .expect("exact");
    assert_eq!((exact.body.len(), exact.truncated), (1024, false));

    // The limit is for the whole answer: a late head (/slow) and a body that trickles in.
    for path in ["/slow", "/trickle"] {
        let started = std::time::Instant::now();
        let e = try_it(&pool, &gw, "david", &open, None, &get(path))
            .await
            .expect_err(path);
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{path}: {:?}",
            started.elapsed()
        );
        assert!(e.to_string().contains("did not answer"), "{path}: {e}");
    }

    // Redirects are shown, never followed.
    let moved = try_it(&pool, &gw, "david", &open, None, &get("/redirect"))
        .await
        .expect("302");
    assert_eq!(moved.status, 302);
    assert!(
        moved
            .headers
            .iter()
            .any(|(n, v)| n == "location" && v.contains("169.254.169.254"))
    );

    // Nothing listens there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr");
    let e = try_it(
        &pool,
        &format!("http://{closed}"),
        "david",
        &open,
        None,
        &get("/exact"),
    )
    .await
    .expect_err("unreachable");
    assert_eq!(field(e.clone()), "send");
    assert!(e.to_string().contains("could not be reached"), "{e}");
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn only_the_users_clients_with_an_active_contract_and_visible_keys(pool: PgPool) {
    echo_world(&pool, &[]).await;
    // A client without a contract, never registered.
    client(&pool, "Idle", &[], &[]).await;
    for (name, role) in [
        ("eve", None),
        ("vera", Some("viewer")),
        ("carl", Some("client_developer")),
    ] {
        sqlx::query(
            "INSERT INTO users (username, display_name, password_hash) VALUES ($1, $1, 'x')",
        )
        .bind(name)
        .execute(&pool)
        .await
        .expect("user");
        if let Some(role) = role {
            sqlx::query("INSERT INTO memberships (org_id, username, role) VALUES ($1, $2, $3)")
                .bind(ORG)
                .bind(name)
                .bind(role)
                .execute(&pool)
                .await
                .expect("member");
        }
    }
    let gw = "http://gw.example";
    let offered = |who: &'static str| {
        let pool = pool.clone();
        async move {
            service::target(&pool, &portal_user(who), gw, &echo_api())
                .await
                .expect("target")
                .clients
                .into_iter()
                .map(|c| c.client.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(offered("david").await, ["App"]);
    assert_eq!(offered("carl").await, ["App"]);
    assert!(offered("eve").await.is_empty());
    assert!(
        offered("vera").await.is_empty(),
        "a viewer may not use keys"
    );

    let r = get("/");
    let prepare = |who: &'static str, client: Option<VersionRef>| {
        let (pool, r) = (pool.clone(), r.clone());
        async move {
            service::prepare(
                &pool,
                &portal_user(who),
                gw,
                &echo_api(),
                client.as_ref(),
                &r,
            )
            .await
        }
    };
    assert_eq!(
        field(prepare("eve", app_client()).await.expect_err("eve")),
        "client"
    );
    assert_eq!(
        prepare("vera", app_client()).await.expect_err("vera"),
        AppError::Forbidden
    );
    assert!(prepare("carl", app_client()).await.is_ok());
    let idle = Some(VersionRef::new(ORG, "Idle", "1.0"));
    assert_eq!(
        field(prepare("david", idle).await.expect_err("idle")),
        "client"
    );
    // A private API is not tried without a key.
    assert_eq!(
        field(prepare("david", None).await.expect_err("no key")),
        "client"
    );
    // Versions the portal does not list are not found.
    let draft = VersionRef::new(ORG, "Echo", "9.9");
    let e = service::prepare(&pool, &portal_user("david"), gw, &draft, None, &r)
        .await
        .expect_err("draft");
    assert!(matches!(e, AppError::NotFound(_)), "{e:?}");
    // After the key is revoked, the client has no key to try with.
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM client_keys")
        .fetch_one(&pool)
        .await
        .expect("id");
    app::api::keys::service::revoke(&pool, "david", &VersionRef::new(ORG, "App", "1.0"), id)
        .await
        .expect("revoke");
    assert!(offered("david").await.is_empty());
    assert_eq!(
        field(prepare("david", app_client()).await.expect_err("revoked")),
        "client"
    );
}
