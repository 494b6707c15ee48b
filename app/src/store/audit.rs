//! The audit trail: one row per change, written in the same transaction as the change.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use super::{Counted, counted_page};

use crate::domain::model::AuditEntry;
use crate::domain::paging::{Page, PageQuery};
use crate::error::AppResult;

/// What changed, for one audit row.
pub struct Change<'a> {
    pub actor: &'a str,
    pub org_id: Option<&'a str>,
    pub entity_type: &'a str,
    pub entity_id: &'a str,
    pub action: &'a str,
    pub data: serde_json::Value,
}

/// Who changes which entity of which organization: what the audit rows of one use case share.
#[derive(Clone, Copy)]
pub struct Subject<'a> {
    pub actor: &'a str,
    pub org_id: &'a str,
    pub entity_type: &'static str,
    pub entity_id: &'a str,
}

impl Subject<'_> {
    /// Records `action` with `data` about the subject.
    pub async fn record(
        &self,
        conn: &mut PgConnection,
        action: &str,
        data: serde_json::Value,
    ) -> AppResult<()> {
        record(
            conn,
            Change {
                actor: self.actor,
                org_id: Some(self.org_id),
                entity_type: self.entity_type,
                entity_id: self.entity_id,
                action,
                data,
            },
        )
        .await
    }
}

pub async fn record(conn: &mut PgConnection, change: Change<'_>) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO audit_entries (actor, org_id, entity_type, entity_id, action, data)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(change.actor)
    .bind(change.org_id)
    .bind(change.entity_type)
    .bind(change.entity_id)
    .bind(change.action)
    .bind(change.data)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    at: DateTime<Utc>,
    actor: String,
    entity_type: String,
    entity_id: String,
    action: String,
    data: serde_json::Value,
}

/// The newest entries about one entity (an API, a plan, …) of an organization first.
pub async fn list_for_entity(
    pool: &PgPool,
    org_id: &str,
    entity_type: &str,
    entity_id: &str,
    limit: i64,
) -> AppResult<Vec<AuditEntry>> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, at, actor, entity_type, entity_id, action, data FROM audit_entries
         WHERE org_id = $1 AND entity_type = $2 AND entity_id = $3
         ORDER BY at DESC, id DESC LIMIT $4",
    )
    .bind(org_id)
    .bind(entity_type)
    .bind(entity_id)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// One page of an organization's entries (or one entity's, when given), newest first. The filter
/// looks at who, what and the details.
pub async fn page(
    pool: &PgPool,
    org_id: &str,
    entity: Option<(&str, &str)>,
    query: &PageQuery,
) -> AppResult<Page<AuditEntry>> {
    let rows: Vec<Counted<Row>> = sqlx::query_as(
        "SELECT id, at, actor, entity_type, entity_id, action, data, count(*) OVER () AS total
         FROM audit_entries
         WHERE org_id = $1 AND ($2::text IS NULL OR (entity_type = $2 AND entity_id = $3))
           AND (lower(actor) LIKE $4 ESCAPE '\\' OR lower(entity_id) LIKE $4 ESCAPE '\\'
                OR lower(action) LIKE $4 ESCAPE '\\' OR lower(data::text) LIKE $4 ESCAPE '\\')
         ORDER BY at DESC, id DESC LIMIT $5 OFFSET $6",
    )
    .bind(org_id)
    .bind(entity.map(|(t, _)| t))
    .bind(entity.map(|(_, id)| id))
    .bind(&query.pattern)
    .bind(query.limit)
    .bind(query.offset)
    .fetch_all(pool)
    .await?;
    Ok(counted_page(rows, query, Into::into))
}

impl From<Row> for AuditEntry {
    fn from(r: Row) -> Self {
        AuditEntry {
            id: r.id,
            at: r.at,
            actor: r.actor,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            action: r.action,
            data: r.data,
        }
    }
}
