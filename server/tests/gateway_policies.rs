//! Each policy type at the gateway, one test each: what it lets through and what it refuses.
//! Every test publishes the APIs it needs (each with its own policy, offered through plan Open)
//! and registers client App with a contract to each.

mod support;

use std::net::SocketAddr;

use app::domain::policy::{PolicyConfig, PolicyType};
use app::store::PgPool;
use axum::body::Body;
use axum::http::request::Builder;
use support::*;

/// BASIC passwords hashed as the console stores them (the store keeps hashes only).
fn seal(policy: PolicyConfig) -> PolicyConfig {
    match policy {
        PolicyConfig::BasicAuth(mut b) => {
            for i in &mut b.static_identity.identities {
                if let Some(pw) = i.password.take() {
                    i.password_hash = Some(app::auth::password::hash_blocking(&pw).expect("hash"));
                }
            }
            PolicyConfig::BasicAuth(b)
        }
        other => other,
    }
}

/// Publishes each (API, policy) and registers App with contracts to all of them; returns a
/// gateway's address and App's key.
async fn policy_world(pool: &PgPool, apis: &[(&str, PolicyConfig)]) -> (SocketAddr, String) {
    let up = upstream().await;
    org(pool).await;
    plan(pool, "Open", &[]).await;
    let echo = format!("http://{up}/echo");
    for (name, policy) in apis {
        api(pool, name, &echo, false, &["Open"], &[seal(policy.clone())]).await;
    }
    let contracts: Vec<(&str, &str)> = apis.iter().map(|(n, _)| (*n, "Open")).collect();
    let key = client(pool, "App", &contracts, &[]).await;
    let (_, gw) = gateway(pool, None).await;
    (gw, key)
}

fn url(gw: SocketAddr, api: &str, rest: &str) -> String {
    format!("http://{gw}/gateway/{ORG}/{api}/1.0{rest}")
}

/// A request with App's key.
fn req(key: &str, method: &str, u: String) -> Builder {
    axum::http::Request::builder()
        .method(method)
        .uri(u)
        .header("X-API-Key", key)
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn the_ip_allow_list_lets_listed_addresses_through_only(pool: PgPool) {
    let allow = form(
        PolicyType::IpAllowList,
        &[("ip_list", "10.0.0.0/8\n127.0.0.1")],
    );
    let allow_other = form(PolicyType::IpAllowList, &[("ip_list", "10.0.0.0/8")]);
    let (gw, key) = policy_world(&pool, &[("Allow", allow), ("AllowOther", allow_other)]).await;
    let http = http();
    assert_eq!(
        get(&http, &url(gw, "Allow", "/"), Some(&key)).await.status,
        200
    );
    let denied = get(&http, &url(gw, "AllowOther", "/"), Some(&key)).await;
    assert_eq!(
        (denied.status, denied.header("x-policy-failure-code")),
        (403, "10001")
    );
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn the_ip_block_list_refuses_listed_addresses_and_ignores_untrusted_headers(pool: PgPool) {
    let block = form(PolicyType::IpBlockList, &[("ip_list", "127.0.0.0/8")]);
    let by_header = form(
        PolicyType::IpBlockList,
        &[
            ("ip_list", "203.0.113.7"),
            ("http_header", "X-Forwarded-For"),
        ],
    );
    let (gw, key) = policy_world(&pool, &[("Block", block), ("BlockByHeader", by_header)]).await;
    let http = http();
    assert_eq!(
        get(&http, &url(gw, "Block", "/"), Some(&key)).await.status,
        403
    );
    let via_header = send(
        &http,
        req(&key, "GET", url(gw, "BlockByHeader", "/"))
            .header("X-Forwarded-For", "203.0.113.7")
            .body(Body::empty())
            .expect("r"),
    )
    .await;
    // This gateway trusts no proxy: the header is the client's own writing and is not believed
    // (gateway_proxies.rs covers a trusted proxy).
    assert_eq!(via_header.status, 200);
    assert_eq!(
        get(&http, &url(gw, "BlockByHeader", "/"), Some(&key))
            .await
            .status,
        200
    );
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn ignored_resources_answer_404_for_the_matching_method_and_path_only(pool: PgPool) {
    let ignored = form(PolicyType::IgnoredResources, &[("rules", "GET /admin/.*")]);
    let (gw, key) = policy_world(&pool, &[("Ignored", ignored)]).await;
    let http = http();
    let answer = get(&http, &url(gw, "Ignored", "/admin/users"), Some(&key)).await;
    assert_eq!(
        (answer.status, answer.header("x-policy-failure-code")),
        (404, "10007")
    );
    assert_eq!(
        get(&http, &url(gw, "Ignored", "/public"), Some(&key))
            .await
            .status,
        200
    );
    let post_admin = send(
        &http,
        req(&key, "POST", url(gw, "Ignored", "/admin/x"))
            .body(Body::empty())
            .expect("r"),
    )
    .await;
    assert_eq!(post_admin.status, 200, "only GET is ignored");
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn the_api_key_policy_forwards_the_key_in_its_own_header(pool: PgPool) {
    let forward = form(PolicyType::ApiKey, &[("request_header", "X-Client-Key")]);
    let (gw, key) = policy_world(&pool, &[("Forward", forward)]).await;
    let http = http();
    let forwarded = get(&http, &url(gw, "Forward", "/"), Some(&key))
        .await
        .json();
    assert_eq!(forwarded["headers"]["x-client-key"], key.as_str());
    assert!(forwarded["headers"].get("x-api-key").is_none());
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn simple_headers_are_added_both_ways_and_stripped_from_the_request(pool: PgPool) {
    let headers = form(
        PolicyType::SimpleHeader,
        &[
            ("add_headers", "X-Added: yes"),
            ("add_apply_to", "Both"),
            ("overwrite", "true"),
            ("strip_headers", "X-Secret"),
            ("strip_apply_to", "Request"),
        ],
    );
    let (gw, key) = policy_world(&pool, &[("Headers", headers)]).await;
    let http = http();
    let h = send(
        &http,
        req(&key, "GET", url(gw, "Headers", "/"))
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
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn cors_answers_preflights_itself_and_refuses_foreign_origins(pool: PgPool) {
    let cors = form(
        PolicyType::Cors,
        &[
            ("allow_origin", "https://app.example.com"),
            ("allow_credentials", "false"),
        ],
    );
    let (gw, key) = policy_world(&pool, &[("Cors", cors)]).await;
    let http = http();
    let preflight = send(
        &http,
        axum::http::Request::builder()
            .method("OPTIONS")
            .uri(url(gw, "Cors", "/"))
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
    let from = |origin: &str| {
        req(&key, "GET", url(gw, "Cors", "/"))
            .header("Origin", origin)
            .body(Body::empty())
            .expect("r")
    };
    let actual = send(&http, from("https://app.example.com")).await;
    assert_eq!(
        (actual.status, actual.header("access-control-allow-origin")),
        (200, "https://app.example.com")
    );
    let foreign = send(&http, from("https://evil.example")).await;
    assert_eq!(foreign.status, 403);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn basic_auth_checks_the_password_and_forwards_the_identity(pool: PgPool) {
    use base64::Engine;
    let basic_auth = form(
        PolicyType::BasicAuth,
        &[
            ("realm", "Echo"),
            ("identities", "alice:wonderland-1"),
            ("require_transport_security", "false"),
            ("forward_identity_http_header", "X-Identity"),
        ],
    );
    let (gw, key) = policy_world(&pool, &[("Basic", basic_auth)]).await;
    let http = http();
    let with = |creds: &str| {
        let basic = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(creds)
        );
        req(&key, "GET", url(gw, "Basic", "/"))
            .header("Authorization", basic)
            .body(Body::empty())
            .expect("r")
    };
    assert_eq!(
        get(&http, &url(gw, "Basic", "/"), Some(&key)).await.status,
        401
    );
    let wrong = send(&http, with("alice:nope")).await;
    assert_eq!(
        (wrong.status, wrong.header("x-policy-failure-code")),
        (401, "10003")
    );
    let right = send(&http, with("alice:wonderland-1")).await;
    assert_eq!(right.status, 200);
    assert_eq!(right.json()["headers"]["x-identity"], "alice");
    assert!(right.json()["headers"].get("authorization").is_none());
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn time_restricted_access_refuses_matching_paths_outside_their_hours(pool: PgPool) {
    let closed = form(
        PolicyType::TimeRestricted,
        &[("rules", "Mon-Sun 00:00-00:01 /never/.*")],
    );
    let (gw, key) = policy_world(&pool, &[("Closed", closed)]).await;
    let http = http();
    assert_eq!(
        get(&http, &url(gw, "Closed", "/never/x"), Some(&key))
            .await
            .status,
        403
    );
    assert_eq!(
        get(&http, &url(gw, "Closed", "/other"), Some(&key))
            .await
            .status,
        200
    );
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn a_quota_of_one_a_month_lets_one_request_through(pool: PgPool) {
    let quota = form(
        PolicyType::Quota,
        &[("limit", "1"), ("period", "Month"), ("granularity", "Api")],
    );
    let (gw, key) = policy_world(&pool, &[("Quota", quota)]).await;
    let http = http();
    let first = get(&http, &url(gw, "Quota", "/"), Some(&key)).await;
    assert_eq!((first.status, first.header("x-quota-limit")), (200, "1"));
    let second = get(&http, &url(gw, "Quota", "/"), Some(&key)).await;
    assert_eq!(
        (second.status, second.header("x-policy-failure-code")),
        (429, "10006")
    );
}
