//! The chain's execution on synthetic exchanges: no sockets, no database.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use app::domain::policy::{PolicyConfig, PolicyType, StoredPolicy};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use base64::Engine;
use serde_json::{Value, json};

use super::*;
use crate::gateway::errors::codes;
use crate::gateway::limits::CounterLimits;

fn runtime(trusted: &str, auth: AuthLimits, max_buckets: usize) -> Runtime {
    Runtime {
        counters: Counters::local(CounterLimits {
            max_buckets,
            ..CounterLimits::default()
        }),
        auth: AuthGuard::new(auth),
        trusted: TrustedProxies::parse(trusted).expect("trusted"),
    }
}

fn rt() -> Runtime {
    runtime("", AuthLimits::default(), 1_000)
}

fn policy(t: PolicyType, config: Value) -> Chain {
    compile([&StoredPolicy::new(1, t.id(), &config)])
}

/// Runs `chain` on a request; the failure's status and code, or None when it went on.
async fn run(
    chain: &Chain,
    rt: &Runtime,
    method: &Method,
    path: &str,
    headers: &mut HeaderMap,
    peer: &str,
) -> Option<(StatusCode, u32, Option<u64>)> {
    let peer: IpAddr = peer.parse().expect("ip");
    let mut ex = Exchange::new(method, path, headers, peer, 9);
    ex.client_ip = rt
        .trusted
        .client(peer, ex.headers.get_all("x-forwarded-for").iter())
        .expect("client");
    match on_request(chain, &mut ex, rt).await {
        Outcome::Continue => None,
        Outcome::Fail(f) => Some((f.status, f.code, f.retry_after)),
        Outcome::Respond(status, _) => Some((status, 0, None)),
    }
}

#[tokio::test]
async fn ignored_resources_refuse_matching_paths_and_methods() {
    let chain = policy(
        PolicyType::IgnoredResources,
        json!({"rules": [{"verb": "GET", "pathPattern": "/admin/.*"}]}),
    );
    let rt = rt();
    let mut h = HeaderMap::new();
    let refused = run(&chain, &rt, &Method::GET, "/admin/x", &mut h, "127.0.0.1").await;
    assert_eq!(
        refused.map(|r| (r.0, r.1)),
        Some((StatusCode::NOT_FOUND, codes::RESOURCE_IGNORED))
    );
    assert_eq!(
        run(&chain, &rt, &Method::POST, "/admin/x", &mut h, "127.0.0.1").await,
        None
    );
    assert_eq!(
        run(&chain, &rt, &Method::GET, "/x/admin/x", &mut h, "127.0.0.1").await,
        None
    );
}

/// Stored configurations that used to run with a silent default refuse requests instead.
#[tokio::test]
async fn a_policy_that_does_not_compile_refuses_requests() {
    let rt = rt();
    for (t, config) in [
        (PolicyType::ApiKey, json!({"requestHeader": "bad header"})),
        (
            PolicyType::TimeRestricted,
            json!({"rules": [{"timeStart": "8am", "timeEnd": "18:00", "dayStart": 1, "dayEnd": 7, "pathPattern": "/.*"}]}),
        ),
        (
            PolicyType::IgnoredResources,
            json!({"rules": [{"verb": "*", "pathPattern": "("}]}),
        ),
    ] {
        let chain = policy(t, config);
        let mut h = HeaderMap::new();
        let outcome = run(&chain, &rt, &Method::GET, "/x", &mut h, "127.0.0.1").await;
        assert_eq!(
            outcome.map(|r| (r.0, r.1)),
            Some((StatusCode::INTERNAL_SERVER_ERROR, codes::POLICY_INVALID)),
            "{t:?}"
        );
    }
}

#[tokio::test]
async fn headers_are_stripped_and_added_on_requests_and_responses() {
    let config = app::domain::policy::SimpleHeaderConfig {
        add_headers: vec![app::domain::policy::AddHeader {
            header_name: "X-Added".into(),
            header_value: "yes".into(),
            apply_to: app::domain::policy::ApplyTo::Both,
            overwrite: false,
        }],
        strip_headers: vec![app::domain::policy::StripHeader {
            with: app::domain::policy::StripWith::Regex,
            pattern: "x-internal-.*".into(),
            apply_to: app::domain::policy::ApplyTo::Both,
            ..Default::default()
        }],
    };
    let json: Value =
        serde_json::from_str(&PolicyConfig::SimpleHeader(config).to_json()).expect("json");
    let chain = policy(PolicyType::SimpleHeader, json);
    let mut h = HeaderMap::new();
    h.insert("x-internal-secret", HeaderValue::from_static("s"));
    h.insert("x-kept", HeaderValue::from_static("k"));
    assert_eq!(
        run(&chain, &rt(), &Method::GET, "/", &mut h, "127.0.0.1").await,
        None
    );
    assert!(!h.contains_key("x-internal-secret"));
    assert_eq!(h.get("x-added").map(|v| v.as_bytes()), Some(&b"yes"[..]));
    let mut response = HeaderMap::new();
    response.insert("X-Internal-Id", HeaderValue::from_static("7"));
    response.insert("x-added", HeaderValue::from_static("upstream"));
    on_response(&chain, &mut response);
    assert!(!response.contains_key("x-internal-id"));
    assert_eq!(response["x-added"], "upstream", "no overwrite");
}

/// IP lists see the client behind trusted proxies, and a header only from a trusted peer.
#[tokio::test]
async fn ip_lists_use_the_trusted_proxy_rule() {
    let rt = runtime("10.0.0.0/8", AuthLimits::default(), 1_000);
    let block = policy(
        PolicyType::IpBlockList,
        json!({"ipList": ["203.0.113.7"], "responseCode": 403}),
    );
    let by_header = policy(
        PolicyType::IpBlockList,
        json!({"ipList": ["203.0.113.7"], "httpHeader": "X-Real-Client", "responseCode": 403}),
    );
    let blocked = Some((StatusCode::FORBIDDEN, codes::IP_BLOCKED, None));
    let mut h = HeaderMap::new();
    h.insert("x-forwarded-for", HeaderValue::from_static("203.0.113.7"));
    h.insert("x-real-client", HeaderValue::from_static("203.0.113.7"));
    assert_eq!(
        run(&block, &rt, &Method::GET, "/", &mut h, "10.0.0.5").await,
        blocked
    );
    assert_eq!(
        run(&by_header, &rt, &Method::GET, "/", &mut h, "10.0.0.5").await,
        blocked
    );
    // The same headers straight from the client are its own writing.
    let mut h2 = h.clone();
    assert_eq!(
        run(&block, &rt, &Method::GET, "/", &mut h2, "198.51.100.1").await,
        None
    );
    assert_eq!(
        run(&by_header, &rt, &Method::GET, "/", &mut h, "198.51.100.1").await,
        None
    );
    // A forged left-most entry does not hide the address the proxy saw.
    let mut h3 = HeaderMap::new();
    h3.insert(
        "x-forwarded-for",
        HeaderValue::from_static("1.1.1.1, 203.0.113.7"),
    );
    assert_eq!(
        run(&block, &rt, &Method::GET, "/", &mut h3, "10.0.0.5").await,
        blocked
    );
}

/// A million distinct User header values: the map stays at its cap, and requests go on.
#[tokio::test]
async fn user_buckets_stay_under_their_cap() {
    let cap = 50_000;
    let rt = runtime("", AuthLimits::default(), cap);
    let chain = policy(
        PolicyType::RateLimiting,
        json!({"limit": 5, "granularity": "User", "period": "Hour", "userHeader": "X-User"}),
    );
    let mut h = HeaderMap::new();
    for i in 0..1_000_000u32 {
        h.insert("x-user", HeaderValue::from(i));
        assert_eq!(
            run(&chain, &rt, &Method::GET, "/", &mut h, "127.0.0.1").await,
            None
        );
    }
    assert_eq!(rt.counters.len(), cap);
    // A subject counted before the cap is still limited.
    h.insert("x-user", HeaderValue::from(0u32));
    for _ in 0..4 {
        run(&chain, &rt, &Method::GET, "/", &mut h, "127.0.0.1").await;
    }
    let limited = run(&chain, &rt, &Method::GET, "/", &mut h, "127.0.0.1").await;
    assert_eq!(limited.map(|r| r.0), Some(StatusCode::TOO_MANY_REQUESTS));
}

fn basic_chain(require_https: bool) -> Chain {
    let hash = app::auth::password::hash_blocking("right-password-1").expect("hash");
    policy(
        PolicyType::BasicAuth,
        json!({"realm": "R", "requireTransportSecurity": require_https,
               "staticIdentity": {"identities": [{"username": "ann", "passwordHash": hash}]}}),
    )
}

fn basic(user: &str, password: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    let value = HeaderValue::from_str(&format!("Basic {token}")).expect("value");
    h.insert(header::AUTHORIZATION, value);
    h
}

#[tokio::test]
async fn basic_failures_are_throttled_per_address_and_per_identity() {
    let limits = AuthLimits {
        failures_per_minute: 3,
        ..AuthLimits::default()
    };
    let rt = runtime("", limits, 1_000);
    let chain = basic_chain(false);
    let get = &Method::GET;
    for _ in 0..3 {
        let r = run(
            &chain,
            &rt,
            get,
            "/",
            &mut basic("bob", "guess"),
            "192.0.2.1",
        )
        .await;
        assert_eq!(r.map(|r| r.1), Some(codes::BASIC_AUTH_FAILED));
    }
    // The address is throttled, whatever the username (no Argon2 run).
    let r = run(
        &chain,
        &rt,
        get,
        "/",
        &mut basic("carl", "guess"),
        "192.0.2.1",
    )
    .await;
    let (status, code, retry) = r.expect("refused");
    assert_eq!(
        (status, code),
        (StatusCode::TOO_MANY_REQUESTS, codes::BASIC_AUTH_THROTTLED)
    );
    assert!(retry.is_some_and(|s| (1..=60).contains(&s)), "{retry:?}");
    // The identity is throttled from any address.
    for i in 0..3 {
        let peer = format!("192.0.2.{}", 10 + i);
        run(&chain, &rt, get, "/", &mut basic("ann", "guess"), &peer).await;
    }
    let r = run(
        &chain,
        &rt,
        get,
        "/",
        &mut basic("ann", "right-password-1"),
        "192.0.2.99",
    )
    .await;
    assert_eq!(r.map(|r| r.0), Some(StatusCode::TOO_MANY_REQUESTS));
    // Other identities from other addresses are unaffected.
    let r = run(&chain, &rt, get, "/", &mut basic("dan", "x"), "192.0.2.50").await;
    assert_eq!(r.map(|r| r.1), Some(codes::BASIC_AUTH_FAILED));
}

#[tokio::test]
async fn unknown_usernames_take_as_long_as_wrong_passwords() {
    let rt = runtime(
        "",
        AuthLimits {
            failures_per_minute: 1_000,
            ..AuthLimits::default()
        },
        1_000,
    );
    let chain = basic_chain(false);
    let fastest = |user: &'static str| {
        let (chain, rt) = (&chain, &rt);
        async move {
            let mut best = Duration::MAX;
            for i in 0..3 {
                let started = Instant::now();
                let mut h = basic(user, &format!("wrong-{i}"));
                run(chain, rt, &Method::GET, "/", &mut h, "192.0.2.1").await;
                best = best.min(started.elapsed());
            }
            best
        }
    };
    let wrong_password = fastest("ann").await;
    let unknown_user = fastest("nobody").await;
    assert!(
        unknown_user * 3 >= wrong_password,
        "unknown {unknown_user:?} vs wrong password {wrong_password:?}"
    );
}

#[tokio::test]
async fn argon2_verifications_are_bounded() {
    let limits = AuthLimits {
        max_verifications: 1,
        verification_wait: Duration::from_millis(50),
        ..AuthLimits::default()
    };
    let rt = runtime("", limits, 1_000);
    let chain = basic_chain(false);
    // Every slot is taken: the next verification waits, then gets 503.
    let held = rt.auth.slots().acquire().await.expect("slot");
    let r = run(
        &chain,
        &rt,
        &Method::GET,
        "/",
        &mut basic("ann", "right-password-1"),
        "192.0.2.1",
    )
    .await;
    assert_eq!(
        r.map(|r| (r.0, r.1, r.2)),
        Some((
            StatusCode::SERVICE_UNAVAILABLE,
            codes::BASIC_AUTH_BUSY,
            Some(1)
        ))
    );
    drop(held);
    let r = run(
        &chain,
        &rt,
        &Method::GET,
        "/",
        &mut basic("ann", "right-password-1"),
        "192.0.2.1",
    )
    .await;
    assert_eq!(r, None);
}

#[tokio::test]
async fn https_is_believed_only_from_trusted_proxies() {
    let chain = basic_chain(true);
    let rt = runtime("10.0.0.0/8", AuthLimits::default(), 1_000);
    let mut h = basic("ann", "right-password-1");
    h.insert("x-forwarded-proto", HeaderValue::from_static("https"));
    let peer: IpAddr = "198.51.100.1".parse().expect("ip");
    for (peer, expected) in [
        (peer, Some(codes::TRANSPORT_SECURITY_REQUIRED)),
        ("10.0.0.1".parse().expect("ip"), None),
    ] {
        let mut headers = h.clone();
        let mut ex = Exchange::new(&Method::GET, "/", &mut headers, peer, 9);
        ex.https = rt.trusted.https(peer, h.get("x-forwarded-proto"));
        let outcome = match on_request(&chain, &mut ex, &rt).await {
            Outcome::Fail(f) => Some(f.code),
            _ => None,
        };
        assert_eq!(outcome, expected, "{peer}");
    }
}
