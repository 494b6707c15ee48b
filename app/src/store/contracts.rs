//! Contracts between client versions and API versions through plan versions: the SQL only.
//! The use cases in `api::contracts::service` lock the client version before the contract.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use super::{Counted, counted_page, unique_or};
use crate::domain::catalog::{ContractStatus, ContractView};
use crate::domain::lifecycle::PlanStatus;
use crate::domain::paging::{Page, PageQuery};
use crate::domain::refs::VersionRef;
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
    api: &VersionRef,
    query: &PageQuery,
) -> AppResult<Page<ContractView>> {
    let sql = paged(
        &format!("{SELECT} WHERE av.org_id = $1 AND av.api_id = $2 AND av.version = $3"),
        4,
    );
    let rows: Vec<Counted<Row>> = sqlx::query_as(&sql)
        .bind(&api.org)
        .bind(&api.id)
        .bind(&api.version)
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

/// Whether the API version is public (public APIs take no contracts).
pub async fn api_public(conn: &mut PgConnection, api_version_id: i64) -> AppResult<bool> {
    let (public,): (bool,) = sqlx::query_as("SELECT public FROM api_versions WHERE id = $1")
        .bind(api_version_id)
        .fetch_one(conn)
        .await?;
    Ok(public)
}

/// A plan version the API version offers: its row id, whether it needs approval, its status.
pub struct Offered {
    pub plan_version_id: i64,
    pub requires_approval: bool,
    pub status: PlanStatus,
}

/// Plan version `plan`, if the API version offers it.
pub async fn offered(
    conn: &mut PgConnection,
    api_version_id: i64,
    plan: &VersionRef,
) -> AppResult<Option<Offered>> {
    // APIs only offer plans of their own organization (`api::apis::service::set_plans`), so
    // matching the plan's organization too finds the same row.
    let row: Option<(i64, bool, PlanStatus)> = sqlx::query_as(
        "SELECT pv.id, ap.requires_approval, pv.status
         FROM api_plans ap JOIN plan_versions pv ON pv.id = ap.plan_version_id
         WHERE ap.api_version_id = $1 AND pv.org_id = $2 AND pv.plan_id = $3 AND pv.version = $4",
    )
    .bind(api_version_id)
    .bind(&plan.org)
    .bind(&plan.id)
    .bind(&plan.version)
    .fetch_optional(conn)
    .await?;
    Ok(
        row.map(|(plan_version_id, requires_approval, status)| Offered {
            plan_version_id,
            requires_approval,
            status,
        }),
    )
}

/// Whether the client version already has a contract with the API version.
pub async fn exists(
    conn: &mut PgConnection,
    client_version_id: i64,
    api_version_id: i64,
) -> AppResult<bool> {
    let (found,): (bool,) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM contracts WHERE client_version_id = $1 AND api_version_id = $2)",
    )
    .bind(client_version_id)
    .bind(api_version_id)
    .fetch_one(conn)
    .await?;
    Ok(found)
}

/// The row ids a new contract joins.
pub struct Parties {
    pub client_version_id: i64,
    pub api_version_id: i64,
    pub plan_version_id: i64,
}

/// Inserts a contract requested by `actor`; an active one counts as approved by them at once.
pub async fn insert(
    conn: &mut PgConnection,
    actor: &str,
    parties: &Parties,
    status: ContractStatus,
) -> AppResult<i64> {
    let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
        "INSERT INTO contracts (client_version_id, api_version_id, plan_version_id, status, requested_by,
                                approved_by, approved_at)
         VALUES ($1, $2, $3, $4, $5, CASE WHEN $4 = $6 THEN $5 END, CASE WHEN $4 = $6 THEN now() END)
         RETURNING id",
    )
    .bind(parties.client_version_id)
    .bind(parties.api_version_id)
    .bind(parties.plan_version_id)
    .bind(status)
    .bind(actor)
    .bind(ContractStatus::Active)
    .fetch_one(conn)
    .await;
    let (id,) = unique_or(inserted, || {
        AppError::Conflict(
            "This client version already has a contract with this API version.".into(),
        )
    })?;
    Ok(id)
}

fn gone() -> AppError {
    AppError::not_found("That contract does not exist (any more).")
}

/// The client version a contract belongs to (without locking anything).
pub async fn client_version_of(conn: &mut PgConnection, id: i64) -> AppResult<i64> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT client_version_id FROM contracts WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    row.map(|(v,)| v).ok_or_else(gone)
}

/// The contract's status, locking its row.
pub async fn lock_status(conn: &mut PgConnection, id: i64) -> AppResult<ContractStatus> {
    let row: Option<(ContractStatus,)> =
        sqlx::query_as("SELECT status FROM contracts WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    row.map(|(s,)| s).ok_or_else(gone)
}

pub async fn delete(conn: &mut PgConnection, id: i64) -> AppResult<()> {
    sqlx::query("DELETE FROM contracts WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_approved(conn: &mut PgConnection, id: i64, actor: &str) -> AppResult<()> {
    sqlx::query(
        "UPDATE contracts SET status = $3, approved_by = $2, approved_at = now() WHERE id = $1",
    )
    .bind(id)
    .bind(actor)
    .bind(ContractStatus::Active)
    .execute(conn)
    .await?;
    Ok(())
}
