//! The plan use cases: each owns its transaction, checks the lifecycle rules, calls the
//! store's SQL and records the change.

use crate::domain::lifecycle;
use crate::error::{AppError, AppResult};
use crate::store::PgPool;
use crate::store::audit::Subject;
use crate::store::plans;
use crate::store::policies::{self, Owner};
use crate::store::versioned::{self, Entity, NewEntity};

fn subject<'a>(actor: &'a str, org: &'a str, plan: &'a str) -> Subject<'a> {
    Subject {
        actor,
        org_id: org,
        entity_type: "plan",
        entity_id: plan,
    }
}

/// Creates the plan with its first version.
pub async fn create(pool: &PgPool, actor: &str, new: &NewEntity<'_>) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    versioned::create(&mut tx, Entity::Plan, actor, new, None).await?;
    subject(actor, new.org, new.id)
        .record(
            &mut tx,
            "created",
            serde_json::json!({"name": new.name, "version": new.version}),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Locks the version: from now on it never changes.
pub async fn lock(
    pool: &PgPool,
    actor: &str,
    (org, plan, version): (&str, &str, &str),
) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let (id, current) = plans::lock_version(&mut tx, org, plan, version).await?;
    let next = lifecycle::plan_lock(current).map_err(AppError::Conflict)?;
    plans::set_locked(&mut tx, id, next).await?;
    subject(actor, org, plan)
        .record(&mut tx, "locked", serde_json::json!({"version": version}))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A new version of the plan, starting with a copy of the policies of `from_version`.
pub async fn new_version(
    pool: &PgPool,
    actor: &str,
    (org, plan, from_version): (&str, &str, &str),
    version: &str,
) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let (from_id, _) = plans::lock_version(&mut tx, org, plan, from_version).await?;
    let new_id =
        versioned::new_version(&mut tx, Entity::Plan, actor, (plan, from_id), version, None)
            .await?;
    policies::copy(&mut tx, Owner::Plan(from_id), Owner::Plan(new_id)).await?;
    subject(actor, org, plan)
        .record(
            &mut tx,
            "version_created",
            serde_json::json!({"version": version, "from": from_version}),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}
