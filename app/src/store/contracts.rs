//! Contracts between client versions and API versions through plan versions, and their
//! approval. Each change runs in one transaction that locks the client version (and the
//! contract) first, so concurrent approvals, rejections and deletions stay consistent.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use super::clients::{self, Locked};
use super::{Counted, apis, counted_page, unique_or};
use crate::domain::catalog::{ContractStatus, ContractView};
use crate::domain::client::{self, ContractFacts};
use crate::domain::lifecycle::PlanStatus;
use crate::domain::paging::{Page, PageQuery};
use crate::domain::roles::Role;
use crate::error::{AppError, AppResult};

const SELECT: &str = "
    SELECT k.id, k.status, k.requested_by, k.created_at,
           cv.org_id AS client_org, cv.client_id, c.name AS client_name, cv.version AS client_version,
           av.org_id AS api_org, av.api_id, a.name AS api_name, av.version AS api_version,
           pv.plan_id, p.name AS plan_name, pv.version AS plan_version
    FROM contracts k
    JOIN client_versions cv ON cv.id = k.client_version_id
    JOIN clients c ON c.org_id = cv.org_id AND c.id = cv.client_id
    JOIN api_versions av ON av.id = k.api_version_id
    JOIN apis a ON a.org_id = av.org_id AND a.id = av.api_id
    JOIN plan_versions pv ON pv.id = k.plan_version_id
    JOIN plans p ON p.org_id = pv.org_id AND p.id = pv.plan_id";

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    status: ContractStatus,
    requested_by: String,
    created_at: DateTime<Utc>,
    client_org: String,
    client_id: String,
    client_name: String,
    client_version: String,
    api_org: String,
    api_id: String,
    api_name: String,
    api_version: String,
    plan_id: String,
    plan_name: String,
    plan_version: String,
}

impl From<Row> for ContractView {
    fn from(r: Row) -> Self {
        ContractView {
            id: r.id,
            status: r.status,
            client_org: r.client_org,
            client_id: r.client_id,
            client_name: r.client_name,
            client_version: r.client_version,
            api_org: r.api_org,
            api_id: r.api_id,
            api_name: r.api_name,
            api_version: r.api_version,
            plan_id: r.plan_id,
            plan_name: r.plan_name,
            plan_version: r.plan_version,
            requested_by: r.requested_by,
            created_at: r.created_at,
        }
    }
}

pub async fn for_client_version(
    pool: &PgPool,
    client_version_id: i64,
) -> AppResult<Vec<ContractView>> {
    for_client_versions(pool, &[client_version_id]).await
}

/// The contracts of several client versions in one query (My Clients), oldest first.
pub async fn for_client_versions(
    pool: &PgPool,
    client_version_ids: &[i64],
) -> AppResult<Vec<ContractView>> {
    let sql = format!("{SELECT} WHERE k.client_version_id = ANY($1) ORDER BY k.created_at, k.id");
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(client_version_ids)
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(ContractView::from).collect())
}

/// Wraps a filtered contract query (`{SELECT} WHERE …`) to page it; the filter (bound at
/// `$pattern`) looks at client, API and plan names and ids.
fn paged(select_where: &str, pattern: u8) -> String {
    let m = |col: &str| format!("lower({col}) LIKE ${pattern} ESCAPE '\\'");
    format!(
        "SELECT q.*, count(*) OVER () AS total FROM ({select_where} AND ({} OR {} OR {} OR {} OR {})) q
         ORDER BY q.created_at, q.id LIMIT ${} OFFSET ${}",
        m("c.name"),
        m("cv.client_id"),
        m("cv.org_id"),
        m("a.name"),
        m("p.name"),
        pattern + 1,
        pattern + 2
    )
}

fn contract_page(rows: Vec<Counted<Row>>, query: &PageQuery) -> AppResult<Page<ContractView>> {
    Ok(counted_page(rows, query, ContractView::from))
}

/// One page of the contracts of an API version, oldest first.
pub async fn for_api_version(
    pool: &PgPool,
    org: &str,
    api: &str,
    version: &str,
    query: &PageQuery,
) -> AppResult<Page<ContractView>> {
    let sql = paged(
        &format!("{SELECT} WHERE av.org_id = $1 AND av.api_id = $2 AND av.version = $3"),
        4,
    );
    let rows: Vec<Counted<Row>> = sqlx::query_as(&sql)
        .bind(org)
        .bind(api)
        .bind(version)
        .bind(&query.pattern)
        .bind(query.limit)
        .bind(query.offset)
        .fetch_all(pool)
        .await?;
    contract_page(rows, query)
}

pub async fn get(pool: &PgPool, id: i64) -> AppResult<Option<ContractView>> {
    let sql = format!("{SELECT} WHERE k.id = $1");
    let row: Option<Row> = sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?;
    Ok(row.map(ContractView::from))
}

/// One page of the contracts awaiting approval, oldest first: on plans of the organizations where
/// `approver` has one of the given roles, or all of them for `None` (administrators).
pub async fn awaiting(
    pool: &PgPool,
    approver: Option<(&str, &[Role])>,
    query: &PageQuery,
) -> AppResult<Page<ContractView>> {
    let sql = paged(
        &format!(
            // A literal, not a bound status: the partial index contracts_awaiting serves it.
            "{SELECT} WHERE k.status = 'AwaitingApproval'
               AND ($1::text IS NULL OR pv.org_id IN (
                   SELECT m.org_id FROM memberships m WHERE m.username = $1 AND m.role = ANY($2)))"
        ),
        3,
    );
    let rows: Vec<Counted<Row>> = sqlx::query_as(&sql)
        .bind(approver.map(|(u, _)| u))
        .bind(approver.map(|(_, roles)| roles))
        .bind(&query.pattern)
        .bind(query.limit)
        .bind(query.offset)
        .fetch_all(pool)
        .await?;
    contract_page(rows, query)
}

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
    let (api_version_id, api_status) =
        apis::lock_version(conn, c.api_org, c.api, c.api_version).await?;
    let (public,): (bool,) = sqlx::query_as("SELECT public FROM api_versions WHERE id = $1")
        .bind(api_version_id)
        .fetch_one(&mut *conn)
        .await?;
    let offered: Option<(i64, bool, PlanStatus)> = sqlx::query_as(
        "SELECT pv.id, ap.requires_approval, pv.status
         FROM api_plans ap JOIN plan_versions pv ON pv.id = ap.plan_version_id
         WHERE ap.api_version_id = $1 AND pv.plan_id = $2 AND pv.version = $3",
    )
    .bind(api_version_id)
    .bind(c.plan)
    .bind(c.plan_version)
    .fetch_optional(&mut *conn)
    .await?;
    let (duplicate,): (bool,) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM contracts WHERE client_version_id = $1 AND api_version_id = $2)",
    )
    .bind(locked.id)
    .bind(api_version_id)
    .fetch_one(&mut *conn)
    .await?;
    let facts = ContractFacts {
        client: locked.status,
        api: api_status,
        api_public: public,
        plan_offered: offered.as_ref().map(|o| o.1),
        plan: offered.as_ref().map_or(PlanStatus::Created, |o| o.2),
        duplicate,
    };
    let needs_approval = client::check_contract(facts).map_err(AppError::Conflict)?;
    let Some((plan_version_id, ..)) = offered else {
        return Err(AppError::internal("contract", "offered plan vanished"));
    };
    let status = if needs_approval && !actor_may_approve {
        ContractStatus::AwaitingApproval
    } else {
        ContractStatus::Active
    };
    let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
        "INSERT INTO contracts (client_version_id, api_version_id, plan_version_id, status, requested_by,
                                approved_by, approved_at)
         VALUES ($1, $2, $3, $4, $5, CASE WHEN $4 = $6 THEN $5 END, CASE WHEN $4 = $6 THEN now() END)
         RETURNING id",
    )
    .bind(locked.id)
    .bind(api_version_id)
    .bind(plan_version_id)
    .bind(status)
    .bind(actor)
    .bind(ContractStatus::Active)
    .fetch_one(&mut *conn)
    .await;
    let (id,) = unique_or(inserted, || {
        AppError::Conflict(
            "This client version already has a contract with this API version.".into(),
        )
    })?;
    clients::changed(conn, locked.id).await?;
    let data = serde_json::json!({
        "version": c.client_version,
        "api": format!("{}/{} {}", c.api_org, c.api, c.api_version),
        "plan": format!("{} {}", c.plan, c.plan_version),
        "status": status,
    });
    clients::record(
        conn,
        actor,
        c.client_org,
        c.client,
        "contract_created",
        data.clone(),
    )
    .await?;
    super::audit::record(
        conn,
        super::audit::Change {
            actor,
            org_id: Some(c.api_org),
            entity_type: "api",
            entity_id: c.api,
            action: "contract_created",
            data: serde_json::json!({
                "version": c.api_version,
                "client": format!("{}/{} {}", c.client_org, c.client, c.client_version),
                "plan": format!("{} {}", c.plan, c.plan_version),
                "status": status,
            }),
        },
    )
    .await?;
    Ok((id, status))
}

/// Locks a contract and its client version, in that order of discovery.
async fn lock_contract(conn: &mut PgConnection, id: i64) -> AppResult<(Locked, ContractStatus)> {
    let row: Option<(i64, ContractStatus)> =
        sqlx::query_as("SELECT client_version_id, status FROM contracts WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let (client_version_id, _) =
        row.ok_or_else(|| AppError::not_found("That contract does not exist (any more)."))?;
    // Client version first, then the contract: the same order as contract creation.
    let locked = clients::lock_by_id(conn, client_version_id).await?;
    let row: Option<(ContractStatus,)> =
        sqlx::query_as("SELECT status FROM contracts WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let (status,) =
        row.ok_or_else(|| AppError::not_found("That contract does not exist (any more)."))?;
    Ok((locked, status))
}

pub async fn delete(pool: &PgPool, actor: &str, contract: &ContractView) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let (locked, _) = lock_contract(&mut tx, contract.id).await?;
    client::can_change(locked.status).map_err(AppError::Conflict)?;
    sqlx::query("DELETE FROM contracts WHERE id = $1")
        .bind(contract.id)
        .execute(&mut *tx)
        .await?;
    clients::changed(&mut tx, locked.id).await?;
    // Taking access away needs no Re-Register: the gateway drops the contract at once.
    super::gateway_feed::notify(
        &mut tx,
        super::gateway_feed::ChangeKind::ContractDeleted,
        locked.id,
    )
    .await?;
    clients::record(
        &mut tx,
        actor,
        &contract.client_org,
        &contract.client_id,
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
    let (locked, status) = lock_contract(&mut tx, contract.id).await?;
    if status != ContractStatus::AwaitingApproval {
        return Err(AppError::Conflict(
            "This contract has already been approved.".into(),
        ));
    }
    sqlx::query(
        "UPDATE contracts SET status = $3, approved_by = $2, approved_at = now() WHERE id = $1",
    )
    .bind(contract.id)
    .bind(actor)
    .bind(ContractStatus::Active)
    .execute(&mut *tx)
    .await?;
    let data = serde_json::json!({
        "version": contract.client_version,
        "api": format!("{}/{} {}", contract.api_org, contract.api_id, contract.api_version),
        "plan": format!("{} {}", contract.plan_id, contract.plan_version),
    });
    clients::record(
        &mut tx,
        actor,
        &contract.client_org,
        &contract.client_id,
        "contract_approved",
        data,
    )
    .await?;
    clients::refresh(&mut tx, locked.id).await?;
    let after = clients::lock_by_id(&mut tx, locked.id).await?;
    if client::can_register(after.status, after.changed, 0).is_ok() {
        clients::register_locked(
            &mut tx,
            actor,
            &contract.client_org,
            &contract.client_id,
            &contract.client_version,
            &after,
        )
        .await?;
    }
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
    let (locked, status) = lock_contract(&mut tx, contract.id).await?;
    if status != ContractStatus::AwaitingApproval {
        return Err(AppError::Conflict(
            "This contract has already been approved.".into(),
        ));
    }
    sqlx::query("DELETE FROM contracts WHERE id = $1")
        .bind(contract.id)
        .execute(&mut *tx)
        .await?;
    clients::refresh(&mut tx, locked.id).await?;
    clients::record(
        &mut tx,
        actor,
        &contract.client_org,
        &contract.client_id,
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
