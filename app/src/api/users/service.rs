//! The account use cases: each owns its transaction and records the change (accounts belong
//! to no organization).

use sqlx::PgConnection;

use crate::error::AppResult;
use crate::store::PgPool;
use crate::store::audit::{self, Change};
use crate::store::users::{self, Flag, NewUser};

async fn record(
    conn: &mut PgConnection,
    actor: &str,
    username: &str,
    action: &str,
    data: serde_json::Value,
) -> AppResult<()> {
    audit::record(
        conn,
        Change {
            actor,
            org_id: None,
            entity_type: "user",
            entity_id: username,
            action,
            data,
        },
    )
    .await
}

pub async fn create(pool: &PgPool, actor: &str, user: NewUser<'_>) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    users::insert(&mut tx, &user).await?;
    let data = serde_json::json!({"admin": user.is_admin, "portal_only": user.portal_only});
    record(&mut tx, actor, user.username, "created", data).await?;
    tx.commit().await?;
    Ok(())
}

/// Flips an account switch; a disabled account loses its open sessions at once.
pub async fn set_flag(
    pool: &PgPool,
    actor: &str,
    username: &str,
    flag: Flag,
    value: bool,
) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    users::set_flag(&mut tx, username, flag, value).await?;
    if matches!(flag, Flag::Disabled) && value {
        users::end_sessions(&mut tx, username).await?;
    }
    let action = match flag {
        Flag::PortalOnly => "portal_only_set",
        Flag::Disabled => "disabled_set",
    };
    record(
        &mut tx,
        actor,
        username,
        action,
        serde_json::json!({ "value": value }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Replaces the password and ends every session of the user.
pub async fn set_password_hash(
    pool: &PgPool,
    actor: &str,
    username: &str,
    hash: &str,
) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    users::set_password_hash(&mut tx, username, hash).await?;
    users::end_sessions(&mut tx, username).await?;
    record(
        &mut tx,
        actor,
        username,
        "password_reset",
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
