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
use crate::error::{AppError, AppResult};
use crate::store::PgPool;
use crate::store::apis;
use crate::store::audit::Subject;
use crate::store::clients::{self, Locked};
use crate::store::contracts::{self, Parties};
use crate::store::gateway_feed::{self, ChangeKind};
use crate::store::versioned::Entity;

/// Which API, plan and client a new contract joins.
pub struct NewContract<'a> {
    pub client_org: &'a str,
    pub client: &'a str,
    pub client_version: &'a str,
    pub api_org: &'a str,
    pub api: &'a str,
    pub api_version: &'a str,
    pub plan: &'a str,
    pub plan_version: &'a str,
}

/// Creates a contract; it awaits approval when the plan link requires it and the actor may not
/// approve it themselves. Returns the contract's id and status.
pub async fn create(
    pool: &PgPool,
    actor: &str,
    c: &NewContract<'_>,
    actor_may_approve: bool,
) -> AppResult<(i64, ContractStatus)> {
    let mut tx = pool.begin().await?;
    let locked = clients::lock_version(&mut tx, c.client_org, c.client, c.client_version).await?;
    let (id, status) = create_locked(&mut tx, actor, c, &locked, actor_may_approve).await?;
    tx.commit().await?;
    Ok((id, status))
}

/// Creates a contract inside a transaction that has locked the client version.
pub async fn create_locked(
    conn: &mut PgConnection,
    actor: &str,
    c: &NewContract<'_>,
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
    c: &NewContract<'_>,
    locked: &Locked,
) -> AppResult<(Parties, bool)> {
    let (api_version_id, api_status) =
        apis::lock_version(conn, c.api_org, c.api, c.api_version).await?;
    let public = contracts::api_public(conn, api_version_id).await?;
    let offered = contracts::offered(conn, api_version_id, c.plan, c.plan_version).await?;
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
    c: &NewContract<'_>,
    status: ContractStatus,
) -> AppResult<()> {
    let plan = format!("{} {}", c.plan, c.plan_version);
    client_service::subject(actor, c.client_org, c.client)
        .record(
            conn,
            "contract_created",
            serde_json::json!({
                "version": c.client_version,
                "api": format!("{}/{} {}", c.api_org, c.api, c.api_version),
                "plan": plan,
                "status": status,
            }),
        )
        .await?;
    versioned::subject(Entity::Api, actor, c.api_org, c.api)
        .record(
            conn,
            "contract_created",
            serde_json::json!({
                "version": c.api_version,
                "client": format!("{}/{} {}", c.client_org, c.client, c.client_version),
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
    let version = (
        contract.client_org.as_str(),
        contract.client_id.as_str(),
        contract.client_version.as_str(),
    );
    client_service::register_if_ready(&mut tx, actor, version, locked.id).await?;
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
