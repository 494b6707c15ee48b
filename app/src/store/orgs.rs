//! Organizations: the SQL only (the use cases are in `api::orgs::service`).

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use super::{Counted, counted_page, is_foreign_key_violation, unique_or};
use crate::domain::model::{OrgListItem, Organization};
use crate::domain::paging::{Page, PageQuery};
use crate::domain::roles::Role;
use crate::error::{AppError, AppResult};

#[derive(sqlx::FromRow)]
struct OrgRow {
    id: String,
    name: String,
    description: String,
    created_at: DateTime<Utc>,
}

impl From<OrgRow> for Organization {
    fn from(r: OrgRow) -> Self {
        Organization {
            id: r.id,
            name: r.name,
            description: r.description,
            created_at: r.created_at,
        }
    }
}

/// Inserts the organization with its creator as Owner.
pub async fn insert(
    conn: &mut PgConnection,
    actor: &str,
    id: &str,
    name: &str,
    description: &str,
) -> AppResult<()> {
    let inserted = sqlx::query(
        "INSERT INTO organizations (id, name, description, created_by) VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(name)
    .bind(description)
    .bind(actor)
    .execute(&mut *conn)
    .await;
    unique_or(inserted, || {
        AppError::field("id", format!("The id {id} is taken: choose another one."))
    })?;
    sqlx::query("INSERT INTO memberships (org_id, username, role) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(actor)
        .bind(Role::Owner)
        .execute(conn)
        .await?;
    Ok(())
}

/// Marks `id` as the personal organization of `username`: only the system does this, when
/// Sign Up creates it.
pub async fn mark_personal(conn: &mut PgConnection, id: &str, username: &str) -> AppResult<()> {
    sqlx::query("UPDATE organizations SET personal_of = $2 WHERE id = $1")
        .bind(id)
        .bind(username)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn get(pool: &PgPool, id: &str) -> AppResult<Option<Organization>> {
    let row: Option<OrgRow> =
        sqlx::query_as("SELECT id, name, description, created_at FROM organizations WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(Into::into))
}

pub async fn role_of(pool: &PgPool, org_id: &str, username: &str) -> AppResult<Option<Role>> {
    Ok(
        sqlx::query_scalar("SELECT role FROM memberships WHERE org_id = $1 AND username = $2")
            .bind(org_id)
            .bind(username)
            .fetch_optional(pool)
            .await?,
    )
}

pub async fn update(
    conn: &mut PgConnection,
    id: &str,
    name: &str,
    description: &str,
) -> AppResult<()> {
    let updated = sqlx::query("UPDATE organizations SET name = $2, description = $3 WHERE id = $1")
        .bind(id)
        .bind(name)
        .bind(description)
        .execute(conn)
        .await?;
    if updated.rows_affected() == 0 {
        return Err(AppError::not_found(format!("No organization {id}.")));
    }
    Ok(())
}

/// Deletes an empty organization. APIs, plans and clients reference their organization
/// without cascading, so the database itself refuses to delete one that still holds any.
pub async fn delete(conn: &mut PgConnection, id: &str) -> AppResult<()> {
    let deleted = sqlx::query("DELETE FROM organizations WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await;
    let deleted = match deleted {
        Err(e) if is_foreign_key_violation(&e) => {
            return Err(AppError::Conflict(format!(
                "Organization {id} still has APIs, plans or clients: delete them first."
            )));
        }
        other => other?,
    };
    if deleted.rows_affected() == 0 {
        return Err(AppError::not_found(format!("No organization {id}.")));
    }
    Ok(())
}

/// Whether an organization's id is `id`, whatever the case.
pub async fn id_taken(conn: &mut PgConnection, id: &str) -> AppResult<bool> {
    let taken: Option<(String,)> =
        sqlx::query_as("SELECT id FROM organizations WHERE lower(id) = lower($1)")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    Ok(taken.is_some())
}

#[derive(sqlx::FromRow)]
struct ListRow {
    id: String,
    name: String,
    description: String,
    role: Option<Role>,
}

impl From<ListRow> for OrgListItem {
    fn from(r: ListRow) -> Self {
        OrgListItem {
            id: r.id,
            name: r.name,
            description: r.description,
            my_role: r.role,
        }
    }
}

/// One page of the organizations the user belongs to (all of them when `all_visible`) whose
/// name or id contains the filter.
pub async fn search(
    pool: &PgPool,
    username: &str,
    all_visible: bool,
    query: &PageQuery,
) -> AppResult<Page<OrgListItem>> {
    let rows: Vec<Counted<ListRow>> = sqlx::query_as(
        "SELECT o.id, o.name, o.description, m.role, count(*) OVER () AS total
         FROM organizations o
         LEFT JOIN memberships m ON m.org_id = o.id AND m.username = $1
         WHERE ($2 OR m.role IS NOT NULL)
           AND (lower(o.name) LIKE $3 ESCAPE '\\' OR lower(o.id) LIKE $3 ESCAPE '\\')
         ORDER BY lower(o.name), o.id LIMIT $4 OFFSET $5",
    )
    .bind(username)
    .bind(all_visible)
    .bind(&query.pattern)
    .bind(query.limit)
    .bind(query.offset)
    .fetch_all(pool)
    .await?;
    Ok(counted_page(rows, query, Into::into))
}
