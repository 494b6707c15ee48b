//! The API use cases: each owns its transaction, checks the lifecycle rules, calls the store's
//! SQL and records the change. Every change to an unpublished version re-settles its status
//! (Created / Ready) from the checklist in the same transaction.

use sqlx::PgConnection;

use crate::api::versioned as shared;
use crate::domain::catalog::PlanOffer;
use crate::domain::lifecycle::{self, ApiAction, ApiChange, ApiStatus, PlanStatus};
use crate::domain::refs::{EntityRef, VersionRef};
use crate::error::{AppError, AppResult};
use crate::store::PgPool;
use crate::store::apis::{self, Details, Implementation};
use crate::store::audit::Subject;
use crate::store::gateway_feed::{self, ChangeKind};
use crate::store::policies::{self, Owner};
use crate::store::versioned::{Entity, NewEntity};

/// The API of `api` as the subject of `actor`'s audit entries.
pub(crate) fn subject<'a>(actor: &'a str, api: &'a VersionRef) -> Subject<'a> {
    shared::subject(Entity::Api, actor, &api.org, &api.id)
}

/// Creates the API with its first version.
pub async fn create(pool: &PgPool, actor: &str, new: &NewEntity<'_>) -> AppResult<()> {
    shared::create(pool, Entity::Api, actor, new).await
}

/// Moves an unpublished version to the status its checklist gives it.
async fn settle(conn: &mut PgConnection, version_id: i64, current: ApiStatus) -> AppResult<()> {
    let next = lifecycle::settle(current, &apis::readiness(conn, version_id).await?);
    if next != current {
        apis::set_status(conn, version_id, next).await?;
    }
    Ok(())
}

/// Locks the version and checks that `change` is allowed in its status.
pub(crate) async fn lock_for_change(
    conn: &mut PgConnection,
    api: &VersionRef,
    change: ApiChange,
) -> AppResult<(i64, ApiStatus)> {
    let (id, current) = apis::lock_version(conn, api).await?;
    lifecycle::api_change_allowed(current, change).map_err(AppError::Conflict)?;
    Ok((id, current))
}

/// Documentation and the portal flag: allowed while published too.
pub async fn update_details(
    pool: &PgPool,
    actor: &str,
    api: &VersionRef,
    details: &Details<'_>,
) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let (id, _) = lock_for_change(&mut tx, api, ApiChange::Details).await?;
    apis::set_details(&mut tx, (&api.entity(), id), details).await?;
    subject(actor, api)
        .record(
            &mut tx,
            "details_updated",
            serde_json::json!({"version": api.version, "featured": details.featured}),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn set_implementation(
    pool: &PgPool,
    actor: &str,
    api: &VersionRef,
    implementation: &Implementation<'_>,
) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let (id, current) = lock_for_change(&mut tx, api, ApiChange::Implementation).await?;
    apis::set_implementation(&mut tx, id, implementation).await?;
    settle(&mut tx, id, current).await?;
    let Implementation {
        endpoint,
        upstream_ca_pem,
        public,
    } = implementation;
    subject(actor, api)
        .record(
            &mut tx,
            "implementation_updated",
            serde_json::json!({"version": api.version, "endpoint": endpoint, "public": public,
                "upstream_ca": upstream_ca_pem.is_some()}),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Replaces the offered plans, in the given order. Only locked plan versions of the same
/// organization can be offered.
pub async fn set_plans(
    pool: &PgPool,
    actor: &str,
    api: &VersionRef,
    offers: &[PlanOffer],
) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let (id, current) = lock_for_change(&mut tx, api, ApiChange::Plans).await?;
    apis::clear_plans(&mut tx, id).await?;
    for (position, offer) in offers.iter().enumerate() {
        let plan = offer.plan_ref(&api.org);
        let Some((plan_version_id, plan_status)) = apis::plan_version(&mut tx, &plan).await? else {
            return Err(AppError::field(
                "plans",
                format!(
                    "{} has no plan {} with version {}.",
                    plan.org, plan.id, plan.version
                ),
            ));
        };
        if plan_status != PlanStatus::Locked {
            return Err(AppError::field(
                "plans",
                format!(
                    "Plan {} {} is not locked: lock it before offering it.",
                    plan.id, plan.version
                ),
            ));
        }
        apis::offer_plan(&mut tx, id, position, offer, plan_version_id).await?;
    }
    settle(&mut tx, id, current).await?;
    let listed: Vec<String> = offers
        .iter()
        .map(|o| {
            let approval = if o.requires_approval {
                " (approval)"
            } else {
                ""
            };
            format!("{} {}{approval}", o.plan_id, o.version)
        })
        .collect();
    subject(actor, api)
        .record(
            &mut tx,
            "plans_updated",
            serde_json::json!({"version": api.version, "plans": listed}),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Publish or Retire, as the lifecycle allows; the gateways hear of it on commit.
pub async fn transition(
    pool: &PgPool,
    actor: &str,
    api: &VersionRef,
    action: ApiAction,
) -> AppResult<ApiStatus> {
    let mut tx = pool.begin().await?;
    let (id, current) = apis::lock_version(&mut tx, api).await?;
    let ready = apis::readiness(&mut tx, id).await?;
    let next = lifecycle::api_transition(current, action, &ready).map_err(AppError::Conflict)?;
    apis::set_transitioned(&mut tx, id, action, next).await?;
    let (verb, kind) = match action {
        ApiAction::Publish => ("published", ChangeKind::ApiPublished),
        ApiAction::Retire => ("retired", ChangeKind::ApiRetired),
    };
    subject(actor, api)
        .record(&mut tx, verb, serde_json::json!({"version": api.version}))
        .await?;
    gateway_feed::notify(&mut tx, kind, id).await?;
    tx.commit().await?;
    Ok(next)
}

/// A new version `version` copying endpoint, visibility, flags, documentation, plans and
/// policies from version `from`.
pub async fn new_version(
    pool: &PgPool,
    actor: &str,
    from: &VersionRef,
    version: &str,
) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let (from_id, new_id) = shared::add_version(&mut tx, Entity::Api, actor, from, version).await?;
    apis::copy_plans(&mut tx, from_id, new_id).await?;
    policies::copy(&mut tx, Owner::Api(from_id), Owner::Api(new_id)).await?;
    settle(&mut tx, new_id, ApiStatus::Created).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes the API with all its versions, unless one of them is published.
pub async fn delete(pool: &PgPool, actor: &str, api: &EntityRef) -> AppResult<()> {
    shared::delete(pool, Entity::Api, actor, api, lifecycle::api_delete_allowed).await
}
