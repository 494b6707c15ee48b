//! The plan use cases: each owns its transaction, checks the lifecycle rules, calls the
//! store's SQL and records the change.

use crate::api::versioned as shared;
use crate::domain::lifecycle;
use crate::domain::refs::VersionRef;
use crate::error::{AppError, AppResult};
use crate::store::PgPool;
use crate::store::plans;
use crate::store::policies::{self, Owner};
use crate::store::versioned::{Entity, NewEntity};

/// Creates the plan with its first version.
pub async fn create(pool: &PgPool, actor: &str, new: &NewEntity<'_>) -> AppResult<()> {
    shared::create(pool, Entity::Plan, actor, new).await
}

/// Locks the version: from now on it never changes.
pub async fn lock(pool: &PgPool, actor: &str, plan: &VersionRef) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let (id, current) = plans::lock_version(&mut tx, plan).await?;
    let next = lifecycle::plan_lock(current).map_err(AppError::Conflict)?;
    plans::set_locked(&mut tx, id, next).await?;
    shared::subject(Entity::Plan, actor, &plan.org, &plan.id)
        .record(
            &mut tx,
            "locked",
            serde_json::json!({"version": plan.version}),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A new version `version` of the plan, starting with a copy of the policies of version `from`.
pub async fn new_version(
    pool: &PgPool,
    actor: &str,
    from: &VersionRef,
    version: &str,
) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let (from_id, new_id) =
        shared::add_version(&mut tx, Entity::Plan, actor, from, version).await?;
    policies::copy(&mut tx, Owner::Plan(from_id), Owner::Plan(new_id)).await?;
    tx.commit().await?;
    Ok(())
}
