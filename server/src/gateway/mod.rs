//! The API gateway: `/gateway/{org}/{api}/{version}/{*path}`. It identifies the client by its
//! API key, runs the policy chain of the contract (client, plan, API on the request; the
//! reverse on the response) and streams the exchange to and from the upstream. Everything it
//! needs per request is in the in-memory registry: no database query on the request path.
//! This module does not depend on Leptos.

pub mod chain;
pub mod errors;
pub mod feed;
pub mod limits;
pub mod metrics;
pub mod proxy;
pub mod registry;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use arc_swap::ArcSwap;
use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::{Response, header};
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
}

pub struct Gateway {
    pub registry: ArcSwap<Registry>,
    counters: Counters,
    upstream: Upstream,
    metrics: Metrics,
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
            upstream: Upstream::new(config.timeouts),
            metrics: Metrics::new()?,
        });
        feed::reload(&gateway, &pool).await?;
        tokio::spawn(feed::follow(Arc::clone(&gateway), pool));
        Ok(gateway)
    }

    pub fn router(self: &Arc<Self>) -> Router {
        Router::new()
            .route("/gateway/{*rest}", any(handle))
            .route("/metrics", get(metrics))
            .layer(DefaultBodyLimit::disable())
            .with_state(Arc::clone(self))
    }
}

async fn metrics(State(gw): State<Arc<Gateway>>) -> String {
    gw.metrics.render()
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

/// The API key from `X-API-Key`, else the `apikey` query parameter, and the query without it.
fn api_key(request: &Request) -> (Option<String>, Option<String>) {
    let query = request.uri().query();
    if let Some(key) = request
        .headers()
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
    {
        return (Some(key.to_string()), query.map(str::to_string));
    }
    let Some(query) = query else {
        return (None, None);
    };
    let mut key = None;
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| match pair.strip_prefix("apikey=") {
            Some(k) => {
                key = Some(k.to_string());
                false
            }
            None => true,
        })
        .collect();
    (key, Some(kept.join("&")))
}

fn mask(key: Option<&str>) -> String {
    key.map(app::auth::api_key::mask).unwrap_or_default()
}

async fn handle(State(gw): State<Arc<Gateway>>, request: Request) -> Response<Body> {
    let started = Instant::now();
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    let https = request
        .headers()
        .get("x-forwarded-proto")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"));
    let (key, query) = api_key(&request);
    let registry = gw.registry.load_full();
    let path = request.uri().path().to_string();
    let Some((api_ref, below)) = path.strip_prefix("/gateway/").and_then(split) else {
        return done(
            &gw,
            "-",
            None,
            None,
            key.as_deref(),
            started,
            EngineError::BadRequest.into_response(),
        );
    };
    let Some(api) = registry.apis.get(api_ref).cloned() else {
        return done(
            &gw,
            "-",
            None,
            None,
            key.as_deref(),
            started,
            EngineError::ApiNotFound.into_response(),
        );
    };
    if api.retired {
        return done(
            &gw,
            &api.name,
            None,
            None,
            key.as_deref(),
            started,
            EngineError::ApiRetired.into_response(),
        );
    }
    let (client, contract) = if api.public {
        (None, None)
    } else {
        let Some(k) = key.as_deref() else {
            return done(
                &gw,
                &api.name,
                None,
                None,
                None,
                started,
                EngineError::ApiKeyRequired.into_response(),
            );
        };
        let Some(client) = registry.clients.get(k).cloned() else {
            return done(
                &gw,
                &api.name,
                None,
                None,
                Some(k),
                started,
                EngineError::InvalidApiKey.into_response(),
            );
        };
        let Some(contract) = client.contracts.get(&api.id) else {
            let name = client.name.clone();
            return done(
                &gw,
                &api.name,
                Some(&name),
                None,
                Some(k),
                started,
                EngineError::NoContract.into_response(),
            );
        };
        let plan = (contract.plan.clone(), contract.policies.clone());
        (Some(client), Some(plan))
    };
    let client_name = client.as_ref().map(|c| c.name.clone());
    let plan_name = contract.as_ref().map(|c| c.0.clone());
    let empty: chain::Chain = Arc::from(Vec::new());
    let client_chain = client
        .as_ref()
        .map_or_else(|| empty.clone(), |c| c.policies.clone());
    let plan_chain = contract
        .as_ref()
        .map_or_else(|| empty.clone(), |c| c.1.clone());
    let api_chain = api.policies.clone();

    let (mut parts, body) = request.into_parts();
    let original_host = parts.headers.get(header::HOST).cloned();
    parts.headers.remove("x-api-key");
    let method = parts.method.clone();
    let below = below.to_string();
    let mut headers = std::mem::take(&mut parts.headers);
    let mut ex = Exchange::new(&method, &below, &mut headers, peer, api.id);
    ex.client_id = client.as_ref().map(|c| c.id);
    ex.api_key = key.as_deref();
    ex.https = https;

    for chain_ref in [&client_chain, &plan_chain, &api_chain] {
        match chain::on_request(chain_ref, &mut ex, &gw.counters).await {
            Outcome::Continue => {}
            Outcome::Fail(failure) => {
                let mut response = failure.into_response();
                chain::finish(&ex, response.headers_mut());
                return done(
                    &gw,
                    &api.name,
                    client_name.as_deref(),
                    plan_name.as_deref(),
                    key.as_deref(),
                    started,
                    response,
                );
            }
            Outcome::Respond(status, h) => {
                let mut response = Response::new(Body::empty());
                *response.status_mut() = status;
                *response.headers_mut() = h;
                return done(
                    &gw,
                    &api.name,
                    client_name.as_deref(),
                    plan_name.as_deref(),
                    key.as_deref(),
                    started,
                    response,
                );
            }
        }
    }

    let Some(target) = api
        .upstream
        .as_ref()
        .and_then(|u| proxy::target(u, &below, query.as_deref()))
    else {
        return done(
            &gw,
            &api.name,
            client_name.as_deref(),
            plan_name.as_deref(),
            key.as_deref(),
            started,
            EngineError::UpstreamUnavailable.into_response(),
        );
    };
    // Rate-limit figures and CORS headers for the response, whatever the upstream says.
    let mut extra = axum::http::HeaderMap::new();
    chain::finish(&ex, &mut extra);
    drop(ex);
    parts.uri = target;
    parts.headers = headers;
    let upstream_request = axum::http::Request::from_parts(parts, body);
    let mut response = match gw
        .upstream
        .forward(upstream_request, peer, original_host, https)
        .await
    {
        Ok(r) => r,
        Err(e) => e.into_response(),
    };
    let h = response.headers_mut();
    for chain_ref in [&api_chain, &plan_chain, &client_chain] {
        chain::on_response(chain_ref, h);
    }
    for (name, value) in &extra {
        if name == header::VARY {
            h.append(name.clone(), value.clone());
        } else {
            h.insert(name.clone(), value.clone());
        }
    }
    done(
        &gw,
        &api.name,
        client_name.as_deref(),
        plan_name.as_deref(),
        key.as_deref(),
        started,
        response,
    )
}

/// Records the exchange: one structured log line and the metrics.
fn done(
    gw: &Gateway,
    api: &str,
    client: Option<&str>,
    plan: Option<&str>,
    key: Option<&str>,
    started: Instant,
    response: Response<Body>,
) -> Response<Body> {
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    gw.metrics.observe(api, status, elapsed.as_secs_f64());
    tracing::info!(
        target: "gatehouse::gateway",
        api,
        client = client.unwrap_or("-"),
        plan = plan.unwrap_or("-"),
        status,
        latency_ms = elapsed.as_secs_f64() * 1000.0,
        key = %mask(key),
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
        let r = axum::http::Request::get("/gateway/a/b/c?x=1&apikey=K&y=2")
            .body(Body::empty())
            .expect("request");
        assert_eq!(api_key(&r), (Some("K".into()), Some("x=1&y=2".into())));
        let r = axum::http::Request::get("/gateway/a/b/c?x=1")
            .header("X-API-Key", "H")
            .body(Body::empty())
            .expect("request");
        assert_eq!(api_key(&r), (Some("H".into()), Some("x=1".into())));
    }
}
