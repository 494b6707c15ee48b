//! Plans and plan versions.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use super::audit::{self, Change};
use super::policies::{self, Owner};
use super::unique_or;
use crate::domain::catalog::{PlanChoice, PlanSummary, PlanVersionView};
use crate::domain::lifecycle::{self, PlanStatus};
use crate::domain::paging::{Page, PageQuery};
use crate::error::{AppError, AppResult};

pub async fn create(
    pool: &PgPool,
    actor: &str,
    org: &str,
    id: &str,
    name: &str,
    description: &str,
    version: &str,
) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO plans (org_id, id, name, description, created_by) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(org)
    .bind(id)
    .bind(name)
    .bind(description)
    .bind(actor)
    .execute(&mut *tx)
    .await;
    unique_or(inserted, || {
        AppError::field("id", format!("{org} already has a plan with the id {id}."))
    })?;
    sqlx::query(
        "INSERT INTO plan_versions (org_id, plan_id, version, created_by) VALUES ($1, $2, $3, $4)",
    )
    .bind(org)
    .bind(id)
    .bind(version)
    .bind(actor)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        Change {
            actor,
            org_id: Some(org),
            entity_type: "plan",
            entity_id: id,
            action: "created",
            data: serde_json::json!({"name": name, "version": version}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One page of the organization's plans, each with its newest version.
pub async fn list(pool: &PgPool, org: &str, query: &PageQuery) -> AppResult<Page<PlanSummary>> {
    let page = super::latest::page(pool, super::latest::Entity::Plan, org, query)
        .await?
        .map(Into::into);
    Ok(page)
}

/// The id and status of a plan version, locking its row for the rest of the transaction.
pub async fn lock_version(
    conn: &mut PgConnection,
    org: &str,
    plan: &str,
    version: &str,
) -> AppResult<(i64, PlanStatus)> {
    let row: Option<(i64, PlanStatus)> = sqlx::query_as(
        "SELECT id, status FROM plan_versions
         WHERE org_id = $1 AND plan_id = $2 AND version = $3 FOR UPDATE",
    )
    .bind(org)
    .bind(plan)
    .bind(version)
    .fetch_optional(conn)
    .await?;
    row.ok_or_else(|| AppError::not_found(format!("There is no version {version} of plan {plan}.")))
}

#[derive(sqlx::FromRow)]
struct ViewRow {
    name: String,
    description: String,
    status: PlanStatus,
    locked_on: Option<DateTime<Utc>>,
}

pub async fn view(
    pool: &PgPool,
    org: &str,
    plan: &str,
    version: &str,
) -> AppResult<Option<PlanVersionView>> {
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
        org_id: org.to_string(),
        plan_id: plan.to_string(),
        name: row.name,
        description: row.description,
        version: version.to_string(),
        status: row.status,
        locked_on: row.locked_on,
        versions: versions.into_iter().map(|(v,)| v).collect(),
        can_edit: false,
    }))
}

pub async fn lock(
    pool: &PgPool,
    actor: &str,
    org: &str,
    plan: &str,
    version: &str,
) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let (id, current) = lock_version(&mut tx, org, plan, version).await?;
    let next = lifecycle::plan_lock(current).map_err(AppError::Conflict)?;
    sqlx::query("UPDATE plan_versions SET status = $2, locked_on = now() WHERE id = $1")
        .bind(id)
        .bind(next)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Change {
            actor,
            org_id: Some(org),
            entity_type: "plan",
            entity_id: plan,
            action: "locked",
            data: serde_json::json!({"version": version}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A new version of the plan, starting with a copy of the policies of `from_version`.
pub async fn new_version(
    pool: &PgPool,
    actor: &str,
    org: &str,
    plan: &str,
    from_version: &str,
    version: &str,
) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let (from_id, _) = lock_version(&mut tx, org, plan, from_version).await?;
    let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
        "INSERT INTO plan_versions (org_id, plan_id, version, created_by) VALUES ($1, $2, $3, $4)
         RETURNING id",
    )
    .bind(org)
    .bind(plan)
    .bind(version)
    .bind(actor)
    .fetch_one(&mut *tx)
    .await;
    let (new_id,) = unique_or(inserted, || {
        AppError::field(
            "version",
            format!("Plan {plan} already has a version {version}."),
        )
    })?;
    policies::copy(&mut tx, Owner::Plan(from_id), Owner::Plan(new_id)).await?;
    audit::record(
        &mut tx,
        Change {
            actor,
            org_id: Some(org),
            entity_type: "plan",
            entity_id: plan,
            action: "version_created",
            data: serde_json::json!({"version": version, "from": from_version}),
        },
    )
    .await?;
    tx.commit().await?;
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
