//! What Try it reads: the API version the portal shows, the user's clients that may call it,
//! and the key of the one chosen. The SQL only; the rules are in `api::try_it::service`.

use sqlx::PgPool;

use super::definitions::LISTED_IN_PORTAL;
use super::keys::CURRENT_KEY_OF_V;
use crate::domain::catalog::ContractStatus;
use crate::domain::client::ClientStatus;
use crate::domain::lifecycle::ApiStatus;
use crate::domain::refs::VersionRef;
use crate::domain::roles::Role;
use crate::domain::try_it::MAX_TRY_CLIENTS;
use crate::error::AppResult;

/// An API version the portal lists.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PortalVersion {
    pub id: i64,
    pub version: String,
    pub public: bool,
}

pub async fn portal_version(pool: &PgPool, v: &VersionRef) -> AppResult<Option<PortalVersion>> {
    let sql = format!("SELECT v.id, v.version, v.public {LISTED_IN_PORTAL}");
    Ok(sqlx::query_as(&sql)
        .bind(&v.org)
        .bind(&v.id)
        .bind(&v.version)
        .bind(ApiStatus::Published)
        .fetch_optional(pool)
        .await?)
}

/// A registered client version with an active contract for the API version, in an
/// organization the user belongs to, with the user's role there and its current key.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CallerRow {
    pub org_id: String,
    pub client_id: String,
    pub version: String,
    pub name: String,
    pub role: Role,
    pub api_key: Option<String>,
}

fn callers_sql(one: bool) -> String {
    let which = if one {
        "AND v.org_id = $5 AND v.client_id = $6 AND v.version = $7"
    } else {
        "AND m.role = ANY($5::text[])"
    };
    format!(
        "SELECT v.org_id, v.client_id, v.version, c.name, m.role, {CURRENT_KEY_OF_V} AS api_key
         FROM memberships m
         JOIN client_versions v ON v.org_id = m.org_id
         JOIN clients c ON c.org_id = v.org_id AND c.id = v.client_id
         WHERE m.username = $1 AND v.status = $3
           AND EXISTS (SELECT 1 FROM contracts k WHERE k.client_version_id = v.id
                       AND k.api_version_id = $2 AND k.status = $4) {which}
         ORDER BY lower(v.org_id), lower(c.name), v.client_id, v.created_at, v.id
         LIMIT {MAX_TRY_CLIENTS}"
    )
}

/// The user's client versions that may call API version row `api_version_id`, in the
/// organizations where their role is one of `roles` (filtered before the limit, so that clients
/// the user may not use never crowd out those they may).
pub async fn callers(
    pool: &PgPool,
    username: &str,
    api_version_id: i64,
    roles: &[Role],
) -> AppResult<Vec<CallerRow>> {
    let roles: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    Ok(sqlx::query_as(&callers_sql(false))
        .bind(username)
        .bind(api_version_id)
        .bind(ClientStatus::Registered)
        .bind(ContractStatus::Active)
        .bind(roles)
        .fetch_all(pool)
        .await?)
}

/// Client version `client` if it is one of `callers`.
pub async fn caller(
    pool: &PgPool,
    username: &str,
    api_version_id: i64,
    client: &VersionRef,
) -> AppResult<Option<CallerRow>> {
    Ok(sqlx::query_as(&callers_sql(true))
        .bind(username)
        .bind(api_version_id)
        .bind(ClientStatus::Registered)
        .bind(ContractStatus::Active)
        .bind(&client.org)
        .bind(&client.id)
        .bind(&client.version)
        .fetch_optional(pool)
        .await?)
}
