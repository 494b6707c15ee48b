//! The key use cases: each owns its transaction, locks the client version, checks the rules of
//! `domain::keys`, records the change and tells the gateways (who apply it within a second).

use chrono::Utc;

use crate::api::clients::service::subject;
use crate::auth::api_key::{mask, new_api_key};
use crate::domain::client::{self, ClientStatus};
use crate::domain::keys::{self, ClientKeys, Grace};
use crate::domain::refs::VersionRef;
use crate::error::{AppError, AppResult};
use crate::store::gateway_feed::{self, ChangeKind};
use crate::store::{PgPool, clients, keys as store};

/// The keys of client version `v`; `show_keys`: whole keys in use; `may_edit`: Rotate and
/// Revoke offered unless the version is retired.
pub async fn list(
    pool: &PgPool,
    v: &VersionRef,
    show_keys: bool,
    may_edit: bool,
) -> AppResult<ClientKeys> {
    let (id, status) = clients::version_id(pool, v).await?;
    Ok(ClientKeys {
        keys: store::list(pool, id, show_keys).await?,
        can_manage: may_edit && status != ClientStatus::Retired,
    })
}

pub async fn rotate(pool: &PgPool, actor: &str, v: &VersionRef, grace: Grace) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let locked = clients::lock_version(&mut tx, v).await?;
    client::can_change(locked.status).map_err(AppError::Conflict)?;
    let previous = store::in_use(&mut tx, locked.id).await?;
    keys::can_rotate(previous.len()).map_err(AppError::Conflict)?;
    let ends = grace.end(Utc::now());
    store::end_keys_in_use(&mut tx, locked.id, ends).await?;
    let key = new_api_key();
    store::insert(&mut tx, locked.id, &key, actor).await?;
    store::prune(&mut tx, locked.id).await?;
    let data = serde_json::json!({
        "version": v.version,
        "key": mask(&key),
        "previous": previous,
        "grace_hours": grace.as_hours(),
        "grace_ends": ends,
    });
    subject(actor, &v.org, &v.id)
        .record(&mut tx, "key_rotated", data)
        .await?;
    gateway_feed::notify(&mut tx, ChangeKind::KeysChanged, locked.id).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn revoke(pool: &PgPool, actor: &str, v: &VersionRef, key_id: i64) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let locked = clients::lock_version(&mut tx, v).await?;
    client::can_change(locked.status).map_err(AppError::Conflict)?;
    let (hint, state) = store::lock(&mut tx, locked.id, key_id)
        .await?
        .ok_or_else(|| AppError::not_found("This client version has no such key."))?;
    keys::can_revoke(state).map_err(AppError::Conflict)?;
    store::revoke(&mut tx, key_id, actor).await?;
    store::prune(&mut tx, locked.id).await?;
    subject(actor, &v.org, &v.id)
        .record(
            &mut tx,
            "key_revoked",
            serde_json::json!({"version": v.version, "key": hint}),
        )
        .await?;
    gateway_feed::notify(&mut tx, ChangeKind::KeysChanged, locked.id).await?;
    tx.commit().await?;
    Ok(())
}
