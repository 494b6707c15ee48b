//! The SQL the three versioned entities (APIs, plans, clients) share: creating one with its
//! first version, adding a version copied from another, locking a version, deleting one, and
//! one page of an organization's entities each with its newest version.

use sqlx::postgres::PgRow;
use sqlx::{FromRow, PgConnection, PgPool};

use super::unique_or;
use crate::domain::catalog::EntitySummary;
use crate::domain::paging::{Page, PageQuery};
use crate::domain::refs::{EntityRef, VersionRef};
use crate::error::{AppError, AppResult};

/// Which versioned entity a query is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    Api,
    Plan,
    Client,
}

impl Entity {
    /// (entity table, version table, the version table's column naming the entity). Static
    /// strings only: nothing from a request is ever spliced into the SQL.
    fn tables(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Entity::Api => ("apis", "api_versions", "api_id"),
            Entity::Plan => ("plans", "plan_versions", "plan_id"),
            Entity::Client => ("clients", "client_versions", "client_id"),
        }
    }

    /// The version columns a new version copies from the one it starts from (besides the
    /// entity it belongs to), each with a leading comma. Plans and clients copy none: a plan
    /// version's settings are its policies, and a client version gets a key of its own.
    fn copied_columns(self) -> &'static str {
        match self {
            Entity::Api => {
                ", endpoint, upstream_ca_pem, public, featured, markdown, openapi_doc, openapi_format"
            }
            Entity::Plan | Entity::Client => "",
        }
    }

    /// How messages name the entity: ("an API", "API") and so on.
    fn nouns(self) -> (&'static str, &'static str) {
        match self {
            Entity::Api => ("an API", "API"),
            Entity::Plan => ("a plan", "Plan"),
            Entity::Client => ("a client", "Client"),
        }
    }

    /// The entity type of its audit entries.
    pub fn audit_type(self) -> &'static str {
        match self {
            Entity::Api => "api",
            Entity::Plan => "plan",
            Entity::Client => "client",
        }
    }

    /// The entity's name in "There is no version 2.0 of plan gold.".
    fn lower_noun(self) -> &'static str {
        match self {
            Entity::Api => "API",
            Entity::Plan => "plan",
            Entity::Client => "client",
        }
    }
}

/// A new entity and its first version.
pub struct NewEntity<'a> {
    pub org: &'a str,
    pub id: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub version: &'a str,
}

/// Inserts the entity and its first version; returns the version's row id.
pub async fn create(
    conn: &mut PgConnection,
    entity: Entity,
    actor: &str,
    new: &NewEntity<'_>,
) -> AppResult<i64> {
    let (table, versions, column) = entity.tables();
    let NewEntity {
        org,
        id,
        name,
        description,
        version,
    } = *new;
    let sql = format!(
        "INSERT INTO {table} (org_id, id, name, description, created_by) VALUES ($1, $2, $3, $4, $5)"
    );
    let inserted = sqlx::query(&sql)
        .bind(org)
        .bind(id)
        .bind(name)
        .bind(description)
        .bind(actor)
        .execute(&mut *conn)
        .await;
    let (a, _) = entity.nouns();
    unique_or(inserted, || {
        AppError::field("id", format!("{org} already has {a} with the id {id}."))
    })?;
    let sql = format!(
        "INSERT INTO {versions} (org_id, {column}, version, created_by)
         VALUES ($1, $2, $3, $4) RETURNING id"
    );
    let (version_id,): (i64,) = sqlx::query_as(&sql)
        .bind(org)
        .bind(id)
        .bind(version)
        .bind(actor)
        .fetch_one(conn)
        .await?;
    Ok(version_id)
}

/// Inserts version `version` of the entity that version row `from_id` belongs to, copying the
/// entity's copied columns. `entity_id` only
/// names the entity in the message when the version exists. Returns the new row's id.
pub async fn new_version(
    conn: &mut PgConnection,
    entity: Entity,
    actor: &str,
    (entity_id, from_id): (&str, i64),
    version: &str,
) -> AppResult<i64> {
    let (_, versions, column) = entity.tables();
    let copied = entity.copied_columns();
    let sql = format!(
        "INSERT INTO {versions} (org_id, {column}, version, created_by{copied})
         SELECT org_id, {column}, $2, $3{copied} FROM {versions} WHERE id = $1
         RETURNING id"
    );
    let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(&sql)
        .bind(from_id)
        .bind(version)
        .bind(actor)
        .fetch_one(conn)
        .await;
    let (_, noun) = entity.nouns();
    let (new_id,) = unique_or(inserted, || {
        AppError::field(
            "version",
            format!("{noun} {entity_id} already has a version {version}."),
        )
    })?;
    Ok(new_id)
}

/// The id and status of a version, locking its row for the rest of the transaction (`S`: the
/// entity's status enum).
pub async fn lock_version<S>(
    conn: &mut PgConnection,
    entity: Entity,
    v: &VersionRef,
) -> AppResult<(i64, S)>
where
    (i64, S): for<'r> FromRow<'r, PgRow> + Send + Unpin,
{
    let (_, versions, column) = entity.tables();
    let sql = format!(
        "SELECT id, status FROM {versions}
         WHERE org_id = $1 AND {column} = $2 AND version = $3 FOR UPDATE"
    );
    let row: Option<(i64, S)> = sqlx::query_as(&sql)
        .bind(&v.org)
        .bind(&v.id)
        .bind(&v.version)
        .fetch_optional(conn)
        .await?;
    row.ok_or_else(|| no_version(entity, v))
}

/// The row id of a version, locking its row for the rest of the transaction.
pub async fn lock_version_id(
    conn: &mut PgConnection,
    entity: Entity,
    v: &VersionRef,
) -> AppResult<i64> {
    // Statuses are TEXT columns: read as text, as only the id matters here.
    let (row_id, _): (i64, String) = lock_version(conn, entity, v).await?;
    Ok(row_id)
}

/// "There is no version 2.0 of plan gold."
pub(super) fn no_version(entity: Entity, v: &VersionRef) -> AppError {
    let noun = entity.lower_noun();
    AppError::not_found(format!(
        "There is no version {} of {noun} {}.",
        v.version, v.id
    ))
}

/// The statuses of all versions of the entity, locking their rows (before a deletion).
pub async fn lock_statuses<S>(
    conn: &mut PgConnection,
    entity: Entity,
    e: &EntityRef,
) -> AppResult<Vec<S>>
where
    S: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send + Unpin,
{
    let (_, versions, column) = entity.tables();
    let sql =
        format!("SELECT status FROM {versions} WHERE org_id = $1 AND {column} = $2 FOR UPDATE");
    Ok(sqlx::query_scalar(&sql)
        .bind(&e.org)
        .bind(&e.id)
        .fetch_all(conn)
        .await?)
}

/// Deletes the entity with all its versions (they cascade).
pub async fn delete(conn: &mut PgConnection, entity: Entity, e: &EntityRef) -> AppResult<()> {
    let (table, ..) = entity.tables();
    let sql = format!("DELETE FROM {table} WHERE org_id = $1 AND id = $2");
    let done = sqlx::query(&sql)
        .bind(&e.org)
        .bind(&e.id)
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        let noun = entity.lower_noun();
        return Err(AppError::not_found(format!("There is no {noun} {}.", e.id)));
    }
    Ok(())
}

/// An entity and its newest version, with its status (`S`: the entity's status enum).
#[derive(sqlx::FromRow)]
pub struct Latest<S> {
    pub id: String,
    pub name: String,
    pub description: String,
    pub version: String,
    pub status: S,
    total: i64,
}

impl<S> From<Latest<S>> for EntitySummary<S> {
    fn from(r: Latest<S>) -> Self {
        EntitySummary {
            id: r.id,
            name: r.name,
            description: r.description,
            latest_version: r.version,
            latest_status: r.status,
        }
    }
}

/// One page of the entities of `org` whose name or id contains the filter, by name, each with
/// its newest version (one index scan per row shown, whatever the count).
pub async fn page<S>(
    pool: &PgPool,
    entity: Entity,
    org: &str,
    query: &PageQuery,
) -> AppResult<Page<EntitySummary<S>>>
where
    Latest<S>: for<'r> FromRow<'r, PgRow> + Send + Unpin,
{
    let (table, versions, column) = entity.tables();
    let sql = format!(
        "SELECT e.id, e.name, e.description, v.version, v.status, count(*) OVER () AS total
         FROM {table} e
         JOIN LATERAL (SELECT version, status FROM {versions} v
                       WHERE v.org_id = e.org_id AND v.{column} = e.id
                       ORDER BY v.created_at DESC, v.id DESC LIMIT 1) v ON true
         WHERE e.org_id = $1
           AND (lower(e.name) LIKE $2 ESCAPE '\\' OR lower(e.id) LIKE $2 ESCAPE '\\')
         ORDER BY lower(e.name), e.id LIMIT $3 OFFSET $4"
    );
    let rows: Vec<Latest<S>> = sqlx::query_as(&sql)
        .bind(org)
        .bind(&query.pattern)
        .bind(query.limit)
        .bind(query.offset)
        .fetch_all(pool)
        .await?;
    let total = rows.first().map_or(0, |r| r.total);
    Ok(Page::new(rows, total, query).map(Into::into))
}
