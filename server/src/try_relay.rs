//! The portal's Try it relay (`app::state::TryRelay`): sends the one call that
//! `app::api::try_it::service::prepare` made (to the gateway's managed endpoint of the API
//! viewed) and reads the answer within `TRY_TIMEOUT_SECS`, keeping at most
//! `MAX_TRY_RESPONSE_BYTES` of its body. Redirects are not followed: the answer is shown as it is.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use app::domain::try_it::{
    MAX_TRY_RESPONSE_BYTES, RelayAnswer, RelayCall, RelayFailure, TRY_TIMEOUT_SECS,
};
use app::state::TryRelay;
use axum::body::Body;
use axum::http::{Method, Request, Response};
use http_body_util::BodyExt;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

pub struct Relay {
    client: Client<HttpsConnector<HttpConnector>, Body>,
    timeout: Duration,
    cap: usize,
}

impl Relay {
    /// A relay trusting `tls` (the gateway's upstream trust) for an `https://` gateway URL.
    pub fn new(tls: &rustls::ClientConfig) -> Self {
        Self::with_limits(
            tls,
            Duration::from_secs(TRY_TIMEOUT_SECS),
            MAX_TRY_RESPONSE_BYTES,
        )
    }

    /// Tests use shorter limits.
    pub fn with_limits(tls: &rustls::ClientConfig, timeout: Duration, cap: usize) -> Self {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(timeout));
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls.clone())
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        Self {
            client: Client::builder(TokioExecutor::new())
                .pool_idle_timeout(Duration::from_secs(30))
                .build(connector),
            timeout,
            cap,
        }
    }

    async fn call(&self, call: RelayCall) -> Result<RelayAnswer, RelayFailure> {
        // Without the query: it may hold what the user typed.
        let shown = call.url.split('?').next().unwrap_or_default().to_string();
        let unreachable = |e: &dyn std::fmt::Display| {
            tracing::warn!(url = %shown, error = %e, "Try it: the gateway could not be reached");
            RelayFailure::Unreachable(shown.clone())
        };
        let mut request = Request::builder()
            .method(Method::from_bytes(call.method.as_bytes()).map_err(|e| unreachable(&e))?)
            .uri(&call.url);
        for (name, value) in &call.headers {
            request = request.header(name, value);
        }
        let request = request
            .body(
                call.body
                    .clone()
                    .map(Body::from)
                    .unwrap_or_else(Body::empty),
            )
            .map_err(|e| unreachable(&e))?;
        let started = Instant::now();
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| unreachable(&e))?;
        let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
        read(response, self.cap, latency_ms)
            .await
            .map_err(|e| unreachable(&e))
    }
}

/// The answer with at most `cap` bytes of its body; the rest is not read (the connection is
/// dropped with it).
async fn read(
    response: Response<hyper::body::Incoming>,
    cap: usize,
    latency_ms: f64,
) -> Result<RelayAnswer, hyper::Error> {
    let (head, mut body) = response.into_parts();
    let headers = head
        .headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_string(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let mut bytes = Vec::new();
    let mut truncated = false;
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame?.into_data() else {
            continue;
        };
        let room = cap - bytes.len();
        if data.len() > room {
            bytes.extend_from_slice(&data[..room]);
            truncated = true;
            break;
        }
        bytes.extend_from_slice(&data);
    }
    Ok(RelayAnswer {
        status: head.status.as_u16(),
        headers,
        body: bytes,
        truncated,
        latency_ms,
    })
}

impl TryRelay for Relay {
    fn send(
        &self,
        call: RelayCall,
    ) -> Pin<Box<dyn Future<Output = Result<RelayAnswer, RelayFailure>> + Send + '_>> {
        Box::pin(async move {
            tokio::time::timeout(self.timeout, self.call(call))
                .await
                .unwrap_or(Err(RelayFailure::TimedOut))
        })
    }
}
