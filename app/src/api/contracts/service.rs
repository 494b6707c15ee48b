//! The contract use cases: each owns its transaction, which locks the client version first
//! (then the API version or the contract), so concurrent requests, approvals, rejections and
//! deletions stay consistent; it checks the rules of `domain::client`, calls the store's SQL
//! and records the change on the client (and, for a new contract, on the API).

use sqlx::PgConnection;

use crate::api::clients::service as client_service;
use crate::api::versioned;
use crate::domain::catalog::{ContractStatus, ContractView};
use crate::domain::client::{self, ContractFacts};
use crate::domain::lifecycle::PlanStatus;
use crate::domain::refs::VersionRef;
use crate::error::{AppError, AppResult};
use crate::store::PgPool;
use crate::store::apis;
use crate::store::audit::Subject;
use crate::store::clients::{self, Locked};
use crate::store::contracts::{self, Parties};
use crate::store::gateway_feed::{self, ChangeKind};
use crate::store::versioned::Entity;

/// Which client version, API version and plan version a new contract joins. The plan
/// belongs to the API's organization (`plan.org == api.org`).
#[derive(Debug, Clone)]
pub struct NewContract {
    pub client: VersionRef,
    pub api: VersionRef,
    pub plan: VersionRef,
}

/// Creates a contract; it awaits approval when the plan link requires it and the actor may not
/// approve it themselves. Returns the contract's id and status.
pub async fn create(
    pool: &PgPool,
    actor: &str,
    c: &NewContract,
    actor_may_approve: bool,
) -> AppResult<(i64, ContractStatus)> {
    let mut tx = pool.begin().await?;
    let locked = clients::lock_version(&mut tx, &c.client).await?;
    let (id, status) = create_locked(&mut tx, actor, c, &locked, actor_may_approve).await?;
    tx.commit().await?;
    Ok((id, status))
}

/// Creates a contract inside a transaction that has locked the client version.
pub async fn create_locked(
    conn: &mut PgConnection,
    actor: &str,
    c: &NewContract,
    locked: &Locked,
    actor_may_approve: bool,
) -> AppResult<(i64, ContractStatus)> {
    let (parties, needs_approval) = check_new(conn, c, locked).await?;
    let status = if needs_approval && !actor_may_approve {
        ContractStatus::AwaitingApproval
    } else {
        ContractStatus::Active
    };
    let id = contracts::insert(conn, actor, &parties, status).await?;
    client_service::changed(conn, locked.id).await?;
    record_created(conn, actor, c, status).await?;
    Ok((id, status))
}

/// Locks the API version and checks the contract against the rules: the row ids it joins,
/// and whether it needs approval.
async fn check_new(
    conn: &mut PgConnection,
    c: &NewContract,
    locked: &Locked,
) -> AppResult<(Parties, bool)> {
    let (api_version_id, api_status) = apis::lock_version(conn, &c.api).await?;
    let public = contracts::api_public(conn, api_version_id).await?;
    let offered = contracts::offered(conn, api_version_id, &c.plan).await?;
    let duplicate = contracts::exists(conn, locked.id, api_version_id).await?;
    let facts = ContractFacts {
        client: locked.status,
        api: api_status,
        api_public: public,
        plan_offered: offered.as_ref().map(|o| o.requires_approval),
        plan: offered.as_ref().map_or(PlanStatus::Created, |o| o.status),
        duplicate,
    };
    let needs_approval = client::check_contract(facts).map_err(AppError::Conflict)?;
    let Some(offered) = offered else {
        return Err(AppError::internal("contract", "offered plan vanished"));
    };
    let parties = Parties {
        client_version_id: locked.id,
        api_version_id,
        plan_version_id: offered.plan_version_id,
    };
    Ok((parties, needs_approval))
}

/// The new contract in the activity of the client and of the API.
async fn record_created(
    conn: &mut PgConnection,
    actor: &str,
    c: &NewContract,
    status: ContractStatus,
) -> AppResult<()> {
    let NewContract { client, api, plan } = c;
    // The audit trail's wording, kept as it always was: "org/id version", "id version".
    let plan = format!("{} {}", plan.id, plan.version);
    client_service::subject(actor, &client.org, &client.id)
        .record(
            conn,
            "contract_created",
            serde_json::json!({
                "version": client.version,
                "api": format!("{}/{} {}", api.org, api.id, api.version),
                "plan": plan,
                "status": status,
            }),
        )
        .await?;
    versioned::subject(Entity::Api, actor, &api.org, &api.id)
        .record(
            conn,
            "contract_created",
            serde_json::json!({
                "version": api.version,
                "client": format!("{}/{} {}", client.org, client.id, client.version),
                "plan": plan,
                "status": status,
            }),
        )
        .await
}

/// Locks a contract and its client version: the client version first, the same order as
/// contract creation.
async fn lock_contract(conn: &mut PgConnection, id: i64) -> AppResult<(Locked, ContractStatus)> {
    let client_version_id = contracts::client_version_of(conn, id).await?;
    let locked = clients::lock_by_id(conn, client_version_id).await?;
    let status = contracts::lock_status(conn, id).await?;
    Ok((locked, status))
}

/// The contract's client, for its activity entries.
fn client_subject<'a>(actor: &'a str, contract: &'a ContractView) -> Subject<'a> {
    client_service::subject(actor, &contract.client_org, &contract.client_id)
}

/// Locks the contract and checks that it still awaits a decision.
async fn lock_awaiting(conn: &mut PgConnection, id: i64) -> AppResult<Locked> {
    let (locked, status) = lock_contract(conn, id).await?;
    if status != ContractStatus::AwaitingApproval {
        return Err(AppError::Conflict(
            "This contract has already been approved.".into(),
        ));
    }
    Ok(locked)
}

pub async fn delete(pool: &PgPool, actor: &str, contract: &ContractView) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let (locked, _) = lock_contract(&mut tx, contract.id).await?;
    client::can_change(locked.status).map_err(AppError::Conflict)?;
    contracts::delete(&mut tx, contract.id).await?;
    client_service::changed(&mut tx, locked.id).await?;
    // Taking access away needs no Re-Register: the gateway drops the contract at once.
    gateway_feed::notify(&mut tx, ChangeKind::ContractDeleted, locked.id).await?;
    client_subject(actor, contract)
        .record(
            &mut tx,
            "contract_deleted",
            serde_json::json!({
                "version": contract.client_version,
                "api": format!("{}/{} {}", contract.api_org, contract.api_id, contract.api_version),
                "plan": format!("{} {}", contract.plan_id, contract.plan_version),
            }),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Approves a waiting contract. When it was the last one waiting, the client version is
/// registered (again) at once, so the consumer can use the key without another step.
pub async fn approve(pool: &PgPool, actor: &str, contract: &ContractView) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let locked = lock_awaiting(&mut tx, contract.id).await?;
    contracts::set_approved(&mut tx, contract.id, actor).await?;
    client_subject(actor, contract)
        .record(
            &mut tx,
            "contract_approved",
            serde_json::json!({
                "version": contract.client_version,
                "api": format!("{}/{} {}", contract.api_org, contract.api_id, contract.api_version),
                "plan": format!("{} {}", contract.plan_id, contract.plan_version),
            }),
        )
        .await?;
    client_service::refresh(&mut tx, locked.id).await?;
    client_service::register_if_ready(&mut tx, actor, &contract.client_ref(), locked.id).await?;
    tx.commit().await?;
    Ok(())
}

/// Rejects a waiting contract: it is deleted, and the reason is kept for the requester.
pub async fn reject(
    pool: &PgPool,
    actor: &str,
    contract: &ContractView,
    reason: &str,
) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let locked = lock_awaiting(&mut tx, contract.id).await?;
    contracts::delete(&mut tx, contract.id).await?;
    client_service::refresh(&mut tx, locked.id).await?;
    client_subject(actor, contract)
        .record(
            &mut tx,
            "contract_rejected",
            serde_json::json!({
                "version": contract.client_version,
                "api": format!("{} {}", contract.api_name, contract.api_version),
                "plan": format!("{} {}", contract.plan_name, contract.plan_version),
                "reason": reason,
            }),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}
