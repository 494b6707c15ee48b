//! Invitations to join an organization (see `domain::invitation`). Changes lock the
//! organization row first, like membership changes, so counts and joins cannot race.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use super::audit::{self, Change};
use super::members::lock_org;
use crate::domain::invitation::{
    Invitation, MAX_LISTED_PER_USER, MAX_PENDING_PER_ORG, VALID_DAYS, expires_at,
};
use crate::domain::roles::Role;
use crate::error::{AppError, AppResult};

#[derive(sqlx::FromRow)]
struct Row {
    org_id: String,
    org_name: String,
    username: String,
    role: Role,
    invited_by: String,
    created_at: DateTime<Utc>,
}

impl Row {
    fn into_invitation(self) -> Invitation {
        Invitation {
            role: self.role,
            org_id: self.org_id,
            org_name: self.org_name,
            username: self.username,
            invited_by: self.invited_by,
            expires_at: expires_at(self.created_at),
        }
    }
}

/// Expired invitations are not pending: every query uses this condition.
const PENDING: &str = "i.created_at > now() - make_interval(days => $VALID)";

fn pending_sql(sql: &str) -> String {
    sql.replace(
        "$PENDING",
        &PENDING.replace("$VALID", &VALID_DAYS.to_string()),
    )
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
    let member: Option<(String,)> = sqlx::query_as(
        "SELECT username FROM memberships WHERE org_id = $1 AND lower(username) = lower($2)",
    )
    .bind(org_id)
    .bind(username)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((name,)) = member {
        return Err(AppError::field(
            "username",
            format!("{name} is already a member."),
        ));
    }
    sqlx::query(&pending_sql(
        "DELETE FROM invitations i WHERE i.org_id = $1 AND NOT ($PENDING)",
    ))
    .bind(org_id)
    .execute(&mut *tx)
    .await?;
    let (pending,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM invitations WHERE org_id = $1 AND lower(username) <> lower($2)",
    )
    .bind(org_id)
    .bind(username)
    .fetch_one(&mut *tx)
    .await?;
    if pending >= MAX_PENDING_PER_ORG {
        return Err(AppError::field(
            "username",
            format!(
                "This organization has {MAX_PENDING_PER_ORG} pending invitations: cancel some first."
            ),
        ));
    }
    sqlx::query(
        "INSERT INTO invitations (org_id, username, role, invited_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (org_id, lower(username))
         DO UPDATE SET role = $3, invited_by = $4, created_at = now()",
    )
    .bind(org_id)
    .bind(username)
    .bind(role)
    .bind(actor)
    .execute(&mut *tx)
    .await?;
    record(&mut tx, actor, org_id, username, "invited", Some(role)).await?;
    tx.commit().await?;
    Ok(())
}

/// The organization's pending invitations, oldest first (at most `MAX_PENDING_PER_ORG`).
pub async fn for_org(pool: &PgPool, org_id: &str) -> AppResult<Vec<Invitation>> {
    let rows: Vec<Row> = sqlx::query_as(&pending_sql(
        "SELECT i.org_id, o.name AS org_name, i.username, i.role, i.invited_by, i.created_at
         FROM invitations i JOIN organizations o ON o.id = i.org_id
         WHERE i.org_id = $1 AND $PENDING ORDER BY i.created_at, i.username LIMIT $2",
    ))
    .bind(org_id)
    .bind(MAX_PENDING_PER_ORG)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(Row::into_invitation).collect())
}

/// The user's pending invitations, newest first.
pub async fn for_user(pool: &PgPool, username: &str) -> AppResult<Vec<Invitation>> {
    let rows: Vec<Row> = sqlx::query_as(&pending_sql(
        "SELECT i.org_id, o.name AS org_name, i.username, i.role, i.invited_by, i.created_at
         FROM invitations i JOIN organizations o ON o.id = i.org_id
         WHERE lower(i.username) = lower($1) AND $PENDING
         ORDER BY i.created_at DESC, i.org_id LIMIT $2",
    ))
    .bind(username)
    .bind(MAX_LISTED_PER_USER)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(Row::into_invitation).collect())
}

pub async fn cancel(pool: &PgPool, actor: &str, org_id: &str, username: &str) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    lock_org(&mut tx, org_id).await?;
    let deleted =
        sqlx::query("DELETE FROM invitations WHERE org_id = $1 AND lower(username) = lower($2)")
            .bind(org_id)
            .bind(username)
            .execute(&mut *tx)
            .await?;
    if deleted.rows_affected() == 0 {
        return Err(AppError::not_found(format!(
            "There is no invitation for {username}."
        )));
    }
    record(
        &mut tx,
        actor,
        org_id,
        username,
        "invitation_cancelled",
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Accepts (joining with the invited role) or declines the user's invitation to `org_id`.
pub async fn respond(pool: &PgPool, username: &str, org_id: &str, accept: bool) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    lock_org(&mut tx, org_id).await?;
    let role: Option<Role> = sqlx::query_as(&pending_sql(
        "DELETE FROM invitations i WHERE i.org_id = $1 AND lower(i.username) = lower($2)
         RETURNING i.role, ($PENDING) AS pending",
    ))
    .bind(org_id)
    .bind(username)
    .fetch_optional(&mut *tx)
    .await?
    .and_then(|(role, pending): (Role, bool)| pending.then_some(role));
    let Some(role) = role else {
        return Err(AppError::not_found(format!(
            "There is no pending invitation to {org_id}."
        )));
    };
    if accept {
        sqlx::query(
            "INSERT INTO memberships (org_id, username, role) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
        )
        .bind(org_id)
        .bind(username)
        .bind(role)
        .execute(&mut *tx)
        .await?;
        record(&mut tx, username, org_id, username, "joined", Some(role)).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn record(
    tx: &mut PgConnection,
    actor: &str,
    org_id: &str,
    username: &str,
    action: &str,
    role: Option<Role>,
) -> AppResult<()> {
    audit::record(
        tx,
        Change {
            actor,
            org_id: Some(org_id),
            entity_type: "member",
            entity_id: username,
            action,
            data: match role {
                Some(r) => serde_json::json!({"role": r.as_str()}),
                None => serde_json::json!({}),
            },
        },
    )
    .await
}
