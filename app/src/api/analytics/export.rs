//! The Log Analyzer's CSV export: `GET /api/analytics/export.csv` with the search in the query
//! string (`domain::analytics::csv::export_url` builds it). Signed in with the session cookie
//! like the server functions, with the same rules as `api_log` and `org_log`; bad input gets 400
//! with a plain-text message naming the field. The rows stream from the database into the
//! response as they come, up to `MAX_EXPORT_ROWS`.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::{StreamExt, stream};
use serde::Deserialize;
use tokio::sync::{mpsc, oneshot};

use crate::auth::{cookie, token};
use crate::domain::analytics::csv::{self, EXPORT_PATH};
use crate::domain::analytics::log::{LogFilter, LogQuery, LogRow};
use crate::domain::analytics::window::Window;
use crate::domain::refs::VersionRef;
use crate::domain::roles::Permission;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::analytics::Scope;

/// The export's route, for the server's router (any router state: it carries its own).
pub fn routes<S: Clone + Send + Sync + 'static>(state: AppState) -> Router<S> {
    Router::new()
        .route(EXPORT_PATH, get(export))
        .with_state(state)
}

/// The query string; every value as text, checked here.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Params {
    pub scope: String,
    pub org: String,
    pub api: String,
    pub version: String,
    pub range: String,
    pub from: String,
    pub to: String,
    pub client: String,
    pub plan: String,
    pub status: String,
    pub method: String,
    pub path: String,
    pub failure: String,
}

/// Rows of CSV gathered into one chunk of the response before it is sent.
const CHUNK_BYTES: usize = 64 * 1024;

/// The handler (public for the tests, which call it without a server).
pub async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Response {
    match prepare(&state, &headers, &params).await {
        Ok((scope, window, filter, name)) => stream_csv(state, scope, window, filter, &name),
        Err(e) => refusal(&e),
    }
}

/// A refusal as plain text: 400 naming the field for bad input, else the error's own status.
fn refusal(e: &AppError) -> Response {
    let (status, text) = match e {
        AppError::Field(f) => (
            StatusCode::BAD_REQUEST,
            format!("{}: {}", f.field, f.message),
        ),
        other => (
            StatusCode::from_u16(other.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            other.to_string(),
        ),
    };
    let mut response = (status, text).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Who is asking and what: the caller must be signed in to the console and a member of the
/// organization (or an administrator), the search must check, and an API version must exist.
async fn prepare(
    state: &AppState,
    headers: &HeaderMap,
    p: &Params,
) -> Result<(Scope, Window, LogFilter, String), AppError> {
    let token = cookie::read_session(headers).ok_or(AppError::Unauthenticated)?;
    let user = crate::store::sessions::user_for(&state.pool, &token::hash(&token))
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if user.portal_only && !user.is_admin {
        return Err(AppError::Forbidden);
    }
    if p.org.trim().is_empty() {
        return Err(AppError::field("org", "Name the organization."));
    }
    crate::auth::authorize(state, &user, &p.org, Permission::View).await?;
    let range = csv::parse_range(&p.range, &p.from, &p.to)?;
    let query = log_query(p)?;
    let (window, filter) = super::service::search(range, &query, state.analytics_minute_days)?;
    let (scope, what) = match p.scope.as_str() {
        "api" => {
            let api = VersionRef::new(p.org.clone(), p.api.clone(), p.version.clone());
            let scope = super::service::api_scope(&state.pool, &api).await?;
            (scope, format!("{}-{}-{}", api.org, api.id, api.version))
        }
        "org" => (Scope::Org(p.org.clone()), p.org.clone()),
        _ => return Err(AppError::field("scope", "The scope is api or org.")),
    };
    let name = format!(
        "gatehouse-log-{}-{}.csv",
        file_safe(&what),
        window.from.format("%Y%m%dT%H%M%SZ")
    );
    Ok((scope, window, filter, name))
}

/// The filter form's fields from the query string; ids must be numbers.
fn log_query(p: &Params) -> Result<LogQuery, AppError> {
    let id = |field: &str, text: &str| match text.trim() {
        "" => Ok(None),
        t => t
            .parse::<i64>()
            .map(Some)
            .map_err(|_| AppError::field(field, "Pick one from the list.")),
    };
    Ok(LogQuery {
        client: id("client", &p.client)?,
        plan: id("plan", &p.plan)?,
        status: p.status.clone(),
        method: p.method.clone(),
        path_contains: p.path.clone(),
        failure: p.failure.clone(),
    })
}

/// A file name part: letters, digits, `.`, `-` and `_` stay, anything else becomes `_`.
pub fn file_safe(text: &str) -> String {
    text.chars()
        .take(100)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The response: the header line, then the rows as the store hands them over (a task reads
/// the database while the client downloads, a bounded channel between them), then a line when
/// the export was cut. A database failure mid-way breaks the download instead of ending the file
/// as if it were complete.
fn stream_csv(
    state: AppState,
    scope: Scope,
    window: Window,
    filter: LogFilter,
    name: &str,
) -> Response {
    let (rows_tx, rows_rx) = mpsc::channel::<LogRow>(512);
    let (end_tx, end_rx) = oneshot::channel();
    tokio::spawn(async move {
        let each = move |row: LogRow| {
            let tx = rows_tx.clone();
            async move { tx.send(row).await.is_ok() }
        };
        let search = (&scope, &window, &filter);
        let result =
            crate::store::analytics::log::export(&state.pool, search, csv::MAX_EXPORT_ROWS, each)
                .await;
        let _ = end_tx.send(result);
    });
    let first = Bytes::from_static(csv::HEADER.as_bytes());
    // Fused: the compression layer polls once more after the end, which a bare `unfold`
    // answers with a panic.
    let body = stream::unfold(Feed::Start(rows_rx, end_rx), move |feed| {
        feed.next(first.clone())
    })
    .fuse();
    let mut response = Body::from_stream(body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

type End = oneshot::Receiver<crate::error::AppResult<(u64, bool)>>;

/// Where the body stream is.
enum Feed {
    Start(mpsc::Receiver<LogRow>, End),
    Rows(mpsc::Receiver<LogRow>, End),
    Done,
}

impl Feed {
    async fn next(self, header: Bytes) -> Option<(Result<Bytes, std::io::Error>, Feed)> {
        match self {
            Feed::Start(rows, end) => Some((Ok(header), Feed::Rows(rows, end))),
            Feed::Rows(mut rows, end) => {
                let Some(row) = rows.recv().await else {
                    return Self::end(end).await;
                };
                let mut chunk = csv::line(&row);
                while chunk.len() < CHUNK_BYTES {
                    match rows.try_recv() {
                        Ok(row) => chunk.push_str(&csv::line(&row)),
                        Err(_) => break,
                    }
                }
                Some((Ok(Bytes::from(chunk)), Feed::Rows(rows, end)))
            }
            Feed::Done => None,
        }
    }

    /// After the last row: the line saying the export was cut, or the failure.
    async fn end(end: End) -> Option<(Result<Bytes, std::io::Error>, Feed)> {
        match end.await {
            Ok(Ok((_, false))) => None,
            Ok(Ok((_, true))) => Some((Ok(Bytes::from(csv::truncated_line())), Feed::Done)),
            Ok(Err(_)) | Err(_) => Some((
                Err(std::io::Error::other("the log export failed")),
                Feed::Done,
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_keep_only_safe_characters() {
        assert_eq!(file_safe("ACME-api-1.0"), "ACME-api-1.0");
        assert_eq!(file_safe("a\"b\r\n/c"), "a_b___c");
        assert_eq!(file_safe(&"x".repeat(500)).len(), 100);
    }

    #[test]
    fn ids_in_the_query_string_must_be_numbers() {
        let p = Params {
            client: "1; DROP TABLE x".into(),
            ..Default::default()
        };
        assert_eq!(
            log_query(&p),
            Err(AppError::field("client", "Pick one from the list."))
        );
        let p = Params {
            plan: " 7 ".into(),
            ..Default::default()
        };
        assert_eq!(log_query(&p).map(|q| q.plan), Ok(Some(7)));
    }
}
