//! Plans and plan versions: the SQL only (the use cases are in `api::plans::service`).

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use super::versioned::{self, Entity};
use crate::domain::catalog::{PlanChoice, PlanSummary, PlanVersionView};
use crate::domain::lifecycle::PlanStatus;
use crate::domain::paging::{Page, PageQuery};
use crate::domain::refs::VersionRef;
use crate::error::AppResult;

/// One page of the organization's plans, each with its newest version.
pub async fn list(pool: &PgPool, org: &str, query: &PageQuery) -> AppResult<Page<PlanSummary>> {
    versioned::page(pool, Entity::Plan, org, query).await
}

/// The id and status of a plan version, locking its row for the rest of the transaction.
pub async fn lock_version(
    conn: &mut PgConnection,
    plan: &VersionRef,
) -> AppResult<(i64, PlanStatus)> {
    versioned::lock_version(conn, Entity::Plan, plan).await
}

#[derive(sqlx::FromRow)]
struct ViewRow {
    name: String,
    description: String,
    status: PlanStatus,
    locked_on: Option<DateTime<Utc>>,
}

pub async fn view(pool: &PgPool, v: &VersionRef) -> AppResult<Option<PlanVersionView>> {
    let VersionRef {
        org,
        id: plan,
        version,
    } = v;
    let row: Option<ViewRow> = sqlx::query_as(
        "SELECT p.name, p.description, v.status, v.locked_on
         FROM plans p JOIN plan_versions v ON v.org_id = p.org_id AND v.plan_id = p.id
         WHERE p.org_id = $1 AND p.id = $2 AND v.version = $3",
    )
    .bind(org)
    .bind(plan)
    .bind(version)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let versions: Vec<(String,)> = sqlx::query_as(
        "SELECT version FROM plan_versions WHERE org_id = $1 AND plan_id = $2 ORDER BY created_at, id",
    )
    .bind(org)
    .bind(plan)
    .fetch_all(pool)
    .await?;
    Ok(Some(PlanVersionView {
        org_id: org.clone(),
        plan_id: plan.clone(),
        name: row.name,
        description: row.description,
        version: version.clone(),
        status: row.status,
        locked_on: row.locked_on,
        versions: versions.into_iter().map(|(v,)| v).collect(),
        can_edit: false,
    }))
}

/// Marks the version `status` (Locked) as of now.
pub async fn set_locked(
    conn: &mut PgConnection,
    version_id: i64,
    status: PlanStatus,
) -> AppResult<()> {
    sqlx::query("UPDATE plan_versions SET status = $2, locked_on = now() WHERE id = $1")
        .bind(version_id)
        .bind(status)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ChoiceRow {
    plan_id: String,
    plan_name: String,
    version: String,
    total: i64,
}

/// One page of the organization's locked plan versions, which APIs may offer; the filter looks
/// at plan names and ids.
pub async fn locked_choices(
    pool: &PgPool,
    org: &str,
    query: &PageQuery,
) -> AppResult<Page<PlanChoice>> {
    let rows: Vec<ChoiceRow> = sqlx::query_as(
        "SELECT p.id AS plan_id, p.name AS plan_name, v.version, count(*) OVER () AS total
         FROM plans p JOIN plan_versions v ON v.org_id = p.org_id AND v.plan_id = p.id
         WHERE p.org_id = $1 AND v.status = $5
           AND (lower(p.name) LIKE $2 ESCAPE '\\' OR lower(p.id) LIKE $2 ESCAPE '\\')
         ORDER BY lower(p.name), p.id, v.created_at, v.id LIMIT $3 OFFSET $4",
    )
    .bind(org)
    .bind(&query.pattern)
    .bind(query.limit)
    .bind(query.offset)
    .bind(PlanStatus::Locked)
    .fetch_all(pool)
    .await?;
    let total = rows.first().map_or(0, |r| r.total);
    let choices = rows
        .into_iter()
        .map(|r| PlanChoice {
            plan_id: r.plan_id,
            plan_name: r.plan_name,
            version: r.version,
        })
        .collect();
    Ok(Page::new(choices, total, query))
}
