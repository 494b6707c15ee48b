//! The gateway against real sockets: an upstream on an ephemeral port, gateways started on
//! their own ports, a fresh database per test.

mod support;

use std::time::{Duration, Instant};

use app::domain::lifecycle::ApiAction;
use app::domain::policy::PolicyType;
use app::store::PgPool;
use axum::body::Body;
use support::*;

async fn basic_world(pool: &PgPool) -> (std::net::SocketAddr, String) {
    let up = upstream().await;
    org(pool).await;
    plan(pool, "Open", &[]).await;
    let echo = format!("http://{up}/echo");
    api(pool, "Echo", &echo, false, &["Open"], &[]).await;
    api(pool, "Public", &echo, true, &[], &[]).await;
    api(pool, "Other", &echo, false, &["Open"], &[]).await;
    api(pool, "Old", &echo, false, &["Open"], &[]).await;
    app::api::apis::service::transition(pool, "david", (ORG, "Old", "1.0"), ApiAction::Retire)
        .await
        .expect("retire");
    api(pool, "Down", "http://127.0.0.1:1/", false, &["Open"], &[]).await;
    api(
        pool,
        "Slow",
        &format!("http://{up}/slow"),
        false,
        &["Open"],
        &[],
    )
    .await;
    let key = client(
        pool,
        "App",
        &[("Echo", "Open"), ("Down", "Open"), ("Slow", "Open")],
        &[],
    )
    .await;
    (up, key)
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn engine_errors_and_key_handling(pool: PgPool) {
    let (_, key) = basic_world(&pool).await;
    let (_, gw) = gateway(&pool, None).await;
    let http = http();
    let url = |api: &str, rest: &str| format!("http://{gw}/gateway/{ORG}/{api}/1.0{rest}");

    let ok = get(&http, &url("Echo", "/hello/world?x=1"), Some(&key)).await;
    assert_eq!(ok.status, 200);
    let echoed = ok.json();
    assert_eq!(
        echoed["path"],
        "/echo/hello/world".trim_start_matches("/echo")
    );
    assert_eq!(echoed["query"], "x=1");
    assert!(
        echoed["headers"].get("x-api-key").is_none(),
        "the key is stripped"
    );
    assert_eq!(echoed["headers"]["x-forwarded-for"], "127.0.0.1");
    assert_eq!(echoed["headers"]["x-forwarded-proto"], "http");

    let by_query = get(&http, &url("Echo", &format!("/q?apikey={key}&y=2")), None).await;
    assert_eq!(by_query.status, 200);
    assert_eq!(
        by_query.json()["query"],
        "y=2",
        "the apikey parameter is stripped"
    );

    let public = get(&http, &url("Public", "/"), None).await;
    assert_eq!(public.status, 200);

    let cases = [
        (url("Echo", "/"), None, 401, "ApiKeyRequired"),
        (url("Echo", "/"), Some("not-a-key"), 403, "InvalidApiKey"),
        (url("Other", "/"), Some(key.as_str()), 403, "NoContract"),
        (url("Old", "/"), Some(key.as_str()), 410, "ApiRetired"),
        (
            format!("http://{gw}/gateway/{ORG}/Nope/1.0/"),
            Some(key.as_str()),
            404,
            "ApiNotFound",
        ),
        (
            format!("http://{gw}/gateway/{ORG}/Echo"),
            Some(key.as_str()),
            400,
            "BadRequest",
        ),
        (
            url("Down", "/"),
            Some(key.as_str()),
            502,
            "UpstreamUnavailable",
        ),
        (url("Slow", ""), Some(key.as_str()), 504, "UpstreamTimeout"),
    ];
    for (u, k, status, error) in cases {
        let answer = get(&http, &u, k).await;
        assert_eq!(answer.status, status, "{u}");
        assert_eq!(answer.json()["error"], error, "{u}");
        assert!(!answer.header("x-gateway-error").is_empty(), "{u}");
    }
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn headers_and_large_bodies_pass_through_streaming(pool: PgPool) {
    let (_, key) = basic_world(&pool).await;
    let (_, gw) = gateway_with(&pool, None, Duration::from_secs(30)).await;
    let http = http();
    // Streamed from a generator, so the test itself never holds the 50 MB either.
    const CHUNK: usize = 64 * 1024;
    const CHUNKS: usize = 800;
    let chunk = bytes::Bytes::from(vec![b'x'; CHUNK]);
    let digest = {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        for _ in 0..CHUNKS {
            h.update(&chunk);
        }
        h.finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let stream = futures_util::stream::iter(
        (0..CHUNKS).map(move |_| Ok::<_, std::io::Error>(chunk.clone())),
    );
    let before = rss();
    let request = axum::http::Request::post(format!("http://{gw}/gateway/{ORG}/Echo/1.0/upload"))
        .header("X-API-Key", &key)
        .header("X-Custom", "kept")
        .header("Connection", "close")
        .body(Body::from_stream(stream))
        .expect("request");
    let answer = send(&http, request).await;
    assert_eq!(answer.status, 200);
    let grown = rss().saturating_sub(before);
    assert!(
        grown < 25 * 1024 * 1024,
        "memory grew by {grown} bytes for a 50 MB upload"
    );
    let echoed = answer.json();
    assert_eq!(echoed["method"], "POST");
    assert_eq!(echoed["bodyLength"], CHUNK * CHUNKS);
    assert_eq!(echoed["bodySha256"], digest);
    assert_eq!(echoed["headers"]["x-custom"], "kept");
    assert!(
        echoed["headers"].get("connection").is_none(),
        "hop-by-hop headers are dropped"
    );
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn the_eleventh_request_on_ten_per_minute_gets_429(pool: PgPool) {
    let up = upstream().await;
    org(&pool).await;
    plan(
        &pool,
        "Gold",
        &[form(
            PolicyType::RateLimiting,
            &[
                ("limit", "10"),
                ("period", "Minute"),
                ("granularity", "Client"),
            ],
        )],
    )
    .await;
    api(
        &pool,
        "Echo",
        &format!("http://{up}/echo"),
        false,
        &["Gold"],
        &[],
    )
    .await;
    let key = client(&pool, "App", &[("Echo", "Gold")], &[]).await;
    let (_, gw) = gateway(&pool, None).await;
    let http = http();
    let url = format!("http://{gw}/gateway/{ORG}/Echo/1.0/");
    // The limit counts per calendar minute: start well inside one, so all 11 calls share it.
    let second = chrono::Utc::now().timestamp() % 60;
    if second > 50 {
        tokio::time::sleep(Duration::from_secs((61 - second) as u64)).await;
    }
    for i in 1..=10 {
        let a = get(&http, &url, Some(&key)).await;
        assert_eq!(a.status, 200, "request {i}");
        assert_eq!(a.header("x-ratelimit-limit"), "10");
        assert_eq!(a.header("x-ratelimit-remaining"), (10 - i).to_string());
    }
    let refused = get(&http, &url, Some(&key)).await;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.header("x-policy-failure-code"), "10005");
    assert_eq!(refused.header("x-ratelimit-remaining"), "0");
    assert!(
        refused
            .header("x-ratelimit-reset")
            .parse::<i64>()
            .is_ok_and(|s| (0..=60).contains(&s))
    );
    let json = refused.json();
    assert_eq!(
        (json["failureCode"].as_u64(), json["responseCode"].as_u64()),
        (Some(10005), Some(429))
    );
    assert_eq!(json["type"], "Other");
}

async fn burst(gateways: &[std::net::SocketAddr], key: &str, total: usize) -> usize {
    let http = http();
    let mut tasks = Vec::new();
    for i in 0..total {
        let url = format!(
            "http://{}/gateway/{ORG}/Echo/1.0/",
            gateways[i % gateways.len()]
        );
        let (http, key) = (http.clone(), key.to_string());
        tasks.push(tokio::spawn(async move {
            get(&http, &url, Some(&key)).await.status
        }));
    }
    let mut ok = 0;
    for t in tasks {
        let status = t.await.expect("task");
        assert!(status == 200 || status == 429, "{status}");
        ok += usize::from(status == 200);
    }
    ok
}

async fn limited_world(pool: &PgPool, limit: &str) -> String {
    let up = upstream().await;
    org(pool).await;
    plan(
        pool,
        "Gold",
        &[form(
            PolicyType::RateLimiting,
            &[
                ("limit", limit),
                ("period", "Hour"),
                ("granularity", "Client"),
            ],
        )],
    )
    .await;
    api(
        pool,
        "Echo",
        &format!("http://{up}/echo"),
        false,
        &["Gold"],
        &[],
    )
    .await;
    client(pool, "App", &[("Echo", "Gold")], &[]).await
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn five_hundred_concurrent_requests_against_a_limit_of_100_let_exactly_100_through(
    pool: PgPool,
) {
    let key = limited_world(&pool, "100").await;
    let (_, gw) = gateway(&pool, None).await;
    assert_eq!(burst(&[gw], &key, 500).await, 100);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn two_gateways_sharing_redis_let_exactly_100_through_together(pool: PgPool) {
    let key = limited_world(&pool, "100").await;
    let redis = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    // Each test database has its own policy ids, but clear old buckets of the same ids anyway.
    let client = redis::Client::open(redis.as_str()).expect("redis url");
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .expect("Redis must be reachable at REDIS_URL (or 127.0.0.1:6379) for this test");
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("gatehouse:rl:*")
        .query_async(&mut conn)
        .await
        .expect("keys");
    if !keys.is_empty() {
        let _: () = redis::cmd("DEL")
            .arg(&keys)
            .query_async(&mut conn)
            .await
            .expect("del");
    }
    let (_, a) = gateway(&pool, Some(redis.clone())).await;
    let (_, b) = gateway(&pool, Some(redis)).await;
    assert_eq!(burst(&[a, b], &key, 500).await, 100);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn a_second_gateway_process_learns_of_register_and_retire_within_a_second(pool: PgPool) {
    let up = upstream().await;
    org(&pool).await;
    plan(&pool, "Open", &[]).await;
    api(
        &pool,
        "Echo",
        &format!("http://{up}/echo"),
        false,
        &["Open"],
        &[],
    )
    .await;
    let key = client(&pool, "App", &[], &[]).await;
    let c = app::api::contracts::service::NewContract {
        client_org: ORG,
        client: "App",
        client_version: "1.0",
        api_org: ORG,
        api: "Echo",
        api_version: "1.0",
        plan: "Open",
        plan_version: "1.0",
    };
    app::api::contracts::service::create(&pool, "david", &c, true)
        .await
        .expect("contract");

    // A real second process: the gatehouse binary's gateway-only mode on its own port.
    let db = pool
        .connect_options()
        .get_database()
        .map(str::to_string)
        .expect("db name");
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let url = match base.rfind('/') {
        Some(i) => format!("{}/{db}", &base[..i]),
        None => panic!("DATABASE_URL has no database"),
    };
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
        l.local_addr().expect("addr").port()
    };
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args([
            "gateway",
            "--gateway-addr",
            &format!("127.0.0.1:{port}"),
            "--metrics-addr",
            "127.0.0.1:0",
        ])
        .env("DATABASE_URL", &url)
        .env("GATEHOUSE_DEMO", "0")
        .kill_on_drop(true)
        .spawn()
        .expect("spawn gateway");
    let http = http();
    let target = format!("http://127.0.0.1:{port}/gateway/{ORG}/Echo/1.0/");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = http
            .request(
                axum::http::Request::get(format!("http://127.0.0.1:{port}/healthz"))
                    .body(Body::empty())
                    .expect("req"),
            )
            .await
            && r.status() == 200
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the gateway process did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        get(&http, &target, Some(&key)).await.status,
        403,
        "not registered yet"
    );

    let within = |want: u16| {
        let (http, target, key) = (http.clone(), target.clone(), key.clone());
        async move {
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(1) {
                if get(&http, &target, Some(&key)).await.status == want {
                    return start.elapsed();
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            panic!("the second gateway did not answer {want} within 1 s");
        }
    };
    app::api::clients::service::register(&pool, "david", (ORG, "App", "1.0"))
        .await
        .expect("register");
    within(200).await;
    app::api::clients::service::retire(&pool, "david", (ORG, "App", "1.0"))
        .await
        .expect("retire");
    within(403).await;
    let _ = child.kill().await;
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn each_policy_allows_and_denies_as_configured(pool: PgPool) {
    let up = upstream().await;
    org(&pool).await;
    plan(&pool, "Open", &[]).await;
    let echo = format!("http://{up}/echo");
    let apis: Vec<(&str, Vec<app::domain::policy::PolicyConfig>)> = vec![
        (
            "Allow",
            vec![form(
                PolicyType::IpAllowList,
                &[("ip_list", "10.0.0.0/8\n127.0.0.1")],
            )],
        ),
        (
            "AllowOther",
            vec![form(PolicyType::IpAllowList, &[("ip_list", "10.0.0.0/8")])],
        ),
        (
            "Block",
            vec![form(PolicyType::IpBlockList, &[("ip_list", "127.0.0.0/8")])],
        ),
        (
            "BlockByHeader",
            vec![form(
                PolicyType::IpBlockList,
                &[
                    ("ip_list", "203.0.113.7"),
                    ("http_header", "X-Forwarded-For"),
                ],
            )],
        ),
        (
            "Ignored",
            vec![form(
                PolicyType::IgnoredResources,
                &[("rules", "GET /admin/.*")],
            )],
        ),
        (
            "Forward",
            vec![form(
                PolicyType::ApiKey,
                &[("request_header", "X-Client-Key")],
            )],
        ),
        (
            "Headers",
            vec![form(
                PolicyType::SimpleHeader,
                &[
                    ("add_headers", "X-Added: yes"),
                    ("add_apply_to", "Both"),
                    ("overwrite", "true"),
                    ("strip_headers", "X-Secret"),
                    ("strip_apply_to", "Request"),
                ],
            )],
        ),
        (
            "Cors",
            vec![form(
                PolicyType::Cors,
                &[
                    ("allow_origin", "https://app.example.com"),
                    ("allow_credentials", "false"),
                ],
            )],
        ),
        (
            "Basic",
            vec![form(
                PolicyType::BasicAuth,
                &[
                    ("realm", "Echo"),
                    ("identities", "alice:wonderland-1"),
                    ("require_transport_security", "false"),
                    ("forward_identity_http_header", "X-Identity"),
                ],
            )],
        ),
        (
            "Closed",
            vec![form(
                PolicyType::TimeRestricted,
                &[("rules", "Mon-Sun 00:00-00:01 /never/.*")],
            )],
        ),
        (
            "Quota",
            vec![form(
                PolicyType::Quota,
                &[("limit", "1"), ("period", "Month"), ("granularity", "Api")],
            )],
        ),
    ];
    for (name, policies) in &apis {
        let sealed: Vec<_> = policies
            .iter()
            .cloned()
            .map(|p| match p {
                app::domain::policy::PolicyConfig::BasicAuth(mut b) => {
                    for i in &mut b.static_identity.identities {
                        if let Some(pw) = i.password.take() {
                            i.password_hash =
                                Some(app::auth::password::hash_blocking(&pw).expect("hash"));
                        }
                    }
                    app::domain::policy::PolicyConfig::BasicAuth(b)
                }
                other => other,
            })
            .collect();
        api(&pool, name, &echo, false, &["Open"], &sealed).await;
    }
    let contracts: Vec<(&str, &str)> = apis.iter().map(|(n, _)| (*n, "Open")).collect();
    let key = client(&pool, "App", &contracts, &[]).await;
    let (_, gw) = gateway(&pool, None).await;
    let http = http();
    let url = |api: &str, rest: &str| format!("http://{gw}/gateway/{ORG}/{api}/1.0{rest}");
    let req = |method: &str, u: String| {
        axum::http::Request::builder()
            .method(method)
            .uri(u)
            .header("X-API-Key", key.as_str())
    };

    assert_eq!(get(&http, &url("Allow", "/"), Some(&key)).await.status, 200);
    let denied = get(&http, &url("AllowOther", "/"), Some(&key)).await;
    assert_eq!(
        (denied.status, denied.header("x-policy-failure-code")),
        (403, "10001")
    );
    assert_eq!(get(&http, &url("Block", "/"), Some(&key)).await.status, 403);
    let via_header = send(
        &http,
        req("GET", url("BlockByHeader", "/"))
            .header("X-Forwarded-For", "203.0.113.7")
            .body(Body::empty())
            .expect("r"),
    )
    .await;
    // This gateway trusts no proxy: the header is the client's own writing and is not believed
    // (gateway_proxies.rs covers a trusted proxy).
    assert_eq!(via_header.status, 200);
    assert_eq!(
        get(&http, &url("BlockByHeader", "/"), Some(&key))
            .await
            .status,
        200
    );

    let ignored = get(&http, &url("Ignored", "/admin/users"), Some(&key)).await;
    assert_eq!(
        (ignored.status, ignored.header("x-policy-failure-code")),
        (404, "10007")
    );
    assert_eq!(
        get(&http, &url("Ignored", "/public"), Some(&key))
            .await
            .status,
        200
    );
    let post_admin = send(
        &http,
        req("POST", url("Ignored", "/admin/x"))
            .body(Body::empty())
            .expect("r"),
    )
    .await;
    assert_eq!(post_admin.status, 200, "only GET is ignored");

    let forwarded = get(&http, &url("Forward", "/"), Some(&key)).await.json();
    assert_eq!(forwarded["headers"]["x-client-key"], key.as_str());
    assert!(forwarded["headers"].get("x-api-key").is_none());

    let h = send(
        &http,
        req("GET", url("Headers", "/"))
            .header("X-Secret", "s")
            .body(Body::empty())
            .expect("r"),
    )
    .await;
    assert_eq!(h.header("x-added"), "yes", "added to the response");
    let seen = h.json();
    assert_eq!(seen["headers"]["x-added"], "yes", "added to the request");
    assert!(
        seen["headers"].get("x-secret").is_none(),
        "stripped from the request"
    );

    let preflight = send(
        &http,
        axum::http::Request::builder()
            .method("OPTIONS")
            .uri(url("Cors", "/"))
            .header("X-API-Key", key.as_str())
            .header("Origin", "https://app.example.com")
            .header("Access-Control-Request-Method", "POST")
            .body(Body::empty())
            .expect("r"),
    )
    .await;
    assert_eq!(preflight.status, 200);
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        "https://app.example.com"
    );
    assert!(
        preflight.body.is_empty(),
        "answered by the gateway, not the upstream"
    );
    let actual = send(
        &http,
        req("GET", url("Cors", "/"))
            .header("Origin", "https://app.example.com")
            .body(Body::empty())
            .expect("r"),
    )
    .await;
    assert_eq!(
        (actual.status, actual.header("access-control-allow-origin")),
        (200, "https://app.example.com")
    );
    let foreign = send(
        &http,
        req("GET", url("Cors", "/"))
            .header("Origin", "https://evil.example")
            .body(Body::empty())
            .expect("r"),
    )
    .await;
    assert_eq!(foreign.status, 403);

    use base64::Engine;
    let basic = |creds: &str| {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(creds)
        )
    };
    assert_eq!(get(&http, &url("Basic", "/"), Some(&key)).await.status, 401);
    let wrong = send(
        &http,
        req("GET", url("Basic", "/"))
            .header("Authorization", basic("alice:nope"))
            .body(Body::empty())
            .expect("r"),
    )
    .await;
    assert_eq!(
        (wrong.status, wrong.header("x-policy-failure-code")),
        (401, "10003")
    );
    let right = send(
        &http,
        req("GET", url("Basic", "/"))
            .header("Authorization", basic("alice:wonderland-1"))
            .body(Body::empty())
            .expect("r"),
    )
    .await;
    assert_eq!(right.status, 200);
    assert_eq!(right.json()["headers"]["x-identity"], "alice");
    assert!(right.json()["headers"].get("authorization").is_none());

    assert_eq!(
        get(&http, &url("Closed", "/never/x"), Some(&key))
            .await
            .status,
        403
    );
    assert_eq!(
        get(&http, &url("Closed", "/other"), Some(&key))
            .await
            .status,
        200
    );

    let first = get(&http, &url("Quota", "/"), Some(&key)).await;
    assert_eq!((first.status, first.header("x-quota-limit")), (200, "1"));
    let second = get(&http, &url("Quota", "/"), Some(&key)).await;
    assert_eq!(
        (second.status, second.header("x-policy-failure-code")),
        (429, "10006")
    );
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn without_redis_the_gateway_counts_locally_and_keeps_serving(pool: PgPool) {
    let key = limited_world(&pool, "5").await;
    // Nothing listens on port 1: the gateway logs it and falls back to local counters.
    let (_, gw) = gateway(&pool, Some("redis://127.0.0.1:1".into())).await;
    assert_eq!(burst(&[gw], &key, 20).await, 5);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn metrics_count_requests_per_api_and_status(pool: PgPool) {
    let (_, key) = basic_world(&pool).await;
    let (gateway, gw) = gateway(&pool, None).await;
    // /metrics has a listener of its own.
    let metrics_addr = serve(gateway.metrics_router()).await;
    let http = http();
    get(
        &http,
        &format!("http://{gw}/gateway/{ORG}/Echo/1.0/"),
        Some(&key),
    )
    .await;
    get(&http, &format!("http://{gw}/gateway/{ORG}/Echo/1.0/"), None).await;
    let metrics = get(&http, &format!("http://{metrics_addr}/metrics"), None).await;
    let metrics = String::from_utf8(metrics.body).expect("text");
    assert!(
        metrics.contains(
            r#"gatehouse_gateway_requests_total{api="STRINGER/Echo/1.0",status="200"} 1"#
        ),
        "{metrics}"
    );
    assert!(
        metrics.contains(
            r#"gatehouse_gateway_requests_total{api="STRINGER/Echo/1.0",status="401"} 1"#
        ),
        "{metrics}"
    );
    assert!(metrics.contains("gatehouse_gateway_request_duration_seconds_bucket"));
}
