//! `GET /api/openapi?org=…&api=…&version=…`: the definition of an API version the portal lists,
//! with the gateway's managed endpoint as its only server, as a file in its own format. Signed
//! in with the session cookie like the server functions (portal users too); refusals are plain
//! text with the error's status.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::auth::{cookie, token};
use crate::domain::refs::VersionRef;
use crate::error::AppError;
use crate::state::AppState;

/// Also spelled in `domain::openapi::download_url`.
pub const DOWNLOAD_PATH: &str = "/api/openapi";

pub fn routes<S: Clone + Send + Sync + 'static>(state: AppState) -> Router<S> {
    Router::new()
        .route(DOWNLOAD_PATH, get(download))
        .with_state(state)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Params {
    pub org: String,
    pub api: String,
    pub version: String,
}

pub async fn download(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(p): Query<Params>,
) -> Response {
    match prepare(&state, &headers, &p).await {
        Ok((body, format, name)) => {
            let disposition = format!("attachment; filename=\"{name}.{}\"", format.extension());
            let mut response = body.into_response();
            let h = response.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(format.content_type()),
            );
            if let Ok(v) = HeaderValue::from_str(&disposition) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            response
        }
        Err(e) => {
            let status =
                StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, e.to_string()).into_response()
        }
    }
}

async fn prepare(
    state: &AppState,
    headers: &HeaderMap,
    p: &Params,
) -> Result<(String, crate::domain::openapi::DocFormat, String), AppError> {
    let token = cookie::read_session(headers).ok_or(AppError::Unauthenticated)?;
    crate::store::sessions::user_for(&state.pool, &token::hash(&token))
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let v = VersionRef::new(p.org.clone(), p.api.clone(), p.version.clone());
    let endpoint = format!("{}{}", state.gateway_url, v.gateway_path());
    let (body, format) = super::service::download(&state.pool, &v, &endpoint).await?;
    // Ids are letters, digits, '-', '_' and '.': safe in a file name as they are.
    let name = format!("{}-{}-{}-openapi", v.org, v.id, v.version)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok((body, format, name))
}
