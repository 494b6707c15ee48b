//! The Developer Portal's queries, and the SQL of its sign-up's personal organization (the
//! sign-up itself is `api::portal::service::sign_up`).

use sqlx::{PgConnection, PgPool};

use super::policies::{self, Owner};
use crate::domain::lifecycle::ApiStatus;
use crate::domain::paging::{Page, PageQuery};
use crate::domain::portal::{PortalApiCard, PortalApiDetails, PortalPlan};
use crate::domain::refs::EntityRef;
use crate::domain::roles::Role;
use crate::error::AppResult;

#[derive(sqlx::FromRow)]
struct CardRow {
    org_id: String,
    org_name: String,
    api_id: String,
    name: String,
    description: String,
    version: String,
    public: bool,
    featured: bool,
    total: i64,
}

/// One page of the APIs the portal shows (by name): the newest published version of each that is
/// public or offers a plan, whose name, description, id or organization contains the filter.
pub async fn apis(
    pool: &PgPool,
    query: &PageQuery,
    featured_only: bool,
) -> AppResult<Page<PortalApiCard>> {
    let rows: Vec<CardRow> = sqlx::query_as(
        "WITH latest AS (
             SELECT DISTINCT ON (v.org_id, v.api_id) v.org_id, o.name AS org_name, v.api_id,
                    a.name, a.description, v.version, v.public, v.featured
             FROM api_versions v
             JOIN apis a ON a.org_id = v.org_id AND a.id = v.api_id
             JOIN organizations o ON o.id = v.org_id
             WHERE v.status = $5
               AND (v.public OR EXISTS (SELECT 1 FROM api_plans ap WHERE ap.api_version_id = v.id))
               AND (lower(a.name) LIKE $1 ESCAPE '\\' OR lower(a.description) LIKE $1 ESCAPE '\\'
                    OR lower(o.name) LIKE $1 ESCAPE '\\' OR lower(v.api_id) LIKE $1 ESCAPE '\\')
             ORDER BY v.org_id, v.api_id, v.published_at DESC NULLS LAST, v.id DESC)
         SELECT *, count(*) OVER () AS total FROM latest WHERE featured OR NOT $2
         ORDER BY lower(name), org_id, api_id LIMIT $3 OFFSET $4",
    )
    .bind(&query.pattern)
    .bind(featured_only)
    .bind(query.limit)
    .bind(query.offset)
    .bind(ApiStatus::Published)
    .fetch_all(pool)
    .await?;
    let total = rows.first().map_or(0, |r| r.total);
    let cards = rows
        .into_iter()
        .map(|r| PortalApiCard {
            org_id: r.org_id,
            org_name: r.org_name,
            api_id: r.api_id,
            name: r.name,
            description: r.description,
            version: r.version,
            public: r.public,
            featured: r.featured,
        })
        .collect();
    Ok(Page::new(cards, total, query))
}

#[derive(sqlx::FromRow)]
struct DetailRow {
    id: i64,
    org_name: String,
    name: String,
    description: String,
    markdown: String,
    public: bool,
}

#[derive(sqlx::FromRow)]
struct PlanRow {
    plan_version_id: i64,
    plan_id: String,
    name: String,
    version: String,
    requires_approval: bool,
}

/// The portal page of `api` at `version`, or at its newest published version for `None`;
/// `None` when that version is not published.
pub async fn api(
    pool: &PgPool,
    api: &EntityRef,
    version: Option<&str>,
) -> AppResult<Option<PortalApiDetails>> {
    let EntityRef { org, id: api } = api;
    let versions: Vec<(String,)> = sqlx::query_as(
        "SELECT version FROM api_versions WHERE org_id = $1 AND api_id = $2 AND status = $3
         ORDER BY created_at, id",
    )
    .bind(org)
    .bind(api)
    .bind(ApiStatus::Published)
    .fetch_all(pool)
    .await?;
    let versions: Vec<String> = versions.into_iter().map(|(v,)| v).collect();
    let Some(version) = version
        .map(str::to_string)
        .or_else(|| versions.last().cloned())
    else {
        return Ok(None);
    };
    if !versions.contains(&version) {
        return Ok(None);
    }
    let mut conn = pool.acquire().await?;
    let row: Option<DetailRow> = sqlx::query_as(
        "SELECT v.id, o.name AS org_name, a.name, a.description, v.markdown, v.public
         FROM api_versions v JOIN apis a ON a.org_id = v.org_id AND a.id = v.api_id
         JOIN organizations o ON o.id = v.org_id
         WHERE v.org_id = $1 AND v.api_id = $2 AND v.version = $3",
    )
    .bind(org)
    .bind(api)
    .bind(&version)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let plan_rows: Vec<PlanRow> = sqlx::query_as(
        "SELECT pv.id AS plan_version_id, p.id AS plan_id, p.name, pv.version, ap.requires_approval
         FROM api_plans ap JOIN plan_versions pv ON pv.id = ap.plan_version_id
         JOIN plans p ON p.org_id = pv.org_id AND p.id = pv.plan_id
         WHERE ap.api_version_id = $1 ORDER BY ap.position",
    )
    .bind(row.id)
    .fetch_all(&mut *conn)
    .await?;
    let mut plans = Vec::new();
    for p in plan_rows {
        let summaries = policies::list(&mut conn, Owner::Plan(p.plan_version_id))
            .await?
            .into_iter()
            .map(|v| v.summary)
            .collect();
        plans.push(PortalPlan {
            plan_id: p.plan_id,
            name: p.name,
            version: p.version,
            requires_approval: p.requires_approval,
            policies: summaries,
        });
    }
    Ok(Some(PortalApiDetails {
        org_id: org.clone(),
        org_name: row.org_name,
        api_id: api.clone(),
        name: row.name,
        description: row.description,
        markdown_html: crate::domain::markdown::render_markdown(&row.markdown),
        version,
        versions,
        public: row.public,
        plans,
    }))
}

/// Holds, until the transaction ends, the right to create `username`'s personal organization:
/// two first sign-ups of the same user at once must not create two organizations.
pub async fn lock_personal_org(conn: &mut PgConnection, username: &str) -> AppResult<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('personal-org:' || $1))")
        .bind(username)
        .execute(conn)
        .await?;
    Ok(())
}

/// The user's personal organization, found by the mark the system sets when creating it (never
/// by its name), and whether they are still its Owner.
pub async fn personal_org(
    conn: &mut PgConnection,
    username: &str,
) -> AppResult<Option<(String, bool)>> {
    Ok(sqlx::query_as(
        "SELECT o.id, EXISTS (SELECT 1 FROM memberships m
                              WHERE m.org_id = o.id AND m.username = $1 AND m.role = $2)
         FROM organizations o WHERE o.personal_of = $1",
    )
    .bind(username)
    .bind(Role::Owner)
    .fetch_optional(conn)
    .await?)
}
