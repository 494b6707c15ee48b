//! A client version as its console page shows it: details, key, contracts, rejected requests.

use sqlx::PgPool;

use super::audit;
use super::keys::CURRENT_KEY_OF_V;
use crate::domain::catalog::{ClientVersionView, Rejection};
use crate::domain::client::ClientStatus;
use crate::domain::refs::VersionRef;
use crate::error::AppResult;

#[derive(sqlx::FromRow)]
struct ViewRow {
    id: i64,
    name: String,
    description: String,
    status: ClientStatus,
    api_key: Option<String>,
    changed_since_registration: bool,
}

pub async fn view(pool: &PgPool, v: &VersionRef) -> AppResult<Option<ClientVersionView>> {
    let VersionRef {
        org,
        id: client,
        version,
    } = v;
    let sql = format!(
        "SELECT v.id, c.name, c.description, v.status, {CURRENT_KEY_OF_V} AS api_key,
                v.changed_since_registration
         FROM clients c JOIN client_versions v ON v.org_id = c.org_id AND v.client_id = c.id
         WHERE c.org_id = $1 AND c.id = $2 AND v.version = $3"
    );
    let row: Option<ViewRow> = sqlx::query_as(&sql)
        .bind(org)
        .bind(client)
        .bind(version)
        .fetch_optional(pool)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let versions: Vec<(String,)> = sqlx::query_as(
        "SELECT version FROM client_versions WHERE org_id = $1 AND client_id = $2 ORDER BY created_at, id",
    )
    .bind(org)
    .bind(client)
    .fetch_all(pool)
    .await?;
    let status = row.status;
    Ok(Some(ClientVersionView {
        org_id: org.clone(),
        client_id: client.clone(),
        name: row.name,
        description: row.description,
        version: version.clone(),
        needs_reregister: status == ClientStatus::Registered && row.changed_since_registration,
        status,
        api_key: row.api_key,
        contracts: super::contracts::for_client_version(pool, row.id).await?,
        rejections: rejections(pool, v).await?,
        versions: versions.into_iter().map(|(v,)| v).collect(),
        can_edit: false,
    }))
}

/// Rejected requests of this version, newest first, from the audit trail.
async fn rejections(pool: &PgPool, v: &VersionRef) -> AppResult<Vec<Rejection>> {
    let entries = audit::list_for_entity(pool, &v.org, "client", &v.id, 200).await?;
    Ok(entries
        .into_iter()
        .filter(|e| e.action == "contract_rejected" && e.data["version"] == v.version.as_str())
        .map(|e| Rejection {
            api: e.data["api"].as_str().unwrap_or_default().to_string(),
            plan: e.data["plan"].as_str().unwrap_or_default().to_string(),
            reason: e.data["reason"].as_str().unwrap_or_default().to_string(),
            by: e.actor,
            at: e.at,
        })
        .collect())
}
