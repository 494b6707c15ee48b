//! The Log Analyzer's search: newest first by (time, id), a page at a time after a cursor, or
//! every matching row as a stream for the CSV export.

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use sqlx::{PgPool, Postgres, QueryBuilder};

use super::{Scope, status};
use crate::domain::analytics::csv::MAX_EXPORT_ROWS;
use crate::domain::analytics::log::{Cursor, LogFilter, LogPage, LogRow, PAGE_ROWS};
use crate::domain::analytics::window::Window;
use crate::error::AppResult;

#[derive(sqlx::FromRow)]
struct Row {
    at: DateTime<Utc>,
    id: i64,
    api_version_id: i64,
    api: Option<String>,
    client_version_id: Option<i64>,
    client: Option<String>,
    plan_version_id: Option<i64>,
    plan: Option<String>,
    method: String,
    path: String,
    status: i16,
    latency_us: i64,
    bytes_in: i64,
    bytes_out: i64,
    client_ip: Option<String>,
    key_hint: Option<String>,
    failure: Option<String>,
}

fn deleted(id: i64) -> String {
    crate::domain::analytics::chart::version_label(None, id)
}

impl From<Row> for LogRow {
    fn from(r: Row) -> Self {
        LogRow {
            id: r.id,
            at: r.at,
            api: r.api.unwrap_or_else(|| deleted(r.api_version_id)),
            client: r.client.or_else(|| r.client_version_id.map(deleted)),
            plan: r.plan.or_else(|| r.plan_version_id.map(deleted)),
            method: r.method,
            path: r.path,
            status: status(r.status),
            latency_ms: r.latency_us as f64 / 1000.0,
            bytes_in: r.bytes_in,
            bytes_out: r.bytes_out,
            client_ip: r.client_ip,
            key_hint: r.key_hint,
            failure: r.failure,
        }
    }
}

/// The search: the newest `limit` rows of `scope` in `window` matching `filter`, older than
/// `after`, with their labels. The inner query runs on the log's `(api_version_id, at DESC,
/// id DESC)` index and stops at `limit`; only those rows are joined to their names. An
/// organization's log takes the newest `limit` rows of each of its API versions (each an index
/// scan that stops there) and keeps the newest `limit` of those, instead of sorting the whole
/// window.
fn query<'a>(
    scope: &Scope,
    window: &Window,
    filter: &LogFilter,
    after: Option<Cursor>,
    limit: i64,
) -> QueryBuilder<'a, Postgres> {
    let mut q = QueryBuilder::new(
        "SELECT l.at, l.id, l.api_version_id, l.client_version_id, l.plan_version_id, l.method,
                l.path, l.status, l.latency_us, l.bytes_in, l.bytes_out,
                host(l.client_ip) AS client_ip, l.key_hint, l.failure,
                a.org_id || '/' || a.api_id || '/' || a.version AS api,
                c.org_id || '/' || c.client_id || '/' || c.version AS client,
                p.name || ' ' || pv.version AS plan
         FROM (",
    );
    match scope {
        Scope::Org(org) => {
            q.push(
                "SELECT l.* FROM api_versions v CROSS JOIN LATERAL (SELECT * FROM analytics_log l
                 WHERE l.api_version_id = v.id",
            );
            push_search(&mut q, window, filter, after);
            q.push(" ORDER BY l.at DESC, l.id DESC LIMIT ");
            q.push_bind(limit);
            q.push(") l WHERE v.org_id = ");
            q.push_bind(org.clone());
            q.push(" ORDER BY l.at DESC, l.id DESC LIMIT ");
            q.push_bind(limit);
        }
        other => {
            q.push("SELECT * FROM analytics_log l WHERE ");
            other.push(&mut q, "l");
            push_search(&mut q, window, filter, after);
            q.push(" ORDER BY l.at DESC, l.id DESC LIMIT ");
            q.push_bind(limit);
        }
    }
    q.push(
        ") l
         LEFT JOIN api_versions a ON a.id = l.api_version_id
         LEFT JOIN client_versions c ON c.id = l.client_version_id
         LEFT JOIN plan_versions pv ON pv.id = l.plan_version_id
         LEFT JOIN plans p ON p.org_id = pv.org_id AND p.id = pv.plan_id
         ORDER BY l.at DESC, l.id DESC",
    );
    q
}

/// The window, the cursor and the filter, each as " AND …" on the log's alias `l`.
fn push_search(
    q: &mut QueryBuilder<'_, Postgres>,
    window: &Window,
    filter: &LogFilter,
    after: Option<Cursor>,
) {
    q.push(" AND l.at >= ");
    q.push_bind(window.from);
    q.push(" AND l.at < ");
    q.push_bind(window.to);
    if let Some(c) = after {
        q.push(" AND (l.at, l.id) < (");
        q.push_bind(c.at);
        q.push(", ");
        q.push_bind(c.id);
        q.push(")");
    }
    push_filter(q, filter);
}

/// The filter's conditions, each value bound; the path is matched as plain text (`strpos`), so
/// `%`, `_` and `\` in it mean themselves.
fn push_filter(q: &mut QueryBuilder<'_, Postgres>, filter: &LogFilter) {
    if let Some(client) = filter.client {
        q.push(" AND l.client_version_id = ");
        q.push_bind(client);
    }
    if let Some(plan) = filter.plan {
        q.push(" AND l.plan_version_id = ");
        q.push_bind(plan);
    }
    if let Some(s) = filter.status {
        let (low, high) = s.codes();
        q.push(" AND l.status BETWEEN ");
        q.push_bind(i16::try_from(low).unwrap_or(i16::MAX));
        q.push(" AND ");
        q.push_bind(i16::try_from(high).unwrap_or(i16::MAX));
    }
    if let Some(method) = filter.method {
        q.push(" AND l.method = ");
        q.push_bind(method);
    }
    if let Some(path) = &filter.path_contains {
        q.push(" AND strpos(l.path, ");
        q.push_bind(path.clone());
        q.push(") > 0");
    }
    if let Some(failure) = &filter.failure {
        q.push(" AND l.failure = ");
        q.push_bind(failure.clone());
    }
}

/// One page of `PAGE_ROWS` rows after `after`, and the cursor of the next page when there is one.
pub async fn page(
    pool: &PgPool,
    scope: &Scope,
    window: &Window,
    filter: &LogFilter,
    after: Option<Cursor>,
) -> AppResult<LogPage> {
    let rows: Vec<Row> = query(scope, window, filter, after, PAGE_ROWS + 1)
        .build_query_as()
        .fetch_all(pool)
        .await?;
    let mut rows: Vec<LogRow> = rows.into_iter().map(LogRow::from).collect();
    let next = if rows.len() > PAGE_ROWS as usize {
        rows.truncate(PAGE_ROWS as usize);
        rows.last().map(|r| Cursor { at: r.at, id: r.id })
    } else {
        None
    };
    Ok(LogPage { rows, next })
}

/// Every row matching the search, newest first, handed to `each` as it arrives from the
/// database (nothing is collected), up to `cap` rows (the export's is `MAX_EXPORT_ROWS`). `each`
/// answers whether to go on (the reader may have gone). Returns the rows handed over and whether
/// more matched.
pub async fn export<F, Fut>(
    pool: &PgPool,
    (scope, window, filter): (&Scope, &Window, &LogFilter),
    cap: u64,
    mut each: F,
) -> AppResult<(u64, bool)>
where
    F: FnMut(LogRow) -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let cap = cap.min(MAX_EXPORT_ROWS);
    let limit = i64::try_from(cap).unwrap_or(i64::MAX) + 1;
    let mut q = query(scope, window, filter, None, limit);
    let mut rows = q.build_query_as::<Row>().fetch(pool);
    let mut sent = 0;
    while let Some(row) = rows.try_next().await? {
        if sent >= cap {
            return Ok((sent, true));
        }
        if !each(row.into()).await {
            break;
        }
        sent += 1;
    }
    Ok((sent, false))
}
