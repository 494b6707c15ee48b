//! Clients and client versions: the SQL only. The use cases in `api::clients::service`
//! recompute a version's status (`domain::client::client_status`) after every change.

use sqlx::{PgConnection, PgPool};

use super::policies::POLICY_JSON;
use super::versioned::{self, Entity};
use crate::domain::catalog::{ClientSummary, ContractStatus};
use crate::domain::client::{ClientFacts, ClientStatus};
use crate::domain::paging::{Page, PageQuery};
use crate::domain::refs::VersionRef;
use crate::error::AppResult;

pub use super::client_view::view;

/// One page of the organization's clients, each with its newest version.
pub async fn list(pool: &PgPool, org: &str, query: &PageQuery) -> AppResult<Page<ClientSummary>> {
    versioned::page(pool, Entity::Client, org, query).await
}

/// A client version locked for the rest of the transaction.
pub struct Locked {
    pub id: i64,
    pub status: ClientStatus,
    pub changed: bool,
}

pub async fn lock_version(conn: &mut PgConnection, client: &VersionRef) -> AppResult<Locked> {
    let row: Option<(i64, ClientStatus, bool)> = sqlx::query_as(
        "SELECT id, status, changed_since_registration FROM client_versions
         WHERE org_id = $1 AND client_id = $2 AND version = $3 FOR UPDATE",
    )
    .bind(&client.org)
    .bind(&client.id)
    .bind(&client.version)
    .fetch_optional(conn)
    .await?;
    let (id, status, changed) = row.ok_or_else(|| versioned::no_version(Entity::Client, client))?;
    Ok(Locked {
        id,
        status,
        changed,
    })
}

/// The row id and status of client version `client` (no lock: for reads).
pub async fn version_id(pool: &PgPool, client: &VersionRef) -> AppResult<(i64, ClientStatus)> {
    let row: Option<(i64, ClientStatus)> = sqlx::query_as(
        "SELECT id, status FROM client_versions WHERE org_id = $1 AND client_id = $2 AND version = $3",
    )
    .bind(&client.org)
    .bind(&client.id)
    .bind(&client.version)
    .fetch_optional(pool)
    .await?;
    row.ok_or_else(|| versioned::no_version(Entity::Client, client))
}

pub async fn lock_by_id(conn: &mut PgConnection, id: i64) -> AppResult<Locked> {
    let (status, changed): (ClientStatus, bool) = sqlx::query_as(
        "SELECT status, changed_since_registration FROM client_versions WHERE id = $1 FOR UPDATE",
    )
    .bind(id)
    .fetch_one(conn)
    .await?;
    Ok(Locked {
        id,
        status,
        changed,
    })
}

/// What the version's status follows from.
pub async fn facts(conn: &mut PgConnection, id: i64) -> AppResult<ClientFacts> {
    let (contracts, awaiting, registered, retired): (i64, i64, bool, bool) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM contracts WHERE client_version_id = v.id),
                (SELECT count(*) FROM contracts WHERE client_version_id = v.id AND status = $2),
                v.registered_at IS NOT NULL, v.retired_at IS NOT NULL
         FROM client_versions v WHERE v.id = $1",
    )
    .bind(id)
    .bind(ContractStatus::AwaitingApproval)
    .fetch_one(conn)
    .await?;
    Ok(ClientFacts {
        contracts: contracts as usize,
        awaiting_approval: awaiting as usize,
        registered,
        retired,
    })
}

pub async fn set_status(conn: &mut PgConnection, id: i64, status: ClientStatus) -> AppResult<()> {
    sqlx::query("UPDATE client_versions SET status = $2 WHERE id = $1")
        .bind(id)
        .bind(status)
        .execute(conn)
        .await?;
    Ok(())
}

/// Notes that a registered (and not retired) version changed, so it needs Re-Register.
pub async fn mark_changed(conn: &mut PgConnection, id: i64) -> AppResult<()> {
    sqlx::query(
        "UPDATE client_versions SET changed_since_registration = TRUE
         WHERE id = $1 AND registered_at IS NOT NULL AND retired_at IS NULL",
    )
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Registration is a snapshot: the active contracts and the client's policies as they are now.
pub async fn snapshot_registration(conn: &mut PgConnection, id: i64) -> AppResult<()> {
    let sql = format!(
        "UPDATE client_versions SET registered_at = now(), changed_since_registration = FALSE,
             registered_policies = (
                 SELECT coalesce(jsonb_agg({POLICY_JSON} ORDER BY position, id), '[]'::jsonb)
                 FROM policies WHERE client_version_id = $1)
         WHERE id = $1"
    );
    sqlx::query(&sql).bind(id).execute(&mut *conn).await?;
    sqlx::query("UPDATE contracts SET registered = (status = $2) WHERE client_version_id = $1")
        .bind(id)
        .bind(ContractStatus::Active)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_retired(conn: &mut PgConnection, id: i64) -> AppResult<()> {
    sqlx::query("UPDATE client_versions SET retired_at = now() WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Gives version `to` the contracts of version `from`, with their approvals.
pub async fn copy_contracts(conn: &mut PgConnection, from: i64, to: i64) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO contracts (client_version_id, api_version_id, plan_version_id, status, requested_by, approved_by, approved_at)
         SELECT $2, api_version_id, plan_version_id, status, requested_by, approved_by, approved_at
         FROM contracts WHERE client_version_id = $1",
    )
    .bind(from)
    .bind(to)
    .execute(conn)
    .await?;
    Ok(())
}
