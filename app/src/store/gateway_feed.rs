//! What gateways serve, and telling them that it changed. A change increments the registry
//! sequence and announces itself with `pg_notify` in the transaction that makes it, so listeners
//! hear of it only once it commits, in commit order, with its number (a skipped number is a
//! missed notification). Gateways then re-read just the rows concerned.

use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};

use crate::domain::catalog::ContractStatus;
use crate::domain::client::ClientStatus;
use crate::domain::keys::KeyLife;
use crate::domain::lifecycle::ApiStatus;
use crate::domain::policy::StoredPolicy;
use crate::error::{AppError, AppResult};

/// The channel gateways LISTEN on. An empty payload (e.g. `SELECT pg_notify('gatehouse_registry',
/// '')` by hand after editing rows with SQL) asks for a full reload.
pub const CHANNEL: &str = "gatehouse_registry";

/// What changed. The id is a client version's for the client kinds and contract deletion, an
/// API version's for the API kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    ClientRegistered,
    ClientReregistered,
    ClientRetired,
    ContractDeleted,
    /// A key of a client version was rotated or revoked.
    KeysChanged,
    ApiPublished,
    ApiRetired,
}

/// What a gateway re-reads for a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    ClientVersion(i64),
    ApiVersion(i64),
}

/// One notification's payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// The registry sequence after this change.
    pub seq: i64,
    pub kind: ChangeKind,
    pub id: i64,
}

impl Change {
    pub fn target(&self) -> Target {
        match self.kind {
            ChangeKind::ClientRegistered
            | ChangeKind::ClientReregistered
            | ChangeKind::ClientRetired
            | ChangeKind::ContractDeleted
            | ChangeKind::KeysChanged => Target::ClientVersion(self.id),
            ChangeKind::ApiPublished | ChangeKind::ApiRetired => Target::ApiVersion(self.id),
        }
    }
}

/// Numbers the change and announces it; call it last in the transaction (its row lock is held
/// until commit, so other announcing transactions wait for this one).
pub async fn notify(conn: &mut PgConnection, kind: ChangeKind, id: i64) -> AppResult<()> {
    let (seq,): (i64,) = sqlx::query_as("UPDATE registry_sequence SET seq = seq + 1 RETURNING seq")
        .fetch_one(&mut *conn)
        .await?;
    let payload = serde_json::to_string(&Change { seq, kind, id })
        .map_err(|e| AppError::internal("encoding a registry change", e))?;
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(payload)
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
    pub status: ApiStatus,
    pub public: bool,
    pub endpoint: String,
    /// Extra trusted CA certificates for an HTTPS endpoint (PEM).
    pub upstream_ca_pem: Option<String>,
}

/// A policy of an API or plan version, in chain order.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PolicyRow {
    pub owner_id: i64,
    pub policy: Json<StoredPolicy>,
}

/// A plan version that registered contracts go through (locked, so it never changes).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PlanRow {
    pub id: i64,
    pub plan_id: String,
    pub version: String,
}

/// A client version, with the policies it was registered with and its keys.
#[derive(Debug, Clone)]
pub struct ClientRow {
    pub id: i64,
    /// "org/client/version".
    pub name: String,
    /// Only registered client versions are served.
    pub registered: bool,
    /// None when there are none (most clients): no JSON to parse for them.
    pub registered_policies: Option<Json<Vec<StoredPolicy>>>,
    /// Its keys (all of them, ended ones too, so that the gateway can say why one is refused),
    /// oldest first.
    key_ids: Vec<i64>,
    keys: Vec<String>,
    key_ends: Vec<Option<i64>>,
    key_revoked: Vec<bool>,
}

/// One key of a client version as the gateway serves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyRow<'a> {
    pub id: i64,
    pub api_key: &'a str,
    pub life: KeyLife,
}

impl ClientRow {
    pub fn keys(&self) -> impl Iterator<Item = KeyRow<'_>> {
        self.key_ids
            .iter()
            .zip(&self.keys)
            .zip(self.key_ends.iter().zip(&self.key_revoked))
            .map(|((id, api_key), (expires_at, revoked))| KeyRow {
                id: *id,
                api_key,
                life: KeyLife {
                    expires_at: *expires_at,
                    revoked: *revoked,
                },
            })
    }

    /// A row as a test or a benchmark makes it, with these keys.
    pub fn new(id: i64, name: &str, registered: bool, keys: &[KeyRow<'_>]) -> ClientRow {
        ClientRow {
            id,
            name: name.into(),
            registered,
            registered_policies: None,
            key_ids: keys.iter().map(|k| k.id).collect(),
            keys: keys.iter().map(|k| k.api_key.to_string()).collect(),
            key_ends: keys.iter().map(|k| k.life.expires_at).collect(),
            key_revoked: keys.iter().map(|k| k.life.revoked).collect(),
        }
    }
}

/// A client version with one of its keys (or with none: `key_id` NULL), as the query reads
/// them; `Folder` makes `ClientRow`s of consecutive rows of one version.
#[derive(sqlx::FromRow)]
struct KeyedRow {
    id: i64,
    name: String,
    registered: bool,
    registered_policies: Option<Json<Vec<StoredPolicy>>>,
    key_id: Option<i64>,
    api_key: Option<String>,
    key_end: Option<i64>,
    key_revoked: bool,
}

/// Gathers rows ordered by client version into one `ClientRow` per version.
#[derive(Default)]
struct Folder {
    current: Option<ClientRow>,
}

impl Folder {
    /// Adds `row`; returns the previous client version once `row` starts another.
    fn push(&mut self, row: KeyedRow) -> Option<ClientRow> {
        let done = match &self.current {
            Some(c) if c.id == row.id => None,
            _ => self.current.replace(ClientRow {
                id: row.id,
                name: row.name,
                registered: row.registered,
                registered_policies: row.registered_policies,
                key_ids: Vec::new(),
                keys: Vec::new(),
                key_ends: Vec::new(),
                key_revoked: Vec::new(),
            }),
        };
        if let (Some(c), Some(id), Some(key)) = (&mut self.current, row.key_id, row.api_key) {
            c.key_ids.push(id);
            c.keys.push(key);
            c.key_ends.push(row.key_end);
            c.key_revoked.push(row.key_revoked);
        }
        done
    }

    fn finish(self) -> Option<ClientRow> {
        self.current
    }
}

/// A registered, active contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, sqlx::FromRow)]
pub struct ContractRow {
    pub client_version_id: i64,
    pub api_version_id: i64,
    pub plan_version_id: i64,
}

/// A read-only transaction that sees one state of everything: a full load's. The caller (the
/// gateway's loader) owns it; it opens here only because its isolation level is SQL too.
pub async fn snapshot(pool: &PgPool) -> AppResult<Transaction<'static, Postgres>> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

/// The number of the last change committed.
pub async fn sequence(conn: &mut PgConnection) -> AppResult<i64> {
    let (seq,): (i64,) = sqlx::query_as("SELECT seq FROM registry_sequence")
        .fetch_one(conn)
        .await?;
    Ok(seq)
}

const API_COLUMNS: &str = "SELECT id, org_id, api_id, version, status, public, endpoint, upstream_ca_pem FROM api_versions";

/// Every published or retired API version.
pub async fn apis(conn: &mut PgConnection) -> AppResult<Vec<ApiRow>> {
    let sql = format!("{API_COLUMNS} WHERE status = ANY($1)");
    Ok(sqlx::query_as(&sql)
        .bind(&[ApiStatus::Published, ApiStatus::Retired][..])
        .fetch_all(conn)
        .await?)
}

/// One API version, whatever its status (none if it was deleted).
pub async fn api(conn: &mut PgConnection, id: i64) -> AppResult<Option<ApiRow>> {
    let sql = format!("{API_COLUMNS} WHERE id = $1");
    Ok(sqlx::query_as(&sql).bind(id).fetch_optional(conn).await?)
}

/// The policies of published API versions, or of one (`only`) if it is published.
pub async fn api_policies(conn: &mut PgConnection, only: Option<i64>) -> AppResult<Vec<PolicyRow>> {
    Ok(sqlx::query_as(
        "SELECT p.api_version_id AS owner_id,
                jsonb_build_object('id', p.id, 'type', p.policy_type, 'config', p.config) AS policy
         FROM policies p JOIN api_versions v ON v.id = p.api_version_id
         WHERE v.status = $2 AND ($1::BIGINT IS NULL OR v.id = $1)
         ORDER BY p.position, p.id",
    )
    .bind(only)
    .bind(ApiStatus::Published)
    .fetch_all(conn)
    .await?)
}

/// Plan versions by id.
pub async fn plans(conn: &mut PgConnection, ids: &[i64]) -> AppResult<Vec<PlanRow>> {
    Ok(
        sqlx::query_as("SELECT id, plan_id, version FROM plan_versions WHERE id = ANY($1)")
            .bind(ids)
            .fetch_all(conn)
            .await?,
    )
}

/// The policies of those plan versions.
pub async fn plan_policies(conn: &mut PgConnection, ids: &[i64]) -> AppResult<Vec<PolicyRow>> {
    let sql = format!(
        "SELECT plan_version_id AS owner_id, {} AS policy FROM policies
         WHERE plan_version_id = ANY($1) ORDER BY position, id",
        super::policies::POLICY_JSON
    );
    Ok(sqlx::query_as(&sql).bind(ids).fetch_all(conn).await?)
}

/// Binds `ContractStatus::Active` at $1.
const CONTRACTS: &str = "SELECT client_version_id, api_version_id, plan_version_id FROM contracts
     WHERE registered AND status = $1";

/// Every registered, active contract (of any client version: the caller keeps the registered
/// clients' ones). A join with the client versions would cost Postgres more than the few
/// extra rows cost us.
pub async fn contracts(conn: &mut PgConnection) -> AppResult<Vec<ContractRow>> {
    Ok(sqlx::query_as(CONTRACTS)
        .bind(ContractStatus::Active)
        .fetch_all(conn)
        .await?)
}

/// One client version's registered, active contracts.
pub async fn client_contracts(conn: &mut PgConnection, id: i64) -> AppResult<Vec<ContractRow>> {
    let sql = format!("{CONTRACTS} AND client_version_id = $2");
    Ok(sqlx::query_as(&sql)
        .bind(ContractStatus::Active)
        .bind(id)
        .fetch_all(conn)
        .await?)
}

/// Binds `ClientStatus::Registered` at $1. One row per key: a plain join of two index scans,
/// about four times faster on a million clients than aggregating each client's keys in SQL.
const CLIENT_KEY_ROWS: &str =
    "SELECT v.id, v.org_id || '/' || v.client_id || '/' || v.version AS name,
     v.status = $1 AS registered,
     CASE WHEN v.registered_policies = '[]'::jsonb THEN NULL ELSE v.registered_policies END
         AS registered_policies,
     k.id AS key_id, k.api_key, floor(extract(epoch FROM k.expires_at))::BIGINT AS key_end,
     k.revoked_at IS NOT NULL AS key_revoked
     FROM client_versions v LEFT JOIN client_keys k ON k.client_version_id = v.id";

/// Hands every registered client version to `each` as it arrives: a million of them are never
/// all in memory as rows.
pub async fn each_client(
    conn: &mut PgConnection,
    mut each: impl FnMut(ClientRow),
) -> AppResult<()> {
    let sql = format!("{CLIENT_KEY_ROWS} WHERE v.status = $1 ORDER BY v.id, k.id");
    let mut rows = sqlx::query_as::<_, KeyedRow>(&sql)
        .bind(ClientStatus::Registered)
        .fetch(conn);
    let mut folder = Folder::default();
    while let Some(row) = rows.try_next().await? {
        if let Some(done) = folder.push(row) {
            each(done);
        }
    }
    if let Some(last) = folder.finish() {
        each(last);
    }
    Ok(())
}

/// One client version, whatever its status (none if it was deleted).
pub async fn client(conn: &mut PgConnection, id: i64) -> AppResult<Option<ClientRow>> {
    let sql = format!("{CLIENT_KEY_ROWS} WHERE v.id = $2 ORDER BY k.id");
    let rows: Vec<KeyedRow> = sqlx::query_as(&sql)
        .bind(ClientStatus::Registered)
        .bind(id)
        .fetch_all(conn)
        .await?;
    let mut folder = Folder::default();
    for row in rows {
        folder.push(row);
    }
    Ok(folder.finish())
}

#[cfg(test)]
#[path = "gateway_feed_tests.rs"]
mod tests;
