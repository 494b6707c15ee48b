//! The client use cases: each owns its transaction, checks the rules of
//! `domain::client`, calls the store's SQL, recomputes the version's status and records the
//! change. The steps other use cases run inside their own transaction (contracts, sign-up)
//! take a `&mut PgConnection`.

use sqlx::PgConnection;

use crate::api::versioned as shared;
use crate::auth::api_key::new_api_key;
use crate::domain::client::{self, ClientStatus};
use crate::domain::refs::{EntityRef, VersionRef};
use crate::error::{AppError, AppResult};
use crate::store::PgPool;
use crate::store::audit::Subject;
use crate::store::clients::{self, Locked};
use crate::store::gateway_feed::{self, ChangeKind};
use crate::store::keys;
use crate::store::policies::{self, Owner};
use crate::store::versioned::{Entity, NewEntity};

pub(crate) fn subject<'a>(actor: &'a str, org: &'a str, client: &'a str) -> Subject<'a> {
    shared::subject(Entity::Client, actor, org, client)
}

/// Creates the client and its first version (with its API key).
pub async fn create(pool: &PgPool, actor: &str, new: &NewEntity<'_>) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    create_in(&mut tx, actor, new).await?;
    tx.commit().await?;
    Ok(())
}

/// Creates the client and its first version (with its API key) inside the caller's
/// transaction.
pub async fn create_in(conn: &mut PgConnection, actor: &str, new: &NewEntity<'_>) -> AppResult<()> {
    let version_id = shared::create_in(conn, Entity::Client, actor, new).await?;
    keys::insert(conn, version_id, &new_api_key(), actor).await?;
    Ok(())
}

/// Recomputes and stores the status; returns it.
pub async fn refresh(conn: &mut PgConnection, id: i64) -> AppResult<ClientStatus> {
    let next = client::client_status(clients::facts(conn, id).await?);
    clients::set_status(conn, id, next).await?;
    Ok(next)
}

/// Notes that a registered client changed, so it needs Re-Register; then refreshes.
pub async fn changed(conn: &mut PgConnection, id: i64) -> AppResult<ClientStatus> {
    clients::mark_changed(conn, id).await?;
    refresh(conn, id).await
}

/// Registers (or re-registers) the locked client version `v`, as the rules allow, and
/// tells the gateways.
pub async fn register_locked(
    conn: &mut PgConnection,
    actor: &str,
    v: &VersionRef,
    locked: &Locked,
) -> AppResult<()> {
    let awaiting = clients::facts(conn, locked.id).await?.awaiting_approval;
    client::can_register(locked.status, locked.changed, awaiting).map_err(AppError::Conflict)?;
    clients::snapshot_registration(conn, locked.id).await?;
    refresh(conn, locked.id).await?;
    let (kind, action) = if locked.status == ClientStatus::Registered {
        (ChangeKind::ClientReregistered, "re-registered")
    } else {
        (ChangeKind::ClientRegistered, "registered")
    };
    gateway_feed::notify(conn, kind, locked.id).await?;
    subject(actor, &v.org, &v.id)
        .record(conn, action, serde_json::json!({"version": v.version}))
        .await
}

/// Registers client version `v` (row `id`) when the rules allow it now (after a contract
/// became active).
pub async fn register_if_ready(
    conn: &mut PgConnection,
    actor: &str,
    v: &VersionRef,
    id: i64,
) -> AppResult<()> {
    let now = clients::lock_by_id(conn, id).await?;
    if client::can_register(now.status, now.changed, 0).is_ok() {
        register_locked(conn, actor, v, &now).await?;
    }
    Ok(())
}

/// Register, or Re-Register after a change.
pub async fn register(pool: &PgPool, actor: &str, v: &VersionRef) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let locked = clients::lock_version(&mut tx, v).await?;
    register_locked(&mut tx, actor, v, &locked).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn retire(pool: &PgPool, actor: &str, v: &VersionRef) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let locked = clients::lock_version(&mut tx, v).await?;
    client::can_retire(locked.status).map_err(AppError::Conflict)?;
    clients::set_retired(&mut tx, locked.id).await?;
    refresh(&mut tx, locked.id).await?;
    subject(actor, &v.org, &v.id)
        .record(
            &mut tx,
            "retired",
            serde_json::json!({"version": v.version}),
        )
        .await?;
    gateway_feed::notify(&mut tx, ChangeKind::ClientRetired, locked.id).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn regenerate_key(pool: &PgPool, actor: &str, v: &VersionRef) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let locked = clients::lock_version(&mut tx, v).await?;
    client::can_regenerate_key(locked.status).map_err(AppError::Conflict)?;
    keys::replace_all(&mut tx, locked.id, &new_api_key(), actor).await?;
    subject(actor, &v.org, &v.id)
        .record(
            &mut tx,
            "key_regenerated",
            serde_json::json!({"version": v.version}),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A new version `version` with its own key, copying the contracts and policies of version
/// `from`.
pub async fn new_version(
    pool: &PgPool,
    actor: &str,
    from: &VersionRef,
    version: &str,
) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let (from_id, new_id) =
        shared::add_version(&mut tx, Entity::Client, actor, from, version).await?;
    keys::insert(&mut tx, new_id, &new_api_key(), actor).await?;
    clients::copy_contracts(&mut tx, from_id, new_id).await?;
    policies::copy(&mut tx, Owner::Client(from_id), Owner::Client(new_id)).await?;
    refresh(&mut tx, new_id).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes the client with all its versions, unless one of them is registered.
pub async fn delete(pool: &PgPool, actor: &str, client: &EntityRef) -> AppResult<()> {
    let allowed =
        |statuses: &[ClientStatus]| statuses.iter().try_for_each(|s| client::can_delete(*s));
    shared::delete(pool, Entity::Client, actor, client, allowed).await
}
