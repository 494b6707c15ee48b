//! The client address behind trusted proxies, on real sockets: the test client connects from
//! 127.0.0.1, which one gateway trusts as a proxy and the other does not.

mod support;

use app::domain::policy::PolicyType;
use app::store::PgPool;
use axum::body::Body;
use server::gateway::GatewayConfig;
use server::gateway::client_addr::TrustedProxies;
use support::*;

async fn gateway_trusting(pool: &PgPool, trusted: &str) -> std::net::SocketAddr {
    let config = GatewayConfig {
        trusted_proxies: TrustedProxies::parse(trusted).expect("trusted"),
        ..test_config()
    };
    start(pool, config).await.1
}

async fn call(gw: std::net::SocketAddr, xff: &str, proto: &str) -> Answer {
    let request = axum::http::Request::get(format!("http://{gw}/gateway/{ORG}/Guarded/1.0/x"))
        .header("X-Forwarded-For", xff)
        .header("X-Forwarded-Proto", proto)
        .body(Body::empty())
        .expect("request");
    send(&http(), request).await
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn the_client_is_the_right_most_untrusted_hop(pool: PgPool) {
    let up = upstream().await;
    org(&pool).await;
    let block = form(PolicyType::IpBlockList, &[("ip_list", "203.0.113.7")]);
    api(
        &pool,
        "Guarded",
        &format!("http://{up}/echo"),
        true,
        &[],
        &[block],
    )
    .await;
    let behind_proxy = gateway_trusting(&pool, "127.0.0.0/8, 10.0.0.0/8").await;
    let exposed = gateway_trusting(&pool, "").await;

    // Through a trusted proxy: the address it appended is the client.
    assert_eq!(call(behind_proxy, "203.0.113.7", "http").await.status, 403);
    assert_eq!(
        call(behind_proxy, "203.0.113.7, 10.1.1.1", "http")
            .await
            .status,
        403
    );
    // A client that writes the blocked address left of its own is still itself.
    let forged = call(behind_proxy, "203.0.113.7, 198.51.100.2", "https").await;
    assert_eq!(forged.status, 200);
    assert_eq!(forged.json()["headers"]["x-forwarded-proto"], "https");
    // An unparseable hop from a trusted proxy is refused rather than guessed.
    let bad = call(behind_proxy, "nonsense", "http").await;
    assert_eq!(
        (bad.status, bad.json()["error"].clone()),
        (400, "BadForwardedFor".into())
    );

    // Nobody trusted: the headers are the client's own writing.
    let direct = call(exposed, "203.0.113.7", "https").await;
    assert_eq!(direct.status, 200);
    assert_eq!(
        direct.json()["headers"]["x-forwarded-proto"],
        "http",
        "X-Forwarded-Proto is not believed from an untrusted peer"
    );
}
