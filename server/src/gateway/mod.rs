//! The API gateway: `/gateway/{org}/{api}/{version}/{*path}`. It identifies the client by its
//! API key, runs the policy chain of the contract (client, plan, API on the request; the
//! reverse on the response) and streams the exchange to and from the upstream. Everything it
//! needs per request is in the in-memory registry: no database query on the request path.
//! This module does not depend on Leptos.

pub mod chain;
pub mod connect;
pub mod cookies;
pub mod errors;
pub mod feed;
pub mod limits;
pub mod metrics;
pub mod proxy;
pub mod registry;
pub mod tls;

use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use app::domain::upstream_guard::UpstreamGuard;
use arc_swap::ArcSwap;
use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::{HeaderName, HeaderValue, Response, header};
use axum::routing::{any, get};
use sqlx::PgPool;

use chain::{Exchange, Outcome};
use errors::EngineError;
use limits::Counters;
use metrics::Metrics;
use proxy::{Timeouts, Upstream};
use registry::Registry;

pub struct GatewayConfig {
    pub timeouts: Timeouts,
    pub redis_url: Option<String>,
    /// Which upstream addresses are refused (and `GATEHOUSE_UPSTREAM_ALLOW`'s exceptions).
    pub upstream_guard: UpstreamGuard,
}

pub struct Gateway {
    pub registry: ArcSwap<Registry>,
    counters: Counters,
    timeouts: Timeouts,
    metrics: Metrics,
    /// TLS trust for upstreams: the system's certificates.
    trust: tls::Trust,
    guard: Arc<UpstreamGuard>,
}

/// The gateway as one HTTP worker serves it: shared registry, counters and metrics, and the
/// worker's own upstream connection pool, so that upstream connections stay on its thread.
struct Worker {
    gateway: Arc<Gateway>,
    upstream: Upstream,
}

impl Gateway {
    /// Loads the registry, connects the counters and starts following changes.
    pub async fn start(pool: PgPool, config: GatewayConfig) -> anyhow::Result<Arc<Gateway>> {
        let counters = match &config.redis_url {
            None => Counters::local(),
            Some(url) => match Counters::redis(url).await {
                Ok(c) => {
                    tracing::info!("rate limit counters are shared through Redis");
                    c
                }
                Err(e) => {
                    tracing::warn!(error = %e, "Redis unreachable at start: rate limits are counted per gateway process");
                    Counters::local()
                }
            },
        };
        let gateway = Arc::new(Gateway {
            registry: ArcSwap::from_pointee(Registry::default()),
            counters,
            timeouts: config.timeouts,
            metrics: Metrics::new()?,
            trust: tls::Trust::from_system()?,
            guard: Arc::new(config.upstream_guard),
        });
        feed::reload(&gateway, &pool).await?;
        tokio::spawn(feed::follow(Arc::clone(&gateway), pool));
        Ok(gateway)
    }

    /// The gateway's routes, with an upstream pool of their own (one router per HTTP worker).
    pub fn router(self: &Arc<Self>) -> Router {
        let worker = Worker {
            gateway: Arc::clone(self),
            upstream: Upstream::new(self.timeouts, &self.trust, Arc::clone(&self.guard)),
        };
        Router::new()
            .route("/gateway/{*rest}", any(handle))
            .layer(DefaultBodyLimit::disable())
            .with_state(Arc::new(worker))
    }

    /// `/metrics`, for the private metrics listener only: it names every API.
    pub fn metrics_router(self: &Arc<Self>) -> Router {
        Router::new()
            .route("/metrics", get(metrics))
            .with_state(Arc::clone(self))
    }
}

async fn metrics(State(gateway): State<Arc<Gateway>>) -> String {
    gateway.metrics.render()
}

/// Splits "org/api/version/rest..." into the registry key and the path below the API.
fn split(rest: &str) -> Option<(&str, &str)> {
    let mut slashes = rest.match_indices('/').map(|(i, _)| i);
    let (_, _) = (slashes.next()?, slashes.next()?);
    match slashes.next() {
        Some(end) => Some((&rest[..end], &rest[end..])),
        None => Some((rest, "")),
    }
}

/// The API key from `X-API-Key`, else the `apikey` query parameter, and the query to forward
/// (without that parameter when the key came from it). Borrows where it can: this runs on
/// every request.
fn api_key<'a>(
    header: Option<&'a HeaderValue>,
    query: Option<&'a str>,
) -> (Option<&'a str>, Option<Cow<'a, str>>) {
    if let Some(key) = header.and_then(|v| v.to_str().ok()) {
        return (Some(key), query.map(Cow::Borrowed));
    }
    let Some(query) = query else {
        return (None, None);
    };
    if !query.split('&').any(|pair| pair.starts_with("apikey=")) {
        return (None, Some(Cow::Borrowed(query)));
    }
    let mut key = None;
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| match pair.strip_prefix("apikey=") {
            Some(k) => {
                key = Some(k);
                false
            }
            None => true,
        })
        .collect();
    (key, Some(Cow::Owned(kept.join("&"))))
}

const X_API_KEY: HeaderName = HeaderName::from_static("x-api-key");

/// Who a request was for, as far as the gateway got: the fields of its log line and metrics.
#[derive(Default, Clone, Copy)]
struct Seen<'a> {
    api: &'a str,
    client: Option<&'a str>,
    plan: Option<&'a str>,
    key: Option<&'a str>,
}

async fn handle(State(worker): State<Arc<Worker>>, request: Request) -> Response<Body> {
    let started = Instant::now();
    let gw = &worker.gateway;
    let (parts, body) = request.into_parts();
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    let mut headers = parts.headers;
    let https = headers
        .get(&proxy::X_FORWARDED_PROTO)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"));
    let original_host = headers.get(header::HOST).cloned();
    // Taken out here so that it never reaches the upstream unless a policy forwards it.
    let header_key = headers.remove(&X_API_KEY);
    let (key, query) = api_key(header_key.as_ref(), parts.uri.query());
    let mut seen = Seen {
        api: "-",
        key,
        ..Seen::default()
    };
    let Some((api_ref, below)) = parts.uri.path().strip_prefix("/gateway/").and_then(split) else {
        return done(gw, seen, started, EngineError::BadRequest.into_response());
    };
    let registry = gw.registry.load();
    let Some(api) = registry.apis.get(api_ref).cloned() else {
        return done(gw, seen, started, EngineError::ApiNotFound.into_response());
    };
    // A public API needs no client, whatever key comes along.
    let client = if api.public {
        None
    } else {
        key.and_then(|k| registry.clients.get(k).cloned())
    };
    // The snapshot is let go before anything awaits; the entries are shared on their own.
    drop(registry);
    seen.api = &api.name;
    if api.retired {
        return done(gw, seen, started, EngineError::ApiRetired.into_response());
    }
    let no_policies: &[chain::Compiled] = &[];
    let (client, contract) = if api.public {
        (None, None)
    } else {
        if key.is_none() {
            return done(
                gw,
                seen,
                started,
                EngineError::ApiKeyRequired.into_response(),
            );
        }
        let Some(client) = client.as_deref() else {
            return done(
                gw,
                seen,
                started,
                EngineError::InvalidApiKey.into_response(),
            );
        };
        seen.client = Some(&client.name);
        let Some(contract) = client.contracts.get(&api.id) else {
            return done(gw, seen, started, EngineError::NoContract.into_response());
        };
        seen.plan = Some(&contract.plan);
        (Some(client), Some(contract))
    };
    let client_chain = client.map_or(no_policies, |c| &c.policies[..]);
    let plan_chain = contract.map_or(no_policies, |c| &c.policies[..]);
    let api_chain = &api.policies[..];

    let mut ex = Exchange::new(&parts.method, below, &mut headers, peer, api.id);
    ex.client_id = client.map(|c| c.id);
    ex.api_key = key;
    ex.https = https;
    for chain in [client_chain, plan_chain, api_chain] {
        match chain::on_request(chain, &mut ex, &gw.counters).await {
            Outcome::Continue => {}
            Outcome::Fail(failure) => {
                let mut response = failure.into_response();
                chain::finish(ex, response.headers_mut());
                return done(gw, seen, started, response);
            }
            Outcome::Respond(status, h) => {
                let mut response = Response::new(Body::empty());
                *response.status_mut() = status;
                *response.headers_mut() = h;
                return done(gw, seen, started, response);
            }
        }
    }
    // Rate-limit figures and CORS headers for the response, whatever the upstream says.
    let mut extra = axum::http::HeaderMap::new();
    chain::finish(ex, &mut extra);

    let Some(target) = api
        .upstream
        .as_ref()
        .and_then(|u| proxy::target(u, below, query.as_deref()))
    else {
        return done(
            gw,
            seen,
            started,
            EngineError::UpstreamUnavailable.into_response(),
        );
    };
    // A fresh request: the upstream gets HTTP/1.1 whatever the client spoke, and none of the
    // server's extensions.
    let mut upstream_request = axum::http::Request::new(body);
    *upstream_request.method_mut() = parts.method.clone();
    *upstream_request.uri_mut() = target;
    *upstream_request.headers_mut() = headers;
    let mut response = match worker
        .upstream
        .forward(
            upstream_request,
            proxy::Forwarded {
                peer,
                host: original_host,
                https,
            },
            &api,
        )
        .await
    {
        Ok(r) => r,
        Err(e) => e.into_response(),
    };
    let h = response.headers_mut();
    for chain in [api_chain, plan_chain, client_chain] {
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
    done(gw, seen, started, response)
}

/// Records the exchange: one structured log line and the metrics.
fn done(
    gw: &Gateway,
    seen: Seen<'_>,
    started: Instant,
    response: Response<Body>,
) -> Response<Body> {
    let elapsed = started.elapsed();
    let status = response.status();
    gw.metrics.observe(seen.api, status, elapsed.as_secs_f64());
    tracing::info!(
        target: "gatehouse::gateway",
        api = seen.api,
        client = seen.client.unwrap_or("-"),
        plan = seen.plan.unwrap_or("-"),
        status = status.as_u16(),
        latency_ms = elapsed.as_secs_f64() * 1000.0,
        key = %seen.key.map(app::auth::api_key::mask).unwrap_or_default(),
        "gateway request"
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_into_api_and_rest() {
        assert_eq!(
            split("STRINGER/Echo/1.0/a/b"),
            Some(("STRINGER/Echo/1.0", "/a/b"))
        );
        assert_eq!(split("STRINGER/Echo/1.0"), Some(("STRINGER/Echo/1.0", "")));
        assert_eq!(
            split("STRINGER/Echo/1.0/"),
            Some(("STRINGER/Echo/1.0", "/"))
        );
        assert_eq!(split("STRINGER/Echo"), None);
    }

    #[test]
    fn keys_come_from_the_header_or_the_query_which_loses_them() {
        let from_query = api_key(None, Some("x=1&apikey=K&y=2"));
        assert_eq!(from_query, (Some("K"), Some(Cow::Borrowed("x=1&y=2"))));
        let h = HeaderValue::from_static("H");
        assert_eq!(
            api_key(Some(&h), Some("x=1")),
            (Some("H"), Some(Cow::Borrowed("x=1")))
        );
        assert_eq!(
            api_key(None, Some("x=1")),
            (None, Some(Cow::Borrowed("x=1")))
        );
        assert_eq!(api_key(None, None), (None, None));
    }
}
