//! The gateway's side towards upstreams, on real sockets: HTTPS with a CA made in the test,
//! the upstream address guard, and the console's session cookie kept from upstreams.

mod support;

use std::net::SocketAddr;
use std::sync::Arc;

use app::store::PgPool;
use axum::body::Body;

use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
use support::*;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A CA, and the PEM of its certificate.
struct Ca {
    params: CertificateParams,
    key: KeyPair,
    cert: rcgen::Certificate,
}

impl Ca {
    fn new(name: &str) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        let key = KeyPair::generate().expect("key");
        let cert = params.self_signed(&key).expect("ca");
        Ca { params, key, cert }
    }

    fn pem(&self) -> String {
        self.cert.pem()
    }

    /// A server certificate for `names`, signed by this CA.
    fn issue(&self, names: &[&str]) -> (CertificateDer<'static>, PrivateKeyDer<'static>) {
        let params =
            CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .expect("params");
        let key = KeyPair::generate().expect("key");
        let issuer = rcgen::Issuer::from_params(&self.params, &self.key);
        let cert = params.signed_by(&key, &issuer).expect("leaf");
        (
            cert.der().clone(),
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
    }
}

/// The echo upstream over TLS with a certificate for `localhost` from `ca`.
async fn tls_upstream(ca: &Ca) -> SocketAddr {
    let (cert, key) = ca.issue(&["localhost"]);
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .expect("server config");
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = server::echo::routes::<()>();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                continue;
            };
            let (acceptor, app) = (acceptor.clone(), app.clone());
            tokio::spawn(async move {
                // Handshakes the gateway refuses end here, as they should.
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let service =
                    hyper::service::service_fn(move |r: hyper::Request<hyper::body::Incoming>| {
                        let mut app = app.clone();
                        async move { tower::Service::call(&mut app, r.map(Body::new)).await }
                    });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    addr
}

async fn set_ca(pool: &PgPool, api: &str, pem: &str) {
    sqlx::query("UPDATE api_versions SET upstream_ca_pem = $2 WHERE api_id = $1")
        .bind(api)
        .bind(pem)
        .execute(pool)
        .await
        .expect("ca");
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn https_upstreams_are_verified_against_the_apis_ca(pool: PgPool) {
    let ca = Ca::new("Gatehouse Test CA");
    let up = tls_upstream(&ca).await;
    org(&pool).await;
    let by_name = format!("https://localhost:{}/echo", up.port());
    let by_ip = format!("https://127.0.0.1:{}/echo", up.port());
    api(&pool, "Trusted", &by_name, true, &[], &[]).await;
    api(&pool, "Untrusted", &by_name, true, &[], &[]).await;
    api(&pool, "WrongName", &by_ip, true, &[], &[]).await;
    set_ca(&pool, "Trusted", &ca.pem()).await;
    set_ca(&pool, "WrongName", &ca.pem()).await;
    // Another CA for the same host must not make its connections trusted.
    set_ca(&pool, "Untrusted", &Ca::new("Someone Else").pem()).await;
    let (_, gw) = gateway(&pool, None).await;
    let http = http();
    let url = |api: &str| format!("http://{gw}/gateway/{ORG}/{api}/1.0/hello");

    // A body streamed up and back: 1 MiB, whose length and digest the echo reports.
    let body = vec![b'x'; 1 << 20];
    let request = axum::http::Request::post(url("Trusted"))
        .body(Body::from(body.clone()))
        .expect("request");
    let ok = send(&http, request).await;
    assert_eq!(ok.status, 200, "{}", String::from_utf8_lossy(&ok.body));
    assert_eq!(ok.json()["path"], "/hello");
    assert_eq!(ok.json()["bodyLength"], 1 << 20);

    let untrusted = get(&http, &url("Untrusted"), None).await;
    assert_eq!(untrusted.status, 502);
    assert_eq!(untrusted.json()["error"], "UpstreamTlsFailed");
    assert!(
        untrusted.json()["message"]
            .as_str()
            .is_some_and(|m| m.contains("unknown issuer")),
        "{:?}",
        untrusted.json()
    );

    let wrong = get(&http, &url("WrongName"), None).await;
    assert_eq!(wrong.status, 502);
    assert!(
        wrong.json()["message"]
            .as_str()
            .is_some_and(|m| m.contains("not valid for its host name")),
        "{:?}",
        wrong.json()
    );

    // The trusted API still works after the others failed: pools are per CA.
    assert_eq!(get(&http, &url("Trusted"), None).await.status, 200);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn the_system_trust_store_does_not_know_a_private_ca(pool: PgPool) {
    let ca = Ca::new("Private CA");
    let up = tls_upstream(&ca).await;
    org(&pool).await;
    let endpoint = format!("https://localhost:{}/echo", up.port());
    api(&pool, "NoCa", &endpoint, true, &[], &[]).await;
    let (_, gw) = gateway(&pool, None).await;
    let answer = get(
        &http(),
        &format!("http://{gw}/gateway/{ORG}/NoCa/1.0/"),
        None,
    )
    .await;
    assert_eq!(answer.status, 502);
    assert_eq!(answer.json()["error"], "UpstreamTlsFailed");
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn metadata_and_own_addresses_are_refused_at_connect_time(pool: PgPool) {
    org(&pool).await;
    // Stored directly, as if saved before the guard existed or via a name that resolved
    // elsewhere then: the gateway checks again when it connects.
    api(
        &pool,
        "Metadata",
        "http://169.254.169.254/latest",
        true,
        &[],
        &[],
    )
    .await;
    api(
        &pool,
        "Mapped",
        "http://[::ffff:169.254.169.254]/",
        true,
        &[],
        &[],
    )
    .await;
    let (gw, addr) = gateway(&pool, None).await;
    drop(gw);
    let http = http();
    for name in ["Metadata", "Mapped"] {
        let answer = get(
            &http,
            &format!("http://{addr}/gateway/{ORG}/{name}/1.0/"),
            None,
        )
        .await;
        assert_eq!(answer.status, 502, "{name}");
        assert_eq!(answer.json()["error"], "UpstreamAddressRefused", "{name}");
    }
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn a_name_resolving_to_the_gateway_itself_is_refused(pool: PgPool) {
    org(&pool).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let own = listener.local_addr().expect("addr");
    // `localhost` resolves (through DNS, not as a literal) to the gateway's own port.
    let endpoint = format!("http://localhost:{}/", own.port());
    api(&pool, "Loop", &endpoint, true, &[], &[]).await;
    let config = server::gateway::GatewayConfig {
        timeouts: server::gateway::proxy::Timeouts {
            connect: std::time::Duration::from_millis(500),
            read: std::time::Duration::from_millis(500),
        },
        redis_url: None,
        upstream_guard: app::domain::upstream_guard::UpstreamGuard {
            allow: vec![],
            own: vec![own],
        },
        trusted_proxies: Default::default(),
        counters: Default::default(),
        auth: Default::default(),
        analytics: Default::default(),
    };
    let gw = server::gateway::Gateway::start(pool.clone(), config)
        .await
        .expect("gateway");
    let router = gw.router();
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });
    let answer = get(
        &http(),
        &format!("http://{own}/gateway/{ORG}/Loop/1.0/"),
        None,
    )
    .await;
    assert_eq!(answer.status, 502);
    assert_eq!(answer.json()["error"], "UpstreamAddressRefused");
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn the_console_session_never_reaches_an_upstream(pool: PgPool) {
    // `/echo` masks cookies, so this upstream answers with the Cookie header it received.
    let cookie = axum::routing::get(|headers: axum::http::HeaderMap| async move {
        let cookie = headers.get("cookie").and_then(|v| v.to_str().ok());
        axum::Json(serde_json::json!({ "headers": { "cookie": cookie } }))
    });
    let up = serve(
        server::echo::routes()
            .route("/cookie", cookie.clone())
            .route("/cookie/", cookie)
            .route(
                "/plant",
                axum::routing::get(|| async {
                    (
                        [
                            ("set-cookie", "gatehouse_session=planted; Path=/; HttpOnly"),
                            ("set-cookie", "theirs=1; Path=/"),
                        ],
                        "planted",
                    )
                }),
            ),
    )
    .await;
    org(&pool).await;
    api(
        &pool,
        "Echo",
        &format!("http://{up}/cookie"),
        true,
        &[],
        &[],
    )
    .await;
    api(
        &pool,
        "Plant",
        &format!("http://{up}/plant"),
        true,
        &[],
        &[],
    )
    .await;
    let (_, gw) = gateway(&pool, None).await;
    let http = http();
    let request = axum::http::Request::get(format!("http://{gw}/gateway/{ORG}/Echo/1.0/"))
        .header(
            "cookie",
            "theirs=1; gatehouse_session=admin-secret; other=2",
        )
        .body(Body::empty())
        .expect("request");
    let echoed = send(&http, request).await;
    assert_eq!(echoed.status, 200);
    assert_eq!(echoed.json()["headers"]["cookie"], "theirs=1; other=2");
    assert!(!String::from_utf8_lossy(&echoed.body).contains("admin-secret"));

    let planted = get(&http, &format!("http://{gw}/gateway/{ORG}/Plant/1.0"), None).await;
    assert_eq!(planted.status, 200);
    let set: Vec<_> = planted.headers.get_all("set-cookie").iter().collect();
    assert_eq!(set, ["theirs=1; Path=/"]);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn the_gateway_listener_has_no_metrics(pool: PgPool) {
    org(&pool).await;
    let (gw, addr) = gateway(&pool, None).await;
    let http = http();
    assert_eq!(
        get(&http, &format!("http://{addr}/metrics"), None)
            .await
            .status,
        404
    );
    // One request for the metrics to count.
    assert_eq!(
        get(
            &http,
            &format!("http://{addr}/gateway/{ORG}/Nope/1.0/"),
            None
        )
        .await
        .status,
        404
    );
    let metrics = serve(gw.metrics_router()).await;
    let answer = get(&http, &format!("http://{metrics}/metrics"), None).await;
    assert_eq!(answer.status, 200);
    assert!(String::from_utf8_lossy(&answer.body).contains("gatehouse_gateway"));
}
