//! APIs, API versions and the plans they offer: the SQL only. The use cases in
//! `api::apis::service` decide what may change and re-settle a version's status.

use sqlx::{PgConnection, PgPool};

use super::unique_or;
use super::versioned::{self, Entity};
use crate::domain::catalog::{ApiSummary, PlanOffer};
use crate::domain::lifecycle::{ApiAction, ApiStatus, PlanStatus, Readiness};
use crate::domain::paging::{Page, PageQuery};
use crate::domain::refs::{EntityRef, VersionRef};
use crate::error::{AppError, AppResult};

pub use super::api_view::view;

/// One page of the organization's apis, each with its newest version.
pub async fn list(pool: &PgPool, org: &str, query: &PageQuery) -> AppResult<Page<ApiSummary>> {
    versioned::page(pool, Entity::Api, org, query).await
}

/// The id and status of an API version, locking its row for the rest of the transaction.
pub async fn lock_version(
    conn: &mut PgConnection,
    api: &VersionRef,
) -> AppResult<(i64, ApiStatus)> {
    versioned::lock_version(conn, Entity::Api, api).await
}

/// What the checklist needs to know about a version (see `Readiness`).
pub async fn readiness(conn: &mut PgConnection, version_id: i64) -> AppResult<Readiness> {
    let (endpoint, public, plans, unlocked): (String, bool, i64, i64) = sqlx::query_as(
        "SELECT v.endpoint, v.public,
                (SELECT count(*) FROM api_plans ap WHERE ap.api_version_id = v.id),
                (SELECT count(*) FROM api_plans ap JOIN plan_versions pv ON pv.id = ap.plan_version_id
                 WHERE ap.api_version_id = v.id AND pv.status <> $2)
         FROM api_versions v WHERE v.id = $1",
    )
    .bind(version_id)
    .bind(PlanStatus::Locked)
    .fetch_one(conn)
    .await?;
    Ok(Readiness::of(
        &endpoint,
        public,
        plans as usize,
        unlocked as usize,
    ))
}

pub async fn set_status(
    conn: &mut PgConnection,
    version_id: i64,
    status: ApiStatus,
) -> AppResult<()> {
    sqlx::query("UPDATE api_versions SET status = $2 WHERE id = $1")
        .bind(version_id)
        .bind(status)
        .execute(conn)
        .await?;
    Ok(())
}

/// Sets the status `action` leads to, and the time it was published or retired.
pub async fn set_transitioned(
    conn: &mut PgConnection,
    version_id: i64,
    action: ApiAction,
    status: ApiStatus,
) -> AppResult<()> {
    let stamp = match action {
        ApiAction::Publish => "published_at",
        ApiAction::Retire => "retired_at",
    };
    let sql = format!("UPDATE api_versions SET status = $2, {stamp} = now() WHERE id = $1");
    sqlx::query(&sql)
        .bind(version_id)
        .bind(status)
        .execute(conn)
        .await?;
    Ok(())
}

/// The documentation of an API version: the API's description, the version's Markdown and
/// whether the portal features it.
pub struct Details<'a> {
    pub description: &'a str,
    pub markdown: &'a str,
    pub featured: bool,
}

/// Sets the description of `api` and the rest on its version row `version_id`.
pub async fn set_details(
    conn: &mut PgConnection,
    (api, version_id): (&EntityRef, i64),
    details: &Details<'_>,
) -> AppResult<()> {
    sqlx::query("UPDATE apis SET description = $3 WHERE org_id = $1 AND id = $2")
        .bind(&api.org)
        .bind(&api.id)
        .bind(details.description)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE api_versions SET markdown = $2, featured = $3 WHERE id = $1")
        .bind(version_id)
        .bind(details.markdown)
        .bind(details.featured)
        .execute(conn)
        .await?;
    Ok(())
}

/// Where an API version's traffic goes: the upstream, its own CA certificates, and whether it
/// is public.
pub struct Implementation<'a> {
    pub endpoint: &'a str,
    pub upstream_ca_pem: Option<&'a str>,
    pub public: bool,
}

pub async fn set_implementation(
    conn: &mut PgConnection,
    version_id: i64,
    implementation: &Implementation<'_>,
) -> AppResult<()> {
    sqlx::query(
        "UPDATE api_versions SET endpoint = $2, upstream_ca_pem = $3, public = $4 WHERE id = $1",
    )
    .bind(version_id)
    .bind(implementation.endpoint)
    .bind(implementation.upstream_ca_pem)
    .bind(implementation.public)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn clear_plans(conn: &mut PgConnection, version_id: i64) -> AppResult<()> {
    sqlx::query("DELETE FROM api_plans WHERE api_version_id = $1")
        .bind(version_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The row id and status of a plan version, if there is one.
pub async fn plan_version(
    conn: &mut PgConnection,
    plan: &VersionRef,
) -> AppResult<Option<(i64, PlanStatus)>> {
    Ok(sqlx::query_as(
        "SELECT id, status FROM plan_versions WHERE org_id = $1 AND plan_id = $2 AND version = $3",
    )
    .bind(&plan.org)
    .bind(&plan.id)
    .bind(&plan.version)
    .fetch_optional(conn)
    .await?)
}

/// Offers plan version `plan_version_id` (the `offer`) at `position` of the list.
pub async fn offer_plan(
    conn: &mut PgConnection,
    version_id: i64,
    position: usize,
    offer: &PlanOffer,
    plan_version_id: i64,
) -> AppResult<()> {
    let inserted = sqlx::query(
        "INSERT INTO api_plans (api_version_id, plan_version_id, requires_approval, position)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(version_id)
    .bind(plan_version_id)
    .bind(offer.requires_approval)
    .bind(position as i32)
    .execute(conn)
    .await;
    unique_or(inserted, || {
        AppError::field(
            "plans",
            format!("Plan {} {} is listed twice.", offer.plan_id, offer.version),
        )
    })?;
    Ok(())
}

/// Offers the plans of version `from` in version `to` too, in the same order.
pub async fn copy_plans(conn: &mut PgConnection, from: i64, to: i64) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO api_plans (api_version_id, plan_version_id, requires_approval, position)
         SELECT $2, plan_version_id, requires_approval, position FROM api_plans WHERE api_version_id = $1",
    )
    .bind(from)
    .bind(to)
    .execute(conn)
    .await?;
    Ok(())
}
