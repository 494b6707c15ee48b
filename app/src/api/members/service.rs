//! The membership and invitation use cases: each owns its transaction, which locks the
//! organization row first (so concurrent changes cannot both remove "the other" owner, and
//! invitation counts and joins cannot race), checks the rules and records the change.

use sqlx::PgConnection;

use crate::domain::invitation::MAX_PENDING_PER_ORG;
use crate::domain::roles::Role;
use crate::error::{AppError, AppResult};
use crate::store::PgPool;
use crate::store::audit::Subject;
use crate::store::invitations;
use crate::store::members::{self, lock_org};

fn subject<'a>(actor: &'a str, org_id: &'a str, username: &'a str) -> Subject<'a> {
    Subject {
        actor,
        org_id,
        entity_type: "member",
        entity_id: username,
    }
}

/// The audit data of a membership change: the role, if any.
fn role_data(role: Option<Role>) -> serde_json::Value {
    match role {
        Some(r) => serde_json::json!({"role": r.as_str()}),
        None => serde_json::json!({}),
    }
}

/// Adds an existing user at once (administrators do this).
pub async fn add(
    pool: &PgPool,
    actor: &str,
    org_id: &str,
    username: &str,
    role: Role,
) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    lock_org(&mut tx, org_id).await?;
    let Some(username) = members::find_user(&mut tx, username).await? else {
        return Err(AppError::field(
            "username",
            format!("There is no user named {username}."),
        ));
    };
    members::insert(&mut tx, org_id, &username, role).await?;
    subject(actor, org_id, &username)
        .record(&mut tx, "added", role_data(Some(role)))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Refuses a change that would leave the organization without an Owner.
async fn keep_an_owner(
    conn: &mut PgConnection,
    org_id: &str,
    old: Role,
    refusal: impl FnOnce() -> String,
) -> AppResult<()> {
    if old == Role::Owner && members::owner_count(conn, org_id).await? <= 1 {
        return Err(AppError::Conflict(refusal()));
    }
    Ok(())
}

pub async fn change_role(
    pool: &PgPool,
    actor: &str,
    org_id: &str,
    username: &str,
    role: Role,
) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    lock_org(&mut tx, org_id).await?;
    let old = members::current_role(&mut tx, org_id, username).await?;
    if old == role {
        return Ok(());
    }
    keep_an_owner(&mut tx, org_id, old, || {
        format!("{username} is the last Owner of {org_id}: make someone else Owner first.")
    })
    .await?;
    members::set_role(&mut tx, org_id, username, role).await?;
    subject(actor, org_id, username)
        .record(
            &mut tx,
            "role_changed",
            serde_json::json!({"role": role.as_str(), "previous": old.as_str()}),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove(pool: &PgPool, actor: &str, org_id: &str, username: &str) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    lock_org(&mut tx, org_id).await?;
    let old = members::current_role(&mut tx, org_id, username).await?;
    keep_an_owner(&mut tx, org_id, old, || {
        format!("{username} is the last Owner of {org_id} and cannot be removed.")
    })
    .await?;
    members::delete(&mut tx, org_id, username).await?;
    subject(actor, org_id, username)
        .record(&mut tx, "removed", role_data(Some(old)))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Invites `username` (as typed; the account may not exist) with `role`. Inviting again
/// replaces the role and restarts the validity.
pub async fn invite(
    pool: &PgPool,
    actor: &str,
    org_id: &str,
    username: &str,
    role: Role,
) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    lock_org(&mut tx, org_id).await?;
    // Members are listed on the same tab, so saying so reveals nothing new.
    if let Some(name) = members::member_named(&mut tx, org_id, username).await? {
        return Err(AppError::field(
            "username",
            format!("{name} is already a member."),
        ));
    }
    invitations::purge_expired(&mut tx, org_id).await?;
    if invitations::count_others(&mut tx, org_id, username).await? >= MAX_PENDING_PER_ORG {
        return Err(AppError::field(
            "username",
            format!(
                "This organization has {MAX_PENDING_PER_ORG} pending invitations: cancel some first."
            ),
        ));
    }
    invitations::upsert(&mut tx, actor, org_id, username, role).await?;
    subject(actor, org_id, username)
        .record(&mut tx, "invited", role_data(Some(role)))
        .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn cancel(pool: &PgPool, actor: &str, org_id: &str, username: &str) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    lock_org(&mut tx, org_id).await?;
    if !invitations::delete(&mut tx, org_id, username).await? {
        return Err(AppError::not_found(format!(
            "There is no invitation for {username}."
        )));
    }
    subject(actor, org_id, username)
        .record(&mut tx, "invitation_cancelled", role_data(None))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Accepts (joining with the invited role) or declines the user's invitation to `org_id`.
pub async fn respond(pool: &PgPool, username: &str, org_id: &str, accept: bool) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    lock_org(&mut tx, org_id).await?;
    let Some(role) = invitations::take_pending(&mut tx, org_id, username).await? else {
        return Err(AppError::not_found(format!(
            "There is no pending invitation to {org_id}."
        )));
    };
    if accept {
        members::insert_if_absent(&mut tx, org_id, username, role).await?;
        subject(username, org_id, username)
            .record(&mut tx, "joined", role_data(Some(role)))
            .await?;
    }
    tx.commit().await?;
    Ok(())
}
