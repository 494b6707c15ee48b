//! The portal's lists of the user's own clients: My Clients and the Sign Up wizard's choices.
//! Each runs a fixed number of queries, whatever the number of clients and versions.

use std::collections::HashMap;

use sqlx::PgPool;

use super::contracts;
use super::keys::CURRENT_KEY_OF_V;
use crate::domain::catalog::ContractStatus;
use crate::domain::client::ClientStatus;
use crate::domain::paging::{MAX_LIMIT, Page, PageQuery};
use crate::domain::portal::{MyClient, MyClientVersion, SignupClient, SignupOrg};
use crate::domain::refs::VersionRef;
use crate::domain::roles::{Actor, Permission, Role};
use crate::error::AppResult;

#[derive(sqlx::FromRow)]
struct ClientRow {
    org_id: String,
    org_name: String,
    role: Role,
    client_id: String,
    name: String,
    total: i64,
}

#[derive(sqlx::FromRow)]
struct VersionRow {
    id: i64,
    org_id: String,
    client_id: String,
    version: String,
    status: ClientStatus,
    api_key: Option<String>,
}

/// One page of the clients of every organization the user belongs to, by organization and
/// name; the filter looks at client and organization names and ids. Keys only where the user may
/// see them (`Actor::may_see_api_keys`) and only once a contract is active.
pub async fn my_clients(
    pool: &PgPool,
    actor: &Actor,
    query: &PageQuery,
) -> AppResult<Page<MyClient>> {
    let rows: Vec<ClientRow> = sqlx::query_as(
        "SELECT c.org_id, o.name AS org_name, m.role, c.id AS client_id, c.name,
                count(*) OVER () AS total
         FROM memberships m
         JOIN organizations o ON o.id = m.org_id
         JOIN clients c ON c.org_id = m.org_id
         WHERE m.username = $1
           AND (lower(c.name) LIKE $2 ESCAPE '\\' OR lower(c.id) LIKE $2 ESCAPE '\\'
                OR lower(o.name) LIKE $2 ESCAPE '\\' OR lower(o.id) LIKE $2 ESCAPE '\\')
         ORDER BY lower(o.name), o.id, lower(c.name), c.id LIMIT $3 OFFSET $4",
    )
    .bind(&actor.username)
    .bind(&query.pattern)
    .bind(query.limit)
    .bind(query.offset)
    .fetch_all(pool)
    .await?;
    let total = rows.first().map_or(0, |r| r.total);
    let (orgs, ids): (Vec<&str>, Vec<&str>) = rows
        .iter()
        .map(|r| (r.org_id.as_str(), r.client_id.as_str()))
        .unzip();
    let sql = format!(
        "SELECT v.id, v.org_id, v.client_id, v.version, v.status, {CURRENT_KEY_OF_V} AS api_key
         FROM client_versions v
         JOIN unnest($1::text[], $2::text[]) AS p (org_id, client_id)
           ON v.org_id = p.org_id AND v.client_id = p.client_id
         ORDER BY v.created_at, v.id"
    );
    let versions: Vec<VersionRow> = sqlx::query_as(&sql)
        .bind(&orgs)
        .bind(&ids)
        .fetch_all(pool)
        .await?;
    let version_ids: Vec<i64> = versions.iter().map(|v| v.id).collect();
    let mut contracts_of: HashMap<VersionRef, Vec<_>> = HashMap::new();
    for c in contracts::for_client_versions(pool, &version_ids).await? {
        contracts_of.entry(c.client_ref()).or_default().push(c);
    }
    let mut versions_of: HashMap<(String, String), Vec<MyClientVersion>> = HashMap::new();
    let may_see: HashMap<&str, bool> = rows
        .iter()
        .map(|r| (r.org_id.as_str(), actor.may_see_api_keys(Some(r.role))))
        .collect();
    for v in versions {
        let key = VersionRef::new(v.org_id.clone(), v.client_id.clone(), v.version.clone());
        let contracts = contracts_of.remove(&key).unwrap_or_default();
        let active = contracts.iter().any(|c| c.status == ContractStatus::Active);
        let shown = active && may_see.get(v.org_id.as_str()).copied().unwrap_or(false);
        versions_of
            .entry((v.org_id, v.client_id))
            .or_default()
            .push(MyClientVersion {
                version: v.version,
                status: v.status,
                api_key: v.api_key.filter(|_| shown),
                contracts,
            });
    }
    let items = rows
        .into_iter()
        .map(|r| MyClient {
            versions: versions_of
                .remove(&(r.org_id.clone(), r.client_id.clone()))
                .unwrap_or_default(),
            org_id: r.org_id,
            org_name: r.org_name,
            client_id: r.client_id,
            name: r.name,
        })
        .collect();
    Ok(Page::new(items, total, query))
}

#[derive(sqlx::FromRow)]
struct SignupRow {
    org_id: String,
    org_name: String,
    client_id: Option<String>,
    client_name: Option<String>,
    version: Option<String>,
    total: i64,
}

/// One page of the organizations where the user may create clients (by name; the filter looks
/// at their names and ids), each with the usable versions of up to `MAX_LIMIT` of its clients.
pub async fn signup_orgs(
    pool: &PgPool,
    actor: &Actor,
    query: &PageQuery,
) -> AppResult<Page<SignupOrg>> {
    let editors: Vec<Role> = Role::ALL
        .into_iter()
        .filter(|r| r.allows(Permission::EditClients))
        .collect();
    let rows: Vec<SignupRow> = sqlx::query_as(
        "WITH page AS (
             SELECT o.id, o.name, count(*) OVER () AS total
             FROM organizations o JOIN memberships m ON m.org_id = o.id AND m.username = $1
             WHERE ($2 OR m.role = ANY($3))
               AND (lower(o.name) LIKE $4 ESCAPE '\\' OR lower(o.id) LIKE $4 ESCAPE '\\')
             ORDER BY lower(o.name), o.id LIMIT $5 OFFSET $6),
         shown AS (
             SELECT c.org_id, c.id, c.name,
                    row_number() OVER (PARTITION BY c.org_id ORDER BY lower(c.name), c.id) AS n
             FROM clients c JOIN page ON page.id = c.org_id
             WHERE EXISTS (SELECT 1 FROM client_versions v
                           WHERE v.org_id = c.org_id AND v.client_id = c.id AND v.status <> $8))
         SELECT page.id AS org_id, page.name AS org_name, page.total,
                s.id AS client_id, s.name AS client_name, v.version
         FROM page
         LEFT JOIN shown s ON s.org_id = page.id AND s.n <= $7
         LEFT JOIN client_versions v
           ON v.org_id = s.org_id AND v.client_id = s.id AND v.status <> $8
         ORDER BY lower(page.name), page.id, lower(s.name), s.id, v.created_at, v.id",
    )
    .bind(&actor.username)
    .bind(actor.is_admin)
    .bind(&editors)
    .bind(&query.pattern)
    .bind(query.limit)
    .bind(query.offset)
    .bind(i64::from(MAX_LIMIT))
    .bind(ClientStatus::Retired)
    .fetch_all(pool)
    .await?;
    let total = rows.first().map_or(0, |r| r.total);
    let mut out: Vec<SignupOrg> = Vec::new();
    for r in rows {
        if out.last().is_none_or(|o| o.org_id != r.org_id) {
            out.push(SignupOrg {
                org_id: r.org_id.clone(),
                name: r.org_name.clone(),
                clients: Vec::new(),
            });
        }
        let (Some(org), Some(id), Some(name), Some(version)) =
            (out.last_mut(), r.client_id, r.client_name, r.version)
        else {
            continue;
        };
        match org.clients.last_mut() {
            Some(last) if last.client_id == id => last.versions.push(version),
            _ => org.clients.push(SignupClient {
                client_id: id,
                name,
                versions: vec![version],
            }),
        }
    }
    Ok(Page::new(out, total, query))
}
