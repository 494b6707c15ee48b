//! The use-case steps APIs, plans and clients share: creating one with its first version,
//! adding a version copied from another, deleting one; each records its audit entry. The
//! entity's own service calls them and adds what its versions carry besides.

use sqlx::PgConnection;

use crate::domain::refs::{EntityRef, VersionRef};
use crate::error::{AppError, AppResult};
use crate::store::PgPool;
use crate::store::audit::Subject;
use crate::store::versioned::{self, Entity, NewEntity};

/// The entity `id` of `org` as the subject of `actor`'s audit entries.
pub(crate) fn subject<'a>(
    entity: Entity,
    actor: &'a str,
    org: &'a str,
    id: &'a str,
) -> Subject<'a> {
    Subject {
        actor,
        org_id: org,
        entity_type: entity.audit_type(),
        entity_id: id,
    }
}

/// Creates the entity with its first version.
pub(crate) async fn create(
    pool: &PgPool,
    entity: Entity,
    actor: &str,
    new: &NewEntity<'_>,
) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    create_in(&mut tx, entity, actor, new).await?;
    tx.commit().await?;
    Ok(())
}

/// Creates the entity with its first version inside the caller's transaction; returns the
/// version's row id, for the caller to add what else the version carries.
pub(crate) async fn create_in(
    conn: &mut PgConnection,
    entity: Entity,
    actor: &str,
    new: &NewEntity<'_>,
) -> AppResult<i64> {
    let version_id = versioned::create(conn, entity, actor, new).await?;
    let data = serde_json::json!({"name": new.name, "version": new.version});
    subject(entity, actor, new.org, new.id)
        .record(conn, "created", data)
        .await?;
    Ok(version_id)
}

/// Locks version `from` and adds `version` of the same entity copied from it; returns the row
/// ids of both, for the caller to copy what else the versions carry.
pub(crate) async fn add_version(
    conn: &mut PgConnection,
    entity: Entity,
    actor: &str,
    from: &VersionRef,
    version: &str,
) -> AppResult<(i64, i64)> {
    let from_id = versioned::lock_version_id(conn, entity, from).await?;
    let new_id = versioned::new_version(conn, entity, actor, (&from.id, from_id), version).await?;
    let data = serde_json::json!({"version": version, "from": from.version});
    subject(entity, actor, &from.org, &from.id)
        .record(conn, "version_created", data)
        .await?;
    Ok((from_id, new_id))
}

/// Deletes the entity with all its versions when `allowed` accepts their statuses.
pub(crate) async fn delete<S>(
    pool: &PgPool,
    entity: Entity,
    actor: &str,
    target: &EntityRef,
    allowed: impl FnOnce(&[S]) -> Result<(), String>,
) -> AppResult<()>
where
    S: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send + Unpin,
{
    let mut tx = pool.begin().await?;
    let statuses: Vec<S> = versioned::lock_statuses(&mut tx, entity, target).await?;
    allowed(&statuses).map_err(AppError::Conflict)?;
    versioned::delete(&mut tx, entity, target).await?;
    subject(entity, actor, &target.org, &target.id)
        .record(&mut tx, "deleted", serde_json::json!({}))
        .await?;
    tx.commit().await?;
    Ok(())
}
