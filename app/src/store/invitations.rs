//! Invitations to join an organization (see `domain::invitation`): the SQL only. The use
//! cases in `api::members::service` lock the organization row first, like membership
//! changes, so counts and joins cannot race.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use crate::domain::invitation::{
    Invitation, MAX_LISTED_PER_USER, MAX_PENDING_PER_ORG, VALID_DAYS, expires_at,
};
use crate::domain::roles::Role;
use crate::error::AppResult;

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

/// Forgets the organization's expired invitations.
pub async fn purge_expired(conn: &mut PgConnection, org_id: &str) -> AppResult<()> {
    sqlx::query(&pending_sql(
        "DELETE FROM invitations i WHERE i.org_id = $1 AND NOT ($PENDING)",
    ))
    .bind(org_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// How many invitations of the organization are for someone other than `username`.
pub async fn count_others(conn: &mut PgConnection, org_id: &str, username: &str) -> AppResult<i64> {
    let (pending,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM invitations WHERE org_id = $1 AND lower(username) <> lower($2)",
    )
    .bind(org_id)
    .bind(username)
    .fetch_one(conn)
    .await?;
    Ok(pending)
}

/// Stores the invitation; inviting again replaces the role and restarts the validity.
pub async fn upsert(
    conn: &mut PgConnection,
    actor: &str,
    org_id: &str,
    username: &str,
    role: Role,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO invitations (org_id, username, role, invited_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (org_id, lower(username))
         DO UPDATE SET role = $3, invited_by = $4, created_at = now()",
    )
    .bind(org_id)
    .bind(username)
    .bind(role)
    .bind(actor)
    .execute(conn)
    .await?;
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

/// Deletes the invitation of `username` (in any case); whether there was one.
pub async fn delete(conn: &mut PgConnection, org_id: &str, username: &str) -> AppResult<bool> {
    let deleted =
        sqlx::query("DELETE FROM invitations WHERE org_id = $1 AND lower(username) = lower($2)")
            .bind(org_id)
            .bind(username)
            .execute(conn)
            .await?;
    Ok(deleted.rows_affected() > 0)
}

/// Deletes the user's invitation to the organization; its role if it was still pending.
pub async fn take_pending(
    conn: &mut PgConnection,
    org_id: &str,
    username: &str,
) -> AppResult<Option<Role>> {
    Ok(sqlx::query_as(&pending_sql(
        "DELETE FROM invitations i WHERE i.org_id = $1 AND lower(i.username) = lower($2)
         RETURNING i.role, ($PENDING) AS pending",
    ))
    .bind(org_id)
    .bind(username)
    .fetch_optional(conn)
    .await?
    .and_then(|(role, pending): (Role, bool)| pending.then_some(role)))
}
