//! APIs, API versions and the plans they offer. Every change to an unpublished version
//! re-settles its status (Created / Ready) from the checklist in the same transaction.

use sqlx::{PgConnection, PgPool};

use super::audit::{self, Change};
use super::policies::{self, Owner};
use super::unique_or;
use crate::domain::catalog::ApiSummary;
use crate::domain::lifecycle::{self, ApiAction, ApiChange, ApiStatus, PlanStatus, Readiness};
use crate::domain::paging::{Page, PageQuery};
use crate::error::{AppError, AppResult};

pub use super::api_view::view;

async fn record(
    conn: &mut PgConnection,
    actor: &str,
    org: &str,
    api: &str,
    action: &str,
    data: serde_json::Value,
) -> AppResult<()> {
    audit::record(
        conn,
        Change {
            actor,
            org_id: Some(org),
            entity_type: "api",
            entity_id: api,
            action,
            data,
        },
    )
    .await
}

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
        "INSERT INTO apis (org_id, id, name, description, created_by) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(org)
    .bind(id)
    .bind(name)
    .bind(description)
    .bind(actor)
    .execute(&mut *tx)
    .await;
    unique_or(inserted, || {
        AppError::field("id", format!("{org} already has an API with the id {id}."))
    })?;
    sqlx::query(
        "INSERT INTO api_versions (org_id, api_id, version, created_by) VALUES ($1, $2, $3, $4)",
    )
    .bind(org)
    .bind(id)
    .bind(version)
    .bind(actor)
    .execute(&mut *tx)
    .await?;
    record(
        &mut tx,
        actor,
        org,
        id,
        "created",
        serde_json::json!({"name": name, "version": version}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One page of the organization's apis, each with its newest version.
pub async fn list(pool: &PgPool, org: &str, query: &PageQuery) -> AppResult<Page<ApiSummary>> {
    let page = super::latest::page(pool, super::latest::Entity::Api, org, query)
        .await?
        .map(Into::into);
    Ok(page)
}

/// The id and status of an API version, locking its row for the rest of the transaction.
pub async fn lock_version(
    conn: &mut PgConnection,
    org: &str,
    api: &str,
    version: &str,
) -> AppResult<(i64, ApiStatus)> {
    let row: Option<(i64, ApiStatus)> = sqlx::query_as(
        "SELECT id, status FROM api_versions
         WHERE org_id = $1 AND api_id = $2 AND version = $3 FOR UPDATE",
    )
    .bind(org)
    .bind(api)
    .bind(version)
    .fetch_optional(conn)
    .await?;
    row.ok_or_else(|| AppError::not_found(format!("There is no version {version} of API {api}.")))
}

pub(super) async fn readiness(conn: &mut PgConnection, version_id: i64) -> AppResult<Readiness> {
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

async fn settle(conn: &mut PgConnection, version_id: i64, current: ApiStatus) -> AppResult<()> {
    let next = lifecycle::settle(current, &readiness(conn, version_id).await?);
    if next != current {
        sqlx::query("UPDATE api_versions SET status = $2 WHERE id = $1")
            .bind(version_id)
            .bind(next)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Locks the version and checks that `change` is allowed in its status.
pub async fn lock_for_change(
    conn: &mut PgConnection,
    org: &str,
    api: &str,
    version: &str,
    change: ApiChange,
) -> AppResult<(i64, ApiStatus)> {
    let (id, current) = lock_version(conn, org, api, version).await?;
    lifecycle::api_change_allowed(current, change).map_err(AppError::Conflict)?;
    Ok((id, current))
}

/// Documentation and the portal flag: allowed while published too.
#[allow(clippy::too_many_arguments)]
pub async fn update_details(
    pool: &PgPool,
    actor: &str,
    org: &str,
    api: &str,
    version: &str,
    description: &str,
    markdown: &str,
    featured: bool,
) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let (id, _) = lock_for_change(&mut tx, org, api, version, ApiChange::Details).await?;
    sqlx::query("UPDATE apis SET description = $3 WHERE org_id = $1 AND id = $2")
        .bind(org)
        .bind(api)
        .bind(description)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE api_versions SET markdown = $2, featured = $3 WHERE id = $1")
        .bind(id)
        .bind(markdown)
        .bind(featured)
        .execute(&mut *tx)
        .await?;
    record(
        &mut tx,
        actor,
        org,
        api,
        "details_updated",
        serde_json::json!({"version": version, "featured": featured}),
    )
    .await?;
    tx.commit().await?;
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
    pool: &PgPool,
    actor: &str,
    org: &str,
    api: &str,
    version: &str,
    implementation: Implementation<'_>,
) -> AppResult<()> {
    let Implementation {
        endpoint,
        upstream_ca_pem,
        public,
    } = implementation;
    let mut tx = pool.begin().await?;
    let (id, current) =
        lock_for_change(&mut tx, org, api, version, ApiChange::Implementation).await?;
    sqlx::query(
        "UPDATE api_versions SET endpoint = $2, upstream_ca_pem = $3, public = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(endpoint)
    .bind(upstream_ca_pem)
    .bind(public)
    .execute(&mut *tx)
    .await?;
    settle(&mut tx, id, current).await?;
    record(
        &mut tx,
        actor,
        org,
        api,
        "implementation_updated",
        serde_json::json!({"version": version, "endpoint": endpoint, "public": public,
            "upstream_ca": upstream_ca_pem.is_some()}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A plan version to offer: (plan id, plan version, requires approval).
pub type PlanOffer = (String, String, bool);

/// Replaces the offered plans, in the given order. Only locked plan versions of the same
/// organization can be offered.
pub async fn set_plans(
    pool: &PgPool,
    actor: &str,
    org: &str,
    api: &str,
    version: &str,
    offers: &[PlanOffer],
) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let (id, current) = lock_for_change(&mut tx, org, api, version, ApiChange::Plans).await?;
    sqlx::query("DELETE FROM api_plans WHERE api_version_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    for (position, (plan, plan_version, requires_approval)) in offers.iter().enumerate() {
        let found: Option<(i64, PlanStatus)> = sqlx::query_as(
            "SELECT id, status FROM plan_versions WHERE org_id = $1 AND plan_id = $2 AND version = $3",
        )
        .bind(org)
        .bind(plan)
        .bind(plan_version)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((plan_version_id, plan_status)) = found else {
            return Err(AppError::field(
                "plans",
                format!("{org} has no plan {plan} with version {plan_version}."),
            ));
        };
        if plan_status != PlanStatus::Locked {
            return Err(AppError::field(
                "plans",
                format!("Plan {plan} {plan_version} is not locked: lock it before offering it."),
            ));
        }
        let inserted = sqlx::query(
            "INSERT INTO api_plans (api_version_id, plan_version_id, requires_approval, position)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(plan_version_id)
        .bind(requires_approval)
        .bind(position as i32)
        .execute(&mut *tx)
        .await;
        unique_or(inserted, || {
            AppError::field(
                "plans",
                format!("Plan {plan} {plan_version} is listed twice."),
            )
        })?;
    }
    settle(&mut tx, id, current).await?;
    let listed: Vec<String> = offers
        .iter()
        .map(|(p, v, a)| format!("{p} {v}{}", if *a { " (approval)" } else { "" }))
        .collect();
    record(
        &mut tx,
        actor,
        org,
        api,
        "plans_updated",
        serde_json::json!({"version": version, "plans": listed}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Publish or Retire, as the lifecycle allows.
pub async fn transition(
    pool: &PgPool,
    actor: &str,
    org: &str,
    api: &str,
    version: &str,
    action: ApiAction,
) -> AppResult<ApiStatus> {
    let mut tx = pool.begin().await?;
    let (id, current) = lock_version(&mut tx, org, api, version).await?;
    let ready = readiness(&mut tx, id).await?;
    let next = lifecycle::api_transition(current, action, &ready).map_err(AppError::Conflict)?;
    let (stamp, verb) = match action {
        ApiAction::Publish => ("published_at", "published"),
        ApiAction::Retire => ("retired_at", "retired"),
    };
    let sql = format!("UPDATE api_versions SET status = $2, {stamp} = now() WHERE id = $1");
    sqlx::query(&sql)
        .bind(id)
        .bind(next)
        .execute(&mut *tx)
        .await?;
    record(
        &mut tx,
        actor,
        org,
        api,
        verb,
        serde_json::json!({"version": version}),
    )
    .await?;
    let kind = match action {
        ApiAction::Publish => super::gateway_feed::ChangeKind::ApiPublished,
        ApiAction::Retire => super::gateway_feed::ChangeKind::ApiRetired,
    };
    super::gateway_feed::notify(&mut tx, kind, id).await?;
    tx.commit().await?;
    Ok(next)
}

/// A new version copying endpoint, visibility, flags, documentation, plans and policies.
pub async fn new_version(
    pool: &PgPool,
    actor: &str,
    org: &str,
    api: &str,
    from_version: &str,
    version: &str,
) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let (from_id, _) = lock_version(&mut tx, org, api, from_version).await?;
    let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
        "INSERT INTO api_versions (org_id, api_id, version, endpoint, upstream_ca_pem, public, featured, markdown, created_by)
         SELECT org_id, api_id, $2, endpoint, upstream_ca_pem, public, featured, markdown, $3
         FROM api_versions WHERE id = $1 RETURNING id",
    )
    .bind(from_id)
    .bind(version)
    .bind(actor)
    .fetch_one(&mut *tx)
    .await;
    let (new_id,) = unique_or(inserted, || {
        AppError::field(
            "version",
            format!("API {api} already has a version {version}."),
        )
    })?;
    sqlx::query(
        "INSERT INTO api_plans (api_version_id, plan_version_id, requires_approval, position)
         SELECT $2, plan_version_id, requires_approval, position FROM api_plans WHERE api_version_id = $1",
    )
    .bind(from_id)
    .bind(new_id)
    .execute(&mut *tx)
    .await?;
    policies::copy(&mut tx, Owner::Api(from_id), Owner::Api(new_id)).await?;
    settle(&mut tx, new_id, ApiStatus::Created).await?;
    record(
        &mut tx,
        actor,
        org,
        api,
        "version_created",
        serde_json::json!({"version": version, "from": from_version}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes the API with all its versions, unless one of them is published.
pub async fn delete(pool: &PgPool, actor: &str, org: &str, api: &str) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let statuses: Vec<ApiStatus> = sqlx::query_scalar(
        "SELECT status FROM api_versions WHERE org_id = $1 AND api_id = $2 FOR UPDATE",
    )
    .bind(org)
    .bind(api)
    .fetch_all(&mut *tx)
    .await?;
    lifecycle::api_delete_allowed(&statuses).map_err(AppError::Conflict)?;
    let done = sqlx::query("DELETE FROM apis WHERE org_id = $1 AND id = $2")
        .bind(org)
        .bind(api)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::not_found(format!("There is no API {api}.")));
    }
    record(&mut tx, actor, org, api, "deleted", serde_json::json!({})).await?;
    tx.commit().await?;
    Ok(())
}
