//! Gateway analytics: the request log and rollups the gateway writes (`write`, `partitions`),
//! and what the Metrics tabs, the Usage page and the Log Analyzer read from them (`report`,
//! `log`).
//!
//! Every read is bounded by its window and names its API versions (or client versions) first, so
//! it runs on the indexes `(api_version_id, at DESC, id DESC)`, `(api_version_id, minute|hour)`
//! and their client twins; charts read the rollup the window picks (`Window::source`), never the
//! log. Values are always bound, and the SQL text is built from static pieces only.

pub mod copy_log;
pub mod log;
pub mod partitions;
pub mod report;
pub mod write;

use sqlx::{PgPool, Postgres, QueryBuilder};

use crate::domain::analytics::window::Source;
use crate::domain::refs::VersionRef;
use crate::error::AppResult;

/// Whose traffic a query reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// One API version (by row id).
    Api(i64),
    /// Every API version of an organization (by its id).
    Org(String),
    /// The client versions' calls to any API (by row ids).
    Clients(Vec<i64>),
}

impl Scope {
    /// Appends the scope's condition on `alias.api_version_id` / `alias.client_version_id`.
    pub(crate) fn push(&self, q: &mut QueryBuilder<'_, Postgres>, alias: &'static str) {
        match self {
            Scope::Api(id) => {
                q.push(format_args!("{alias}.api_version_id = "));
                q.push_bind(*id);
            }
            Scope::Org(org) => {
                q.push(format_args!(
                    "{alias}.api_version_id IN (SELECT id FROM api_versions WHERE org_id = "
                ));
                q.push_bind(org.clone());
                q.push(")");
            }
            Scope::Clients(ids) => {
                q.push(format_args!("{alias}.client_version_id = ANY("));
                q.push_bind(ids.clone());
                q.push(")");
            }
        }
    }
}

/// The rollup table a window reads and its time column.
pub(crate) fn rollup(source: Source) -> (&'static str, &'static str) {
    match source {
        Source::Minutes => ("analytics_minutes", "minute"),
        Source::Hours => ("analytics_hours", "hour"),
    }
}

/// The callers of a rollup (API, client and plan with their requests and errors): what the
/// "top" tables read.
pub(crate) fn parties(source: Source) -> (&'static str, &'static str) {
    match source {
        Source::Minutes => ("analytics_party_minutes", "minute"),
        Source::Hours => ("analytics_party_hours", "hour"),
    }
}

/// The per-API series of a rollup (no client, plan or method): what API and organization
/// charts read, a few rows per API and time bucket.
pub(crate) fn series(source: Source) -> (&'static str, &'static str) {
    match source {
        Source::Minutes => ("analytics_api_minutes", "minute"),
        Source::Hours => ("analytics_api_hours", "hour"),
    }
}

/// The row id of an API version.
pub async fn api_version_id(pool: &PgPool, v: &VersionRef) -> AppResult<Option<i64>> {
    version_id(pool, "api_versions", "api_id", v).await
}

/// The row id of a client version.
pub async fn client_version_id(pool: &PgPool, v: &VersionRef) -> AppResult<Option<i64>> {
    version_id(pool, "client_versions", "client_id", v).await
}

async fn version_id(
    pool: &PgPool,
    table: &'static str,
    column: &'static str,
    v: &VersionRef,
) -> AppResult<Option<i64>> {
    let sql =
        format!("SELECT id FROM {table} WHERE org_id = $1 AND {column} = $2 AND version = $3");
    Ok(sqlx::query_scalar(&sql)
        .bind(&v.org)
        .bind(&v.id)
        .bind(&v.version)
        .fetch_optional(pool)
        .await?)
}

/// A status as stored (SMALLINT) as the reports carry it; nothing stored is negative.
pub(crate) fn status(stored: i16) -> u16 {
    u16::try_from(stored).unwrap_or(0)
}
