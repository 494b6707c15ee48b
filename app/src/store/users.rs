//! User accounts: the SQL only (the use cases are in `api::users::service`).

use sqlx::{PgConnection, PgPool};

use super::{Counted, counted_page, unique_or};
use crate::domain::model::UserSummary;
use crate::domain::paging::{Page, PageQuery};
use crate::error::{AppError, AppResult};

pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub is_admin: bool,
    pub portal_only: bool,
}

pub async fn insert(conn: &mut PgConnection, user: &NewUser<'_>) -> AppResult<()> {
    let inserted = sqlx::query(
        "INSERT INTO users (username, display_name, email, password_hash, is_admin, portal_only)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(user.username)
    .bind(user.display_name)
    .bind(user.email)
    .bind(user.password_hash)
    .bind(user.is_admin)
    .bind(user.portal_only)
    .execute(conn)
    .await;
    unique_or(inserted, || {
        AppError::field(
            "username",
            format!("The username {} is taken.", user.username),
        )
    })?;
    Ok(())
}

pub async fn exists(pool: &PgPool, username: &str) -> AppResult<bool> {
    let found: Option<(String,)> = sqlx::query_as("SELECT username FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(pool)
        .await?;
    Ok(found.is_some())
}

/// What sign-in needs to decide.
#[derive(sqlx::FromRow)]
pub struct LoginRecord {
    pub username: String,
    pub password_hash: String,
    pub disabled: bool,
}

/// Usernames are matched without regard to case, as people type them.
pub async fn find_for_login(pool: &PgPool, username: &str) -> AppResult<Option<LoginRecord>> {
    Ok(sqlx::query_as(
        "SELECT username, password_hash, disabled FROM users WHERE lower(username) = lower($1)",
    )
    .bind(username)
    .fetch_optional(pool)
    .await?)
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    username: String,
    display_name: String,
    email: String,
    is_admin: bool,
    portal_only: bool,
    disabled: bool,
}

impl From<SummaryRow> for UserSummary {
    fn from(r: SummaryRow) -> Self {
        UserSummary {
            username: r.username,
            display_name: r.display_name,
            email: r.email,
            is_admin: r.is_admin,
            portal_only: r.portal_only,
            disabled: r.disabled,
        }
    }
}

/// One page of the accounts whose username, display name or e-mail contains the filter.
pub async fn list(pool: &PgPool, query: &PageQuery) -> AppResult<Page<UserSummary>> {
    let rows: Vec<Counted<SummaryRow>> = sqlx::query_as(
        "SELECT username, display_name, email, is_admin, portal_only, disabled,
                count(*) OVER () AS total
         FROM users
         WHERE lower(username) LIKE $1 ESCAPE '\\' OR lower(display_name) LIKE $1 ESCAPE '\\'
            OR lower(email) LIKE $1 ESCAPE '\\'
         ORDER BY lower(username) LIMIT $2 OFFSET $3",
    )
    .bind(&query.pattern)
    .bind(query.limit)
    .bind(query.offset)
    .fetch_all(pool)
    .await?;
    Ok(counted_page(rows, query, Into::into))
}

/// Account switches an administrator can flip.
#[derive(Debug, Clone, Copy)]
pub enum Flag {
    PortalOnly,
    Disabled,
}

pub async fn set_flag(
    conn: &mut PgConnection,
    username: &str,
    flag: Flag,
    value: bool,
) -> AppResult<()> {
    let sql = match flag {
        Flag::PortalOnly => "UPDATE users SET portal_only = $2 WHERE username = $1",
        Flag::Disabled => "UPDATE users SET disabled = $2 WHERE username = $1",
    };
    let updated = sqlx::query(sql)
        .bind(username)
        .bind(value)
        .execute(conn)
        .await?;
    if updated.rows_affected() == 0 {
        return Err(no_user(username));
    }
    Ok(())
}

fn no_user(username: &str) -> AppError {
    AppError::not_found(format!("No user named {username}."))
}

pub async fn set_password_hash(
    conn: &mut PgConnection,
    username: &str,
    hash: &str,
) -> AppResult<()> {
    let updated = sqlx::query("UPDATE users SET password_hash = $2 WHERE username = $1")
        .bind(username)
        .bind(hash)
        .execute(conn)
        .await?;
    if updated.rows_affected() == 0 {
        return Err(no_user(username));
    }
    Ok(())
}

/// Ends every session of the user.
pub async fn end_sessions(conn: &mut PgConnection, username: &str) -> AppResult<()> {
    sqlx::query("DELETE FROM sessions WHERE username = $1")
        .bind(username)
        .execute(conn)
        .await?;
    Ok(())
}
