//! Organization memberships. Every change locks the organization row first, so concurrent
//! changes cannot both remove "the other" owner and leave the organization without one.

use sqlx::{PgConnection, PgPool};

use super::audit::{self, Change};
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

pub(super) async fn lock_org(conn: &mut PgConnection, org_id: &str) -> AppResult<()> {
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

async fn current_role(conn: &mut PgConnection, org_id: &str, username: &str) -> AppResult<Role> {
    let role: Option<Role> =
        sqlx::query_scalar("SELECT role FROM memberships WHERE org_id = $1 AND username = $2")
            .bind(org_id)
            .bind(username)
            .fetch_optional(conn)
            .await?;
    role.ok_or_else(|| AppError::not_found(format!("{username} is not a member of {org_id}.")))
}

async fn owner_count(conn: &mut PgConnection, org_id: &str) -> AppResult<i64> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM memberships WHERE org_id = $1 AND role = $2")
            .bind(org_id)
            .bind(Role::Owner)
            .fetch_one(conn)
            .await?;
    Ok(n)
}

pub async fn add(
    pool: &PgPool,
    actor: &str,
    org_id: &str,
    username: &str,
    role: Role,
) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    lock_org(&mut tx, org_id).await?;
    let user: Option<(String,)> =
        sqlx::query_as("SELECT username FROM users WHERE lower(username) = lower($1)")
            .bind(username)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((username,)) = user else {
        return Err(AppError::field(
            "username",
            format!("There is no user named {username}."),
        ));
    };
    let inserted =
        sqlx::query("INSERT INTO memberships (org_id, username, role) VALUES ($1, $2, $3)")
            .bind(org_id)
            .bind(&username)
            .bind(role)
            .execute(&mut *tx)
            .await;
    unique_or(inserted, || {
        AppError::field("username", format!("{username} is already a member."))
    })?;
    audit::record(
        &mut tx,
        Change {
            actor,
            org_id: Some(org_id),
            entity_type: "member",
            entity_id: &username,
            action: "added",
            data: serde_json::json!({"role": role.as_str()}),
        },
    )
    .await?;
    tx.commit().await?;
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
    let old = current_role(&mut tx, org_id, username).await?;
    if old == role {
        return Ok(());
    }
    if old == Role::Owner && owner_count(&mut tx, org_id).await? <= 1 {
        return Err(AppError::Conflict(format!(
            "{username} is the last Owner of {org_id}: make someone else Owner first."
        )));
    }
    sqlx::query("UPDATE memberships SET role = $3 WHERE org_id = $1 AND username = $2")
        .bind(org_id)
        .bind(username)
        .bind(role)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Change {
            actor,
            org_id: Some(org_id),
            entity_type: "member",
            entity_id: username,
            action: "role_changed",
            data: serde_json::json!({"role": role.as_str(), "previous": old.as_str()}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove(pool: &PgPool, actor: &str, org_id: &str, username: &str) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    lock_org(&mut tx, org_id).await?;
    let old = current_role(&mut tx, org_id, username).await?;
    if old == Role::Owner && owner_count(&mut tx, org_id).await? <= 1 {
        return Err(AppError::Conflict(format!(
            "{username} is the last Owner of {org_id} and cannot be removed."
        )));
    }
    sqlx::query("DELETE FROM memberships WHERE org_id = $1 AND username = $2")
        .bind(org_id)
        .bind(username)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Change {
            actor,
            org_id: Some(org_id),
            entity_type: "member",
            entity_id: username,
            action: "removed",
            data: serde_json::json!({"role": old.as_str()}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
