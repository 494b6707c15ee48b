//! The gateway's engine against real sockets (an upstream on an ephemeral port, gateways on
//! their own ports, a fresh database per test): routing, keys, engine errors, streaming and
//! metrics. Policies, rate limits and a second gateway process have files of their own
//! (gateway_policies.rs, gateway_limits.rs, gateway_process.rs).

mod support;

use std::time::Duration;

use app::domain::lifecycle::ApiAction;
use app::domain::refs::VersionRef;
use app::store::PgPool;
use axum::body::Body;
use support::*;

/// APIs for each engine outcome (a private one, a public one, one without a contract, a
/// retired one, one upstream of nothing, one upstream of `/slow`), and client App with
/// contracts to Echo, Down and Slow. Returns the upstream and App's key.
async fn basic_world(pool: &PgPool) -> (std::net::SocketAddr, String) {
    let up = upstream().await;
    org(pool).await;
    plan(pool, "Open", &[]).await;
    let echo = format!("http://{up}/echo");
    api(pool, "Echo", &echo, false, &["Open"], &[]).await;
    api(pool, "Public", &echo, true, &[], &[]).await;
    api(pool, "Other", &echo, false, &["Open"], &[]).await;
    api(pool, "Old", &echo, false, &["Open"], &[]).await;
    app::api::apis::service::transition(
        pool,
        "david",
        &VersionRef::new(ORG, "Old", "1.0"),
        ApiAction::Retire,
    )
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
