//! The echo upstream over TLS, for `scripts/bench-gateway.sh`'s HTTPS row: makes a CA and a
//! certificate for `localhost` on the spot, writes the CA's PEM to CA_FILE (for the API's
//! "Trusted CA certificate"), and serves `/echo` on ADDR until killed.
//!
//! ```text
//! cargo run --release -p server --example tls_echo -- 127.0.0.1:3303 target/bench-gateway/ca.pem
//! ```

use std::sync::Arc;

use anyhow::{Context, bail};
use axum::body::Body;
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(addr), Some(ca_file), None) = (args.next(), args.next(), args.next()) else {
        bail!("usage: tls_echo ADDR CA_FILE");
    };
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Gatehouse bench CA");
    let ca_key = KeyPair::generate()?;
    let ca = ca_params.self_signed(&ca_key)?;
    std::fs::write(&ca_file, ca.pem()).with_context(|| format!("writing {ca_file}"))?;

    let leaf_key = KeyPair::generate()?;
    let leaf = CertificateParams::new(vec!["localhost".to_string()])?
        .signed_by(&leaf_key, &Issuer::from_params(&ca_params, &ca_key))?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der().clone()], key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let acceptor = TlsAcceptor::from(Arc::new(config));

    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let app = server::echo::routes::<()>();
    loop {
        let (tcp, _) = listener.accept().await?;
        let _ = tcp.set_nodelay(true);
        let (acceptor, app) = (acceptor.clone(), app.clone());
        tokio::spawn(async move {
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
}
