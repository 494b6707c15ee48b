//! One exchange through the gateway, in named phases: resolve (path, API, client, contract),
//! the request chain, forward, the response chain; then `record` writes the log line and the
//! metrics, in this one place whatever the outcome.

use std::borrow::Cow;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::AtomicI64;
use std::time::Instant;

use app::domain::analytics::log;
use app::domain::keys::KeyState;
use app::store::analytics::write::LogEntry;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, Method, Response, header};

use super::chain::{self, Compiled, Exchange, Outcome, Runtime};
use super::errors::EngineError;
use super::registry::{ApiEntry, ClientEntry};
use super::{Gateway, Worker, X_API_KEY, analytics, api_key, path, proxy, split};

/// Who a request was for, as far as the gateway got: the fields of its log line and metrics.
#[derive(Default)]
struct Seen {
    api: Option<Arc<ApiEntry>>,
    client: Option<Arc<ClientEntry>>,
    key: Option<String>,
    client_ip: Option<IpAddr>,
    /// The path below the API, normalised when it could be.
    path: Option<String>,
    /// A policy failure code or an engine error, when the gateway answered itself.
    failure: Option<String>,
}

impl Seen {
    /// Notes an engine error and answers with it.
    fn fail(&mut self, e: EngineError) -> Response<Body> {
        self.failure = Some(e.name().to_string());
        e.into_response()
    }
}

pub(super) async fn handle(worker: &Worker, peer: SocketAddr, request: Request) -> Response<Body> {
    let started = Instant::now();
    let at = chrono::Utc::now();
    let mut seen = Seen::default();
    let analytics = &worker.gateway.analytics;
    let method = log::method_name(request.method().as_str());
    let (request, bytes_in) = if analytics.enabled() {
        metered_request(request)
    } else {
        (request, RequestBytes::Known(0))
    };
    let response = exchange(worker, peer.ip(), request, &mut seen).await;
    let elapsed = started.elapsed();
    record(worker, &seen, elapsed, &response);
    if !analytics.enabled() {
        return response;
    }
    let Some(entry) = entry(seen, at, method, elapsed, response.status()) else {
        return response;
    };
    let pending = analytics::Pending {
        shard: Arc::clone(&worker.shard),
        entry: LogEntry {
            bytes_in: bytes_in.known(),
            ..entry
        },
        bytes_in: bytes_in.counted(),
    };
    response.map(|b| Body::new(analytics::Metered::new(b, pending)))
}

/// A request body's size: from its Content-Length, or counted as it streams.
enum RequestBytes {
    Known(i64),
    Counted(Arc<AtomicI64>),
}

impl RequestBytes {
    fn known(&self) -> i64 {
        match self {
            RequestBytes::Known(n) => *n,
            RequestBytes::Counted(_) => 0,
        }
    }

    fn counted(self) -> Option<Arc<AtomicI64>> {
        match self {
            RequestBytes::Known(_) => None,
            RequestBytes::Counted(c) => Some(c),
        }
    }
}

/// Counts a request body that has no Content-Length; hyper holds bodies to their
/// Content-Length, so that header is the count otherwise.
fn metered_request(request: Request) -> (Request, RequestBytes) {
    use axum::body::HttpBody;
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i64>().ok());
    if let Some(n) = declared {
        return (request, RequestBytes::Known(n));
    }
    if request.body().is_end_stream() {
        return (request, RequestBytes::Known(0));
    }
    let count = Arc::new(AtomicI64::new(0));
    let counted = Arc::clone(&count);
    let request = request.map(|b| Body::new(analytics::CountedIn::new(b, counted)));
    (request, RequestBytes::Counted(count))
}

/// The analytics record of a request the gateway resolved to an API (bytes filled in later);
/// takes the strings of `seen`, which the log line has used already.
fn entry(
    seen: Seen,
    at: chrono::DateTime<chrono::Utc>,
    method: &'static str,
    elapsed: std::time::Duration,
    status: axum::http::StatusCode,
) -> Option<LogEntry> {
    let api = seen.api?;
    let plan = seen
        .client
        .as_ref()
        .and_then(|c| c.contracts.get(&api.id))
        .map(|c| c.plan_id);
    // A path at the cap is kept as it is; a longer one is copied cut, so that a buffered record
    // never holds the rest of a long request line.
    let path = match seen.path {
        Some(p) if p.len() <= log::MAX_LOGGED_PATH => p,
        Some(p) => log::logged_path(&p).to_string(),
        None => String::new(),
    };
    Some(LogEntry {
        at,
        api: api.id,
        client: seen.client.as_ref().map(|c| c.id),
        plan,
        method,
        path,
        status: status.as_u16(),
        latency_us: i64::try_from(elapsed.as_micros()).unwrap_or(i64::MAX),
        bytes_in: 0,
        bytes_out: 0,
        client_ip: seen.client_ip,
        key_hint: seen.key,
        failure: seen.failure,
    })
}

/// The API, client and contract a request is for, and its path below the API.
struct Resolved<'r> {
    api: Arc<ApiEntry>,
    client: Option<Arc<ClientEntry>>,
    /// The row id of the key that found the client, for its "last used".
    key_id: Option<i64>,
    path: Cow<'r, str>,
}

const NO_POLICIES: &[Compiled] = &[];

impl Resolved<'_> {
    /// Client, plan and API chains, in request order.
    fn chains(&self) -> [&[Compiled]; 3] {
        let contract = self
            .client
            .as_ref()
            .and_then(|c| c.contracts.get(&self.api.id));
        [
            self.client
                .as_ref()
                .map_or(NO_POLICIES, |c| &c.policies[..]),
            contract.map_or(NO_POLICIES, |c| &c.policies[..]),
            &self.api.policies[..],
        ]
    }
}

async fn exchange(
    worker: &Worker,
    peer: IpAddr,
    request: Request,
    seen: &mut Seen,
) -> Response<Body> {
    let gw = &worker.gateway;
    let (parts, body) = request.into_parts();
    let mut headers = parts.headers;
    let trusted = &gw.runtime.trusted;
    let client_ip = match trusted.client(peer, headers.get_all(&proxy::X_FORWARDED_FOR).iter()) {
        Ok(ip) => ip,
        Err(_) => return seen.fail(EngineError::BadForwardedFor),
    };
    seen.client_ip = Some(client_ip);
    let https = trusted.https(peer, headers.get(&proxy::X_FORWARDED_PROTO));
    let original_host = headers.get(header::HOST).cloned();
    // Taken out here so that it never reaches the upstream unless a policy forwards it.
    let header_key = headers.remove(&X_API_KEY);
    let (key, query) = api_key(header_key.as_ref(), parts.uri.query());
    seen.key = key.map(app::auth::api_key::mask);
    let found = match resolve(gw, parts.uri.path(), key, seen) {
        Ok(found) => found,
        Err(e) => return seen.fail(e),
    };
    if let Some(id) = found.key_id {
        worker.keys_used.note(id);
    }
    let chains = found.chains();

    let mut ex = Exchange::new(&parts.method, &found.path, &mut headers, peer, found.api.id);
    ex.client_ip = client_ip;
    ex.client_id = found.client.as_ref().map(|c| c.id);
    ex.api_key = key;
    ex.https = https;
    if let Err((response, failure)) = request_chain(chains, &mut ex, &gw.runtime).await {
        seen.failure = failure;
        return response;
    }
    // Rate-limit figures and CORS headers for the response, whatever the upstream says.
    let mut extra = HeaderMap::new();
    chain::finish(&mut ex, &mut extra);

    let Some(target) = found
        .api
        .upstream
        .as_ref()
        .and_then(|u| proxy::target(u, &found.path, query.as_deref()))
    else {
        return seen.fail(EngineError::UpstreamUnavailable);
    };
    let forwarded = proxy::Forwarded {
        peer,
        host: original_host,
        https,
    };
    let mut response = match forward(
        worker,
        (parts.method, target, headers, body),
        forwarded,
        &found.api,
    )
    .await
    {
        Ok(r) => r,
        Err(e) => return seen.fail(e),
    };
    response_chain(chains, response.headers_mut(), extra);
    response
}

/// Path, API, client and contract, from the registry only.
fn resolve<'r>(
    gw: &Gateway,
    uri_path: &'r str,
    key: Option<&str>,
    seen: &mut Seen,
) -> Result<Resolved<'r>, EngineError> {
    let (api_ref, below) = uri_path
        .strip_prefix("/gateway/")
        .and_then(split)
        .ok_or(EngineError::BadRequest)?;
    // Policies and the upstream see one spelling of the path, or none at all.
    let path = path::normalise(below).map_err(EngineError::BadPath)?;
    // Logged whatever happens next: refusals are searched by path too.
    seen.path = Some(path.to_string());
    let registry = gw.registry.load();
    let api = registry
        .api(api_ref)
        .cloned()
        .ok_or(EngineError::ApiNotFound)?;
    seen.api = Some(Arc::clone(&api));
    if api.retired {
        return Err(EngineError::ApiRetired);
    }
    // A public API needs no client, whatever key comes along.
    if api.public {
        return Ok(Resolved {
            api,
            client: None,
            key_id: None,
            path,
        });
    }
    let key = key.ok_or(EngineError::ApiKeyRequired)?;
    let found = registry.client(key).ok_or(EngineError::InvalidApiKey)?;
    let client = Arc::clone(&found.client);
    seen.client = Some(Arc::clone(&client));
    let served = found.key();
    // The clock only for a key with an end: most keys have none.
    let now = served
        .life
        .expires_at
        .map_or(0, |_| chrono::Utc::now().timestamp());
    match served.life.state(now) {
        KeyState::Revoked => return Err(EngineError::KeyRevoked),
        KeyState::Expired => return Err(EngineError::KeyExpired),
        KeyState::Active | KeyState::Expiring => {}
    }
    if !client.contracts.contains_key(&api.id) {
        return Err(EngineError::NoContract);
    }
    Ok(Resolved {
        api,
        client: Some(client),
        key_id: Some(served.id),
        path,
    })
}

/// Client, plan and API policies on the request; the response when one answers it, with the
/// failure code when a policy refused.
async fn request_chain<'a>(
    chains: [&'a [Compiled]; 3],
    ex: &mut Exchange<'a>,
    rt: &Runtime,
) -> Result<(), (Response<Body>, Option<String>)> {
    for chain in chains {
        match chain::on_request(chain, ex, rt).await {
            Outcome::Continue => {}
            Outcome::Fail(failure) => {
                let code = failure.code.to_string();
                let mut response = failure.into_response();
                // Rate-limit figures and CORS headers go on refusals too.
                chain::finish(ex, response.headers_mut());
                return Err((response, Some(code)));
            }
            Outcome::Respond(status, h) => {
                let mut response = Response::new(Body::empty());
                *response.status_mut() = status;
                *response.headers_mut() = h;
                return Err((response, None));
            }
        }
    }
    Ok(())
}

/// A fresh request to the upstream: HTTP/1.1 whatever the client spoke, none of the server's
/// extensions.
async fn forward(
    worker: &Worker,
    (method, target, headers, body): (Method, axum::http::Uri, HeaderMap, Body),
    forwarded: proxy::Forwarded,
    api: &super::registry::ApiEntry,
) -> Result<Response<Body>, EngineError> {
    let mut upstream_request = axum::http::Request::new(body);
    *upstream_request.method_mut() = method;
    *upstream_request.uri_mut() = target;
    *upstream_request.headers_mut() = headers;
    worker
        .upstream
        .forward(upstream_request, forwarded, api)
        .await
}

/// API, plan and client policies on the response headers, then the exchange's own headers.
fn response_chain(chains: [&[Compiled]; 3], h: &mut HeaderMap, extra: HeaderMap) {
    for chain in chains.into_iter().rev() {
        chain::on_response(chain, h);
    }
    for (name, value) in extra {
        let Some(name) = name else { continue };
        if name == header::VARY {
            h.append(name, value);
        } else {
            h.insert(name, value);
        }
    }
}

/// Records the exchange: one structured log line and the metrics.
fn record(worker: &Worker, seen: &Seen, elapsed: std::time::Duration, response: &Response<Body>) {
    let status = response.status();
    let api = seen.api.as_ref().map_or("-", |a| a.name.as_str());
    let plan = match (&seen.client, &seen.api) {
        (Some(c), Some(a)) => c.contracts.get(&a.id).map(|c| c.plan.as_str()),
        _ => None,
    };
    let named = seen.api.as_ref().map(|a| (a.id, a.name.as_str()));
    let metrics = &worker.gateway.metrics;
    worker
        .observers
        .observe(metrics, named, status, elapsed.as_secs_f64());
    tracing::info!(
        target: "gatehouse::gateway",
        api,
        client = seen.client.as_ref().map_or("-", |c| &*c.name),
        plan = plan.unwrap_or("-"),
        client_ip = seen.client_ip.map(tracing::field::display),
        status = status.as_u16(),
        latency_ms = elapsed.as_secs_f64() * 1000.0,
        key = seen.key.as_deref().unwrap_or_default(),
        "gateway request"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use log::MAX_LOGGED_PATH as CAP;

    #[test]
    fn a_buffered_record_holds_at_most_the_logged_part_of_its_path() {
        let api = Arc::new(ApiEntry {
            id: 1,
            name: "ORG/api/1.0".into(),
            retired: false,
            public: true,
            upstream: None,
            trust: None,
            policies: Arc::from(Vec::new()),
        });
        for (len, kept) in [(CAP, CAP), (CAP + 1, CAP), (32 * 1024, CAP)] {
            let seen = Seen {
                api: Some(Arc::clone(&api)),
                path: Some("a".repeat(len)),
                ..Seen::default()
            };
            let at = chrono::Utc::now();
            let ok = axum::http::StatusCode::OK;
            let record = entry(seen, at, "GET", std::time::Duration::ZERO, ok).expect("record");
            assert_eq!(record.path.len(), kept, "{len}");
            assert!(
                record.path.capacity() <= CAP,
                "{len}: {}",
                record.path.capacity()
            );
        }
    }
}
