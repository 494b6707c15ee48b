//! What a client may sign a contract with: published private API versions and their plans.

use sqlx::PgPool;

use crate::domain::catalog::{ContractableApi, OfferedPlan};
use crate::domain::lifecycle::ApiStatus;
use crate::domain::paging::{Page, PageQuery};
use crate::error::AppResult;

#[derive(sqlx::FromRow)]
struct ContractableRow {
    org_id: String,
    api_id: String,
    name: String,
    version: String,
    plan_id: String,
    plan_name: String,
    plan_version: String,
    requires_approval: bool,
    total: i64,
}

/// One page of the published private API versions with their offered plans: what a client may
/// sign up for. The filter looks at the API's name and id and its organization.
pub async fn contractable(pool: &PgPool, query: &PageQuery) -> AppResult<Page<ContractableApi>> {
    let rows: Vec<ContractableRow> = sqlx::query_as(
        "WITH page AS (
             SELECT av.id, av.org_id, av.api_id, a.name, av.version, av.created_at,
                    count(*) OVER () AS total
             FROM api_versions av
             JOIN apis a ON a.org_id = av.org_id AND a.id = av.api_id
             WHERE av.status = $4 AND NOT av.public
               AND EXISTS (SELECT 1 FROM api_plans ap WHERE ap.api_version_id = av.id)
               AND (lower(a.name) LIKE $1 ESCAPE '\\' OR lower(av.api_id) LIKE $1 ESCAPE '\\'
                    OR lower(av.org_id) LIKE $1 ESCAPE '\\')
             ORDER BY lower(a.name), av.org_id, av.api_id, av.created_at, av.id
             LIMIT $2 OFFSET $3)
         SELECT page.org_id, page.api_id, page.name, page.version, page.total, pv.plan_id,
                p.name AS plan_name, pv.version AS plan_version, ap.requires_approval
         FROM page
         JOIN api_plans ap ON ap.api_version_id = page.id
         JOIN plan_versions pv ON pv.id = ap.plan_version_id
         JOIN plans p ON p.org_id = pv.org_id AND p.id = pv.plan_id
         ORDER BY lower(page.name), page.org_id, page.api_id, page.created_at, page.id, ap.position",
    )
    .bind(&query.pattern)
    .bind(query.limit)
    .bind(query.offset)
    .bind(ApiStatus::Published)
    .fetch_all(pool)
    .await?;
    let total = rows.first().map_or(0, |r| r.total);
    let mut out: Vec<ContractableApi> = Vec::new();
    for r in rows {
        let plan = OfferedPlan {
            plan_id: r.plan_id,
            plan_name: r.plan_name,
            version: r.plan_version,
            requires_approval: r.requires_approval,
            locked: true,
        };
        match out.last_mut() {
            Some(last)
                if last.org_id == r.org_id
                    && last.api_id == r.api_id
                    && last.version == r.version =>
            {
                last.plans.push(plan)
            }
            _ => out.push(ContractableApi {
                org_id: r.org_id,
                api_id: r.api_id,
                name: r.name,
                version: r.version,
                plans: vec![plan],
            }),
        }
    }
    Ok(Page::new(out, total, query))
}
