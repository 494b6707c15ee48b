//! One page of an organization's APIs, plans or clients, each with its newest version: the
//! three versioned entities share this query (one index scan per row shown, whatever the count).

use sqlx::postgres::PgRow;
use sqlx::{FromRow, PgPool};

use crate::domain::catalog::EntitySummary;
use crate::domain::paging::{Page, PageQuery};
use crate::error::AppResult;

/// Which versioned entity to list.
#[derive(Debug, Clone, Copy)]
pub enum Entity {
    Api,
    Plan,
    Client,
}

impl Entity {
    /// (entity table, version table, the version table's column naming the entity). Static
    /// strings only: nothing from a request is ever spliced into the SQL.
    fn tables(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Entity::Api => ("apis", "api_versions", "api_id"),
            Entity::Plan => ("plans", "plan_versions", "plan_id"),
            Entity::Client => ("clients", "client_versions", "client_id"),
        }
    }
}

/// An entity and its newest version, with its status (`S`: the entity's status enum).
#[derive(sqlx::FromRow)]
pub struct Latest<S> {
    pub id: String,
    pub name: String,
    pub description: String,
    pub version: String,
    pub status: S,
    total: i64,
}

impl<S> From<Latest<S>> for EntitySummary<S> {
    fn from(r: Latest<S>) -> Self {
        EntitySummary {
            id: r.id,
            name: r.name,
            description: r.description,
            latest_version: r.version,
            latest_status: r.status,
        }
    }
}

/// The entities of `org` whose name or id contains the filter, by name.
pub async fn page<S>(
    pool: &PgPool,
    entity: Entity,
    org: &str,
    query: &PageQuery,
) -> AppResult<Page<Latest<S>>>
where
    Latest<S>: for<'r> FromRow<'r, PgRow> + Send + Unpin,
{
    let (table, versions, column) = entity.tables();
    let sql = format!(
        "SELECT e.id, e.name, e.description, v.version, v.status, count(*) OVER () AS total
         FROM {table} e
         JOIN LATERAL (SELECT version, status FROM {versions} v
                       WHERE v.org_id = e.org_id AND v.{column} = e.id
                       ORDER BY v.created_at DESC, v.id DESC LIMIT 1) v ON true
         WHERE e.org_id = $1
           AND (lower(e.name) LIKE $2 ESCAPE '\\' OR lower(e.id) LIKE $2 ESCAPE '\\')
         ORDER BY lower(e.name), e.id LIMIT $3 OFFSET $4"
    );
    let rows: Vec<Latest<S>> = sqlx::query_as(&sql)
        .bind(org)
        .bind(&query.pattern)
        .bind(query.limit)
        .bind(query.offset)
        .fetch_all(pool)
        .await?;
    let total = rows.first().map_or(0, |r| r.total);
    Ok(Page::new(rows, total, query))
}
