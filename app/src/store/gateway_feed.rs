//! Telling gateways that what they serve changed. `pg_notify` is transactional: listeners hear
//! of a change only once the transaction that made it commits.

use sqlx::PgConnection;

use crate::error::AppResult;

/// The channel gateways LISTEN on; the payload is empty, they reload the whole registry.
pub const CHANNEL: &str = "gatehouse_registry";

pub async fn notify(conn: &mut PgConnection) -> AppResult<()> {
    sqlx::query("SELECT pg_notify($1, '')")
        .bind(CHANNEL)
        .execute(conn)
        .await?;
    Ok(())
}

/// A published or retired API version as the gateway needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiRow {
    pub id: i64,
    pub org_id: String,
    pub api_id: String,
    pub version: String,
    pub status: String,
    pub public: bool,
    pub endpoint: String,
    /// Extra trusted CA certificates for an HTTPS endpoint (PEM).
    pub upstream_ca_pem: Option<String>,
}

/// A policy of an API or plan version, in chain order.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PolicyRow {
    pub id: i64,
    pub owner_id: i64,
    pub policy_type: String,
    pub config: serde_json::Value,
}

/// A registered client version, with the policies it was registered with.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClientRow {
    pub id: i64,
    pub org_id: String,
    pub client_id: String,
    pub version: String,
    pub api_key: String,
    pub registered_policies: serde_json::Value,
}

/// A registered, active contract of a registered client with a published API.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ContractRow {
    pub client_version_id: i64,
    pub api_version_id: i64,
    pub plan_version_id: i64,
    pub plan_id: String,
    pub plan_version: String,
}

/// Everything a gateway serves, read in one repeatable-read transaction so it is consistent.
#[derive(Debug, Clone, Default)]
pub struct Feed {
    pub apis: Vec<ApiRow>,
    pub api_policies: Vec<PolicyRow>,
    pub plan_policies: Vec<PolicyRow>,
    pub clients: Vec<ClientRow>,
    pub contracts: Vec<ContractRow>,
}

pub async fn load(pool: &sqlx::PgPool) -> AppResult<Feed> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .execute(&mut *tx)
        .await?;
    let apis: Vec<ApiRow> = sqlx::query_as(
        "SELECT id, org_id, api_id, version, status, public, endpoint, upstream_ca_pem FROM api_versions
         WHERE status IN ('Published', 'Retired')",
    )
    .fetch_all(&mut *tx)
    .await?;
    let api_policies: Vec<PolicyRow> = sqlx::query_as(
        "SELECT p.id, p.api_version_id AS owner_id, p.policy_type, p.config
         FROM policies p JOIN api_versions v ON v.id = p.api_version_id
         WHERE v.status = 'Published' ORDER BY p.position, p.id",
    )
    .fetch_all(&mut *tx)
    .await?;
    let clients: Vec<ClientRow> = sqlx::query_as(
        "SELECT id, org_id, client_id, version, api_key, registered_policies FROM client_versions
         WHERE status = 'Registered'",
    )
    .fetch_all(&mut *tx)
    .await?;
    let contracts: Vec<ContractRow> = sqlx::query_as(
        "SELECT k.client_version_id, k.api_version_id, k.plan_version_id, pv.plan_id, pv.version AS plan_version
         FROM contracts k
         JOIN client_versions cv ON cv.id = k.client_version_id
         JOIN api_versions av ON av.id = k.api_version_id
         JOIN plan_versions pv ON pv.id = k.plan_version_id
         WHERE k.registered AND k.status = 'Active' AND cv.status = 'Registered' AND av.status = 'Published'",
    )
    .fetch_all(&mut *tx)
    .await?;
    let plan_policies: Vec<PolicyRow> = sqlx::query_as(
        "SELECT p.id, p.plan_version_id AS owner_id, p.policy_type, p.config FROM policies p
         WHERE p.plan_version_id IN (
             SELECT k.plan_version_id FROM contracts k WHERE k.registered AND k.status = 'Active')
         ORDER BY p.position, p.id",
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Feed {
        apis,
        api_policies,
        plan_policies,
        clients,
        contracts,
    })
}
