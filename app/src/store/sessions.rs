//! Sign-in sessions. The cookie carries a random token; the table stores only its hash.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::domain::model::SessionUser;
use crate::error::AppResult;

pub async fn create(
    pool: &PgPool,
    token_hash: &[u8],
    username: &str,
    expires_at: DateTime<Utc>,
) -> AppResult<()> {
    sqlx::query("INSERT INTO sessions (token_hash, username, expires_at) VALUES ($1, $2, $3)")
        .bind(token_hash)
        .bind(username)
        .bind(expires_at)
        .execute(pool)
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Row {
    username: String,
    display_name: String,
    is_admin: bool,
    portal_only: bool,
}

/// The user behind a live session of an enabled account.
pub async fn user_for(pool: &PgPool, token_hash: &[u8]) -> AppResult<Option<SessionUser>> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT u.username, u.display_name, u.is_admin, u.portal_only
         FROM sessions s JOIN users u ON u.username = s.username
         WHERE s.token_hash = $1 AND s.expires_at > now() AND NOT u.disabled",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| SessionUser {
        username: r.username,
        display_name: r.display_name,
        is_admin: r.is_admin,
        portal_only: r.portal_only,
    }))
}

pub async fn delete(pool: &PgPool, token_hash: &[u8]) -> AppResult<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(pool)
        .await?;
    Ok(())
}

/// Drops expired sessions; called at sign-in so the table does not grow without bound.
pub async fn purge_expired(pool: &PgPool) -> AppResult<()> {
    sqlx::query("DELETE FROM sessions WHERE expires_at <= now()")
        .execute(pool)
        .await?;
    Ok(())
}
