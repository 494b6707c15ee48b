//! Clients and client versions. After every change the version's status is recomputed by
//! `domain::client::client_status` in the same transaction.

use sqlx::{PgConnection, PgPool};

use super::audit::{self, Change};
use super::policies::{self, Owner, POLICY_JSON};
use super::unique_or;
use crate::auth::api_key::new_api_key;
use crate::domain::catalog::{ClientSummary, ContractStatus};
use crate::domain::client::{self, ClientFacts, ClientStatus};
use crate::domain::paging::{Page, PageQuery};
use crate::error::{AppError, AppResult};

pub use super::client_view::view;

pub(crate) async fn record(
    conn: &mut PgConnection,
    actor: &str,
    org: &str,
    client: &str,
    action: &str,
    data: serde_json::Value,
) -> AppResult<()> {
    audit::record(
        conn,
        Change {
            actor,
            org_id: Some(org),
            entity_type: "client",
            entity_id: client,
            action,
            data,
        },
    )
    .await
}

pub async fn create(
    pool: &PgPool,
    actor: &str,
    org: &str,
    id: &str,
    name: &str,
    description: &str,
    version: &str,
) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    create_in(&mut tx, actor, org, id, name, description, version).await?;
    tx.commit().await?;
    Ok(())
}

/// Creates the client and its first version inside the caller's transaction.
pub async fn create_in(
    tx: &mut PgConnection,
    actor: &str,
    org: &str,
    id: &str,
    name: &str,
    description: &str,
    version: &str,
) -> AppResult<()> {
    let inserted = sqlx::query(
        "INSERT INTO clients (org_id, id, name, description, created_by) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(org)
    .bind(id)
    .bind(name)
    .bind(description)
    .bind(actor)
    .execute(&mut *tx)
    .await;
    unique_or(inserted, || {
        AppError::field(
            "id",
            format!("{org} already has a client with the id {id}."),
        )
    })?;
    sqlx::query(
        "INSERT INTO client_versions (org_id, client_id, version, api_key, created_by)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(org)
    .bind(id)
    .bind(version)
    .bind(new_api_key())
    .bind(actor)
    .execute(&mut *tx)
    .await?;
    record(
        tx,
        actor,
        org,
        id,
        "created",
        serde_json::json!({"name": name, "version": version}),
    )
    .await?;
    Ok(())
}

/// One page of the organization's clients, each with its newest version.
pub async fn list(pool: &PgPool, org: &str, query: &PageQuery) -> AppResult<Page<ClientSummary>> {
    let page = super::latest::page(pool, super::latest::Entity::Client, org, query)
        .await?
        .map(Into::into);
    Ok(page)
}

/// A client version locked for the rest of the transaction.
pub struct Locked {
    pub id: i64,
    pub status: ClientStatus,
    pub changed: bool,
}

pub async fn lock_version(
    conn: &mut PgConnection,
    org: &str,
    client: &str,
    version: &str,
) -> AppResult<Locked> {
    let row: Option<(i64, ClientStatus, bool)> = sqlx::query_as(
        "SELECT id, status, changed_since_registration FROM client_versions
         WHERE org_id = $1 AND client_id = $2 AND version = $3 FOR UPDATE",
    )
    .bind(org)
    .bind(client)
    .bind(version)
    .fetch_optional(conn)
    .await?;
    let (id, status, changed) = row.ok_or_else(|| {
        AppError::not_found(format!("There is no version {version} of client {client}."))
    })?;
    Ok(Locked {
        id,
        status,
        changed,
    })
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

async fn facts(conn: &mut PgConnection, id: i64) -> AppResult<ClientFacts> {
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

/// Recomputes and stores the status; returns it.
pub async fn refresh(conn: &mut PgConnection, id: i64) -> AppResult<ClientStatus> {
    let next = client::client_status(facts(conn, id).await?);
    sqlx::query("UPDATE client_versions SET status = $2 WHERE id = $1")
        .bind(id)
        .bind(next)
        .execute(conn)
        .await?;
    Ok(next)
}

/// Notes that a registered client changed, so it needs Re-Register; then refreshes.
pub async fn changed(conn: &mut PgConnection, id: i64) -> AppResult<ClientStatus> {
    sqlx::query(
        "UPDATE client_versions SET changed_since_registration = TRUE
         WHERE id = $1 AND registered_at IS NOT NULL AND retired_at IS NULL",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?;
    refresh(conn, id).await
}

/// Registers (or re-registers) a locked client version, as the rules allow.
pub async fn register_locked(
    conn: &mut PgConnection,
    actor: &str,
    org: &str,
    client: &str,
    version: &str,
    locked: &Locked,
) -> AppResult<()> {
    let awaiting = facts(conn, locked.id).await?.awaiting_approval;
    client::can_register(locked.status, locked.changed, awaiting).map_err(AppError::Conflict)?;
    // Registration is a snapshot: the active contracts and the client's policies as they are now.
    let sql = format!(
        "UPDATE client_versions SET registered_at = now(), changed_since_registration = FALSE,
             registered_policies = (
                 SELECT coalesce(jsonb_agg({POLICY_JSON} ORDER BY position, id), '[]'::jsonb)
                 FROM policies WHERE client_version_id = $1)
         WHERE id = $1"
    );
    sqlx::query(&sql)
        .bind(locked.id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE contracts SET registered = (status = $2) WHERE client_version_id = $1")
        .bind(locked.id)
        .bind(ContractStatus::Active)
        .execute(&mut *conn)
        .await?;
    refresh(conn, locked.id).await?;
    let kind = if locked.status == ClientStatus::Registered {
        super::gateway_feed::ChangeKind::ClientReregistered
    } else {
        super::gateway_feed::ChangeKind::ClientRegistered
    };
    super::gateway_feed::notify(conn, kind, locked.id).await?;
    let action = if locked.status == ClientStatus::Registered {
        "re-registered"
    } else {
        "registered"
    };
    record(
        conn,
        actor,
        org,
        client,
        action,
        serde_json::json!({"version": version}),
    )
    .await
}

pub async fn register(
    pool: &PgPool,
    actor: &str,
    org: &str,
    client: &str,
    version: &str,
) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let locked = lock_version(&mut tx, org, client, version).await?;
    register_locked(&mut tx, actor, org, client, version, &locked).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn retire(
    pool: &PgPool,
    actor: &str,
    org: &str,
    client: &str,
    version: &str,
) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let locked = lock_version(&mut tx, org, client, version).await?;
    client::can_retire(locked.status).map_err(AppError::Conflict)?;
    sqlx::query("UPDATE client_versions SET retired_at = now() WHERE id = $1")
        .bind(locked.id)
        .execute(&mut *tx)
        .await?;
    refresh(&mut tx, locked.id).await?;
    record(
        &mut tx,
        actor,
        org,
        client,
        "retired",
        serde_json::json!({"version": version}),
    )
    .await?;
    super::gateway_feed::notify(
        &mut tx,
        super::gateway_feed::ChangeKind::ClientRetired,
        locked.id,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn regenerate_key(
    pool: &PgPool,
    actor: &str,
    org: &str,
    client: &str,
    version: &str,
) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let locked = lock_version(&mut tx, org, client, version).await?;
    client::can_regenerate_key(locked.status).map_err(AppError::Conflict)?;
    sqlx::query("UPDATE client_versions SET api_key = $2 WHERE id = $1")
        .bind(locked.id)
        .bind(new_api_key())
        .execute(&mut *tx)
        .await?;
    record(
        &mut tx,
        actor,
        org,
        client,
        "key_regenerated",
        serde_json::json!({"version": version}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A new version with its own key, copying the contracts and policies of `from_version`.
pub async fn new_version(
    pool: &PgPool,
    actor: &str,
    org: &str,
    client: &str,
    from_version: &str,
    version: &str,
) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let from = lock_version(&mut tx, org, client, from_version).await?;
    let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
        "INSERT INTO client_versions (org_id, client_id, version, api_key, created_by)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(org)
    .bind(client)
    .bind(version)
    .bind(new_api_key())
    .bind(actor)
    .fetch_one(&mut *tx)
    .await;
    let (new_id,) = unique_or(inserted, || {
        AppError::field(
            "version",
            format!("Client {client} already has a version {version}."),
        )
    })?;
    sqlx::query(
        "INSERT INTO contracts (client_version_id, api_version_id, plan_version_id, status, requested_by, approved_by, approved_at)
         SELECT $2, api_version_id, plan_version_id, status, requested_by, approved_by, approved_at
         FROM contracts WHERE client_version_id = $1",
    )
    .bind(from.id)
    .bind(new_id)
    .execute(&mut *tx)
    .await?;
    policies::copy(&mut tx, Owner::Client(from.id), Owner::Client(new_id)).await?;
    refresh(&mut tx, new_id).await?;
    record(
        &mut tx,
        actor,
        org,
        client,
        "version_created",
        serde_json::json!({"version": version, "from": from_version}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes the client with all its versions, unless one of them is registered.
pub async fn delete(pool: &PgPool, actor: &str, org: &str, client: &str) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let statuses: Vec<ClientStatus> = sqlx::query_scalar(
        "SELECT status FROM client_versions WHERE org_id = $1 AND client_id = $2 FOR UPDATE",
    )
    .bind(org)
    .bind(client)
    .fetch_all(&mut *tx)
    .await?;
    for status in statuses {
        client::can_delete(status).map_err(AppError::Conflict)?;
    }
    let done = sqlx::query("DELETE FROM clients WHERE org_id = $1 AND id = $2")
        .bind(org)
        .bind(client)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::not_found(format!("There is no client {client}.")));
    }
    record(
        &mut tx,
        actor,
        org,
        client,
        "deleted",
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
