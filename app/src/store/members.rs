//! Organization memberships: the SQL only. The use cases in `api::members::service` lock the
//! organization row first, so concurrent changes cannot both remove "the other" owner and
//! leave the organization without one.

use sqlx::{PgConnection, PgPool};

use super::unique_or;
use crate::domain::model::Member;
use crate::domain::paging::{Page, PageQuery};
use crate::domain::roles::Role;
use crate::error::{AppError, AppResult};

#[derive(sqlx::FromRow)]
struct Row {
    username: String,
    display_name: String,
    role: Role,
    total: i64,
}

/// One page of the members whose username or display name contains the filter.
pub async fn list(pool: &PgPool, org_id: &str, query: &PageQuery) -> AppResult<Page<Member>> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT m.username, u.display_name, m.role, count(*) OVER () AS total
         FROM memberships m JOIN users u ON u.username = m.username
         WHERE m.org_id = $1
           AND (lower(m.username) LIKE $2 ESCAPE '\\' OR lower(u.display_name) LIKE $2 ESCAPE '\\')
         ORDER BY lower(m.username) LIMIT $3 OFFSET $4",
    )
    .bind(org_id)
    .bind(&query.pattern)
    .bind(query.limit)
    .bind(query.offset)
    .fetch_all(pool)
    .await?;
    let total = rows.first().map_or(0, |r| r.total);
    let members = rows
        .into_iter()
        .map(|r| Member {
            username: r.username,
            display_name: r.display_name,
            role: r.role,
        })
        .collect();
    Ok(Page::new(members, total, query))
}

/// Locks the organization's row: every membership or invitation change takes this lock first.
pub async fn lock_org(conn: &mut PgConnection, org_id: &str) -> AppResult<()> {
    let found: Option<(String,)> =
        sqlx::query_as("SELECT id FROM organizations WHERE id = $1 FOR UPDATE")
            .bind(org_id)
            .fetch_optional(conn)
            .await?;
    match found {
        Some(_) => Ok(()),
        None => Err(AppError::not_found(format!("No organization {org_id}."))),
    }
}

pub async fn current_role(
    conn: &mut PgConnection,
    org_id: &str,
    username: &str,
) -> AppResult<Role> {
    let role: Option<Role> =
        sqlx::query_scalar("SELECT role FROM memberships WHERE org_id = $1 AND username = $2")
            .bind(org_id)
            .bind(username)
            .fetch_optional(conn)
            .await?;
    role.ok_or_else(|| AppError::not_found(format!("{username} is not a member of {org_id}.")))
}

pub async fn owner_count(conn: &mut PgConnection, org_id: &str) -> AppResult<i64> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM memberships WHERE org_id = $1 AND role = $2")
            .bind(org_id)
            .bind(Role::Owner)
            .fetch_one(conn)
            .await?;
    Ok(n)
}

/// The account's username as stored, matched without regard to case.
pub async fn find_user(conn: &mut PgConnection, username: &str) -> AppResult<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT username FROM users WHERE lower(username) = lower($1)")
            .bind(username)
            .fetch_optional(conn)
            .await?,
    )
}

/// The member's username as stored, when `username` (in any case) is a member.
pub async fn member_named(
    conn: &mut PgConnection,
    org_id: &str,
    username: &str,
) -> AppResult<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT username FROM memberships WHERE org_id = $1 AND lower(username) = lower($2)",
    )
    .bind(org_id)
    .bind(username)
    .fetch_optional(conn)
    .await?)
}

pub async fn insert(
    conn: &mut PgConnection,
    org_id: &str,
    username: &str,
    role: Role,
) -> AppResult<()> {
    let inserted =
        sqlx::query("INSERT INTO memberships (org_id, username, role) VALUES ($1, $2, $3)")
            .bind(org_id)
            .bind(username)
            .bind(role)
            .execute(conn)
            .await;
    unique_or(inserted, || {
        AppError::field("username", format!("{username} is already a member."))
    })?;
    Ok(())
}

/// Adds the member unless they already are one (an accepted invitation).
pub async fn insert_if_absent(
    conn: &mut PgConnection,
    org_id: &str,
    username: &str,
    role: Role,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO memberships (org_id, username, role) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
    )
    .bind(org_id)
    .bind(username)
    .bind(role)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_role(
    conn: &mut PgConnection,
    org_id: &str,
    username: &str,
    role: Role,
) -> AppResult<()> {
    sqlx::query("UPDATE memberships SET role = $3 WHERE org_id = $1 AND username = $2")
        .bind(org_id)
        .bind(username)
        .bind(role)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut PgConnection, org_id: &str, username: &str) -> AppResult<()> {
    sqlx::query("DELETE FROM memberships WHERE org_id = $1 AND username = $2")
        .bind(org_id)
        .bind(username)
        .execute(conn)
        .await?;
    Ok(())
}
