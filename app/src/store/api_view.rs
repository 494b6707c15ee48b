//! An API version as its console page shows it: details, offered plans, versions, checklist.

use sqlx::PgPool;

use super::apis::readiness;
use crate::domain::catalog::{ApiVersionView, OfferedPlan};
use crate::domain::lifecycle::{ApiStatus, PlanStatus};
use crate::domain::refs::VersionRef;
use crate::error::AppResult;

#[derive(sqlx::FromRow)]
struct ViewRow {
    id: i64,
    name: String,
    description: String,
    status: ApiStatus,
    endpoint: String,
    upstream_ca_pem: Option<String>,
    public: bool,
    featured: bool,
    markdown: String,
}

#[derive(sqlx::FromRow)]
struct OfferedRow {
    plan_id: String,
    plan_name: String,
    version: String,
    requires_approval: bool,
    status: PlanStatus,
}

pub async fn view(pool: &PgPool, v: &VersionRef) -> AppResult<Option<ApiVersionView>> {
    let VersionRef {
        org,
        id: api,
        version,
    } = v;
    let mut conn = pool.acquire().await?;
    let row: Option<ViewRow> = sqlx::query_as(
        "SELECT v.id, a.name, a.description, v.status, v.endpoint, v.upstream_ca_pem, v.public, v.featured, v.markdown
         FROM apis a JOIN api_versions v ON v.org_id = a.org_id AND v.api_id = a.id
         WHERE a.org_id = $1 AND a.id = $2 AND v.version = $3",
    )
    .bind(org)
    .bind(api)
    .bind(version)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let offered: Vec<OfferedRow> = sqlx::query_as(
        "SELECT p.id AS plan_id, p.name AS plan_name, pv.version, ap.requires_approval, pv.status
         FROM api_plans ap
         JOIN plan_versions pv ON pv.id = ap.plan_version_id
         JOIN plans p ON p.org_id = pv.org_id AND p.id = pv.plan_id
         WHERE ap.api_version_id = $1 ORDER BY ap.position, p.name",
    )
    .bind(row.id)
    .fetch_all(&mut *conn)
    .await?;
    let versions: Vec<(String,)> = sqlx::query_as(
        "SELECT version FROM api_versions WHERE org_id = $1 AND api_id = $2 ORDER BY created_at, id",
    )
    .bind(org)
    .bind(api)
    .fetch_all(&mut *conn)
    .await?;
    let readiness = readiness(&mut conn, row.id).await?;
    Ok(Some(ApiVersionView {
        org_id: org.clone(),
        api_id: api.clone(),
        name: row.name,
        description: row.description,
        version: version.clone(),
        status: row.status,
        endpoint: row.endpoint,
        upstream_ca_pem: row.upstream_ca_pem,
        public: row.public,
        featured: row.featured,
        markdown_html: crate::domain::markdown::render_markdown(&row.markdown),
        markdown: row.markdown,
        readiness,
        plans: offered
            .into_iter()
            .map(|o| OfferedPlan {
                locked: o.status == PlanStatus::Locked,
                plan_id: o.plan_id,
                plan_name: o.plan_name,
                version: o.version,
                requires_approval: o.requires_approval,
            })
            .collect(),
        versions: versions.into_iter().map(|(v,)| v).collect(),
        can_edit: false,
    }))
}
