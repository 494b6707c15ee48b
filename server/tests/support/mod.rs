//! A world to proxy through: an upstream on an ephemeral port, the tutorial's data in a fresh
//! database, gateways serving it on real sockets, and a small HTTP client.
#![allow(dead_code)]

pub mod analytics;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use app::api;
use app::domain::catalog::PlanOffer;
use app::domain::lifecycle::ApiAction;
use app::domain::policy::{FormValues, PolicyConfig, PolicyType};
use app::domain::refs::VersionRef;
use app::store::versioned::NewEntity;
use app::store::{self, PgPool, policies::Owner};
use axum::Router;
use axum::body::Body;
use http_body_util::BodyExt;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use server::gateway::{Gateway, GatewayConfig, proxy::Timeouts};

pub const ORG: &str = "STRINGER";

/// Serves `router` on an ephemeral loopback port with peer addresses; returns the address.
pub async fn serve(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });
    addr
}

/// The echo upstream plus `/slow` (answers after 2 s).
pub async fn upstream() -> SocketAddr {
    serve(server::echo::routes().route(
        "/slow",
        axum::routing::get(|| async {
            tokio::time::sleep(Duration::from_secs(2)).await;
            "late"
        }),
    ))
    .await
}

pub async fn gateway(pool: &PgPool, redis_url: Option<String>) -> (Arc<Gateway>, SocketAddr) {
    gateway_with(pool, redis_url, Duration::from_millis(500)).await
}

/// A gateway whose read timeout (request sent, body included, until the response head) is `read`.
pub async fn gateway_with(
    pool: &PgPool,
    redis_url: Option<String>,
    read: Duration,
) -> (Arc<Gateway>, SocketAddr) {
    let mut config = test_config();
    config.timeouts.read = read;
    config.redis_url = redis_url;
    // Tests that count exactly through Redis run on a loaded machine: the timeout path has its
    // own test (gateway::limits).
    config.counters = server::gateway::limits::CounterLimits {
        redis_timeout: Duration::from_secs(2),
        ..Default::default()
    };
    start(pool, config).await
}

/// The tests' gateway settings: 500 ms to connect and to read, no Redis, nothing trusted.
pub fn test_config() -> GatewayConfig {
    GatewayConfig {
        timeouts: Timeouts {
            connect: Duration::from_millis(500),
            read: Duration::from_millis(500),
        },
        redis_url: None,
        upstream_guard: Default::default(),
        trusted_proxies: Default::default(),
        counters: Default::default(),
        auth: Default::default(),
        analytics: Default::default(),
    }
}

/// A gateway with `config`, serving on an ephemeral port.
pub async fn start(pool: &PgPool, config: GatewayConfig) -> (Arc<Gateway>, SocketAddr) {
    let gw = Gateway::start(pool.clone(), config).await.expect("gateway");
    let addr = serve(gw.router()).await;
    (gw, addr)
}

pub fn form(t: PolicyType, values: &[(&str, &str)]) -> PolicyConfig {
    let mut f: FormValues = t.default_form();
    for (k, v) in values {
        f.insert(k.to_string(), v.to_string());
    }
    PolicyConfig::from_form(t, &f).expect("valid policy form")
}

async fn add_policy(pool: &PgPool, owner: Owner, config: &PolicyConfig) {
    let mut conn = pool.acquire().await.expect("conn");
    store::policies::add(&mut conn, owner, config)
        .await
        .expect("policy");
}

async fn api_version_id(pool: &PgPool, api: &str) -> i64 {
    let mut tx = pool.begin().await.expect("tx");
    let (id, _) = store::apis::lock_version(&mut tx, &VersionRef::new(ORG, api, "1.0"))
        .await
        .expect("api");
    tx.commit().await.expect("commit");
    id
}

/// Version 1.0 of `name`, with no description.
fn new_entity(name: &str) -> NewEntity<'_> {
    NewEntity {
        org: ORG,
        id: name,
        name,
        description: "",
        version: "1.0",
    }
}

/// Creates plan `name` 1.0 with `policies` and locks it.
pub async fn plan(pool: &PgPool, name: &str, policies: &[PolicyConfig]) {
    api::plans::service::create(pool, "david", &new_entity(name))
        .await
        .expect("plan");
    let mut tx = pool.begin().await.expect("tx");
    let (id, _) = store::plans::lock_version(&mut tx, &VersionRef::new(ORG, name, "1.0"))
        .await
        .expect("plan");
    tx.commit().await.expect("commit");
    for p in policies {
        add_policy(pool, Owner::Plan(id), p).await;
    }
    api::plans::service::lock(pool, "david", &VersionRef::new(ORG, name, "1.0"))
        .await
        .expect("lock");
}

/// Creates and publishes API `name` 1.0 upstream of `endpoint`, offering `plans`.
pub async fn api(
    pool: &PgPool,
    name: &str,
    endpoint: &str,
    public: bool,
    plans: &[&str],
    policies: &[PolicyConfig],
) {
    api::apis::service::create(pool, "david", &new_entity(name))
        .await
        .expect("api");
    let implementation = store::apis::Implementation {
        endpoint,
        upstream_ca_pem: None,
        public,
    };
    api::apis::service::set_implementation(
        pool,
        "david",
        &VersionRef::new(ORG, name, "1.0"),
        &implementation,
    )
    .await
    .expect("endpoint");
    let offers: Vec<_> = plans
        .iter()
        .map(|p| PlanOffer {
            plan_id: p.to_string(),
            version: "1.0".to_string(),
            requires_approval: false,
        })
        .collect();
    api::apis::service::set_plans(pool, "david", &VersionRef::new(ORG, name, "1.0"), &offers)
        .await
        .expect("plans");
    let id = api_version_id(pool, name).await;
    for p in policies {
        add_policy(pool, Owner::Api(id), p).await;
    }
    api::apis::service::transition(
        pool,
        "david",
        &VersionRef::new(ORG, name, "1.0"),
        ApiAction::Publish,
    )
    .await
    .expect("publish");
}

/// Creates client `name` 1.0 with contracts (api, plan) and registers it; returns its key.
pub async fn client(
    pool: &PgPool,
    name: &str,
    contracts: &[(&str, &str)],
    policies: &[PolicyConfig],
) -> String {
    api::clients::service::create(pool, "david", &new_entity(name))
        .await
        .expect("client");
    let mut tx = pool.begin().await.expect("tx");
    let locked = store::clients::lock_version(&mut tx, &VersionRef::new(ORG, name, "1.0"))
        .await
        .expect("client");
    tx.commit().await.expect("commit");
    for p in policies {
        add_policy(pool, Owner::Client(locked.id), p).await;
    }
    for (api, plan) in contracts {
        let c = api::contracts::service::NewContract {
            client: VersionRef::new(ORG, name, "1.0"),
            api: VersionRef::new(ORG, *api, "1.0"),
            plan: VersionRef::new(ORG, *plan, "1.0"),
        };
        api::contracts::service::create(pool, "david", &c, true)
            .await
            .expect("contract");
    }
    if !contracts.is_empty() {
        api::clients::service::register(pool, "david", &VersionRef::new(ORG, name, "1.0"))
            .await
            .expect("register");
    }
    key_of(pool, name).await
}

/// The smallest world to proxy through: plan Gold 1.0 with `plan_policies`, API Echo 1.0
/// (private, upstream of a fresh echo) offering it, and client App registered with a contract
/// through it. Returns App's key.
pub async fn echo_world(pool: &PgPool, plan_policies: &[PolicyConfig]) -> String {
    let up = upstream().await;
    org(pool).await;
    plan(pool, "Gold", plan_policies).await;
    let endpoint = format!("http://{up}/echo");
    api(pool, "Echo", &endpoint, false, &["Gold"], &[]).await;
    client(pool, "App", &[("Echo", "Gold")], &[]).await
}

pub async fn key_of(pool: &PgPool, client: &str) -> String {
    let (key,): (String,) = sqlx::query_as(
        "SELECT k.api_key FROM client_keys k JOIN client_versions v ON v.id = k.client_version_id
             WHERE v.client_id = $1 ORDER BY k.id DESC LIMIT 1",
    )
    .bind(client)
    .fetch_one(pool)
    .await
    .expect("key");
    key
}

/// The organization and its owner.
pub async fn org(pool: &PgPool) {
    sqlx::query("INSERT INTO users (username, display_name, password_hash) VALUES ('david', 'David Stringer', 'x')")
        .execute(pool)
        .await
        .expect("user");
    api::orgs::service::create(pool, "david", ORG, ORG, "")
        .await
        .expect("org");
}

pub type HttpClient = Client<HttpConnector, Body>;

pub fn http() -> HttpClient {
    Client::builder(TokioExecutor::new()).build_http()
}

pub struct Answer {
    pub status: u16,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

pub async fn send(client: &HttpClient, request: axum::http::Request<Body>) -> Answer {
    let response = client.request(request).await.expect("response");
    let (parts, body) = response.into_parts();
    Answer {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body: body.collect().await.expect("body").to_bytes().to_vec(),
    }
}

pub async fn get(client: &HttpClient, url: &str, key: Option<&str>) -> Answer {
    let mut request = axum::http::Request::get(url);
    if let Some(k) = key {
        request = request.header("X-API-Key", k);
    }
    send(client, request.body(Body::empty()).expect("request")).await
}

/// Resident memory of this process, in bytes.
pub fn rss() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .nth(1)
                .and_then(|p| p.parse::<u64>().ok())
        })
        .map_or(0, |pages| pages * 4096)
}

/// A signed-in portal user who is not an administrator.
pub fn portal_user(name: &str) -> app::domain::roles::Actor {
    app::domain::roles::Actor {
        username: name.into(),
        is_admin: false,
        portal_only: false,
    }
}

/// The Try it relay with a time limit and an answer cap of its own (tests keep both small).
pub fn try_relay(timeout: Duration, max_body: usize) -> server::try_relay::Relay {
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("tls")
    .with_root_certificates(rustls::RootCertStore::empty())
    .with_no_client_auth();
    server::try_relay::Relay::with_limits(&tls, timeout, max_body)
}
