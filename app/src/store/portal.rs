//! The Developer Portal's queries and its one-transaction sign-up.

use sqlx::{PgConnection, PgPool};

use super::contracts::{self, NewContract};
use super::policies::{self, Owner};
use super::{clients, orgs};
use crate::domain::catalog::ContractStatus;
use crate::domain::client as client_rules;
use crate::domain::lifecycle::ApiStatus;
use crate::domain::paging::{Page, PageQuery};
use crate::domain::portal::{
    PortalApiCard, PortalApiDetails, PortalPlan, SignupResult, SignupTarget, personal_org_id,
};
use crate::domain::roles::Role;
use crate::domain::urls::gateway_path;
use crate::error::{AppError, AppResult};

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

pub async fn api(
    pool: &PgPool,
    org: &str,
    api: &str,
    version: Option<&str>,
) -> AppResult<Option<PortalApiDetails>> {
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
        org_id: org.to_string(),
        org_name: row.org_name,
        api_id: api.to_string(),
        name: row.name,
        description: row.description,
        markdown_html: crate::domain::markdown::render_markdown(&row.markdown),
        version,
        versions,
        public: row.public,
        plans,
    }))
}

/// What the API of a sign-up is, and through which plan.
pub struct SignupApi<'a> {
    pub org: &'a str,
    pub api: &'a str,
    pub version: &'a str,
    pub plan: &'a str,
    pub plan_version: &'a str,
}

/// Creates (if asked) the personal organization and the client, then the contract, and
/// registers the client when the contract is active: all or nothing.
pub async fn sign_up(
    pool: &PgPool,
    username: &str,
    target: &SignupTarget,
    api: &SignupApi<'_>,
    may_use_org: impl Fn(&str) -> bool,
    may_approve: bool,
) -> AppResult<SignupResult> {
    let mut tx = pool.begin().await?;
    let (org, client, version) = match target {
        SignupTarget::Existing {
            org,
            client,
            version,
        } => {
            if !may_use_org(org) {
                return Err(AppError::Forbidden);
            }
            (org.clone(), client.clone(), version.clone())
        }
        SignupTarget::New { org, name, version } => {
            let org = match org {
                Some(o) if may_use_org(o) => o.clone(),
                Some(_) => return Err(AppError::Forbidden),
                None => personal_org(&mut tx, username).await?,
            };
            let id = crate::domain::ids::slug_from_name(name);
            crate::domain::ids::validate_id("name", &id).map_err(|_| {
                AppError::field("name", "Give the client a name with letters or digits.")
            })?;
            clients::create_in(&mut tx, username, &org, &id, name, "", version)
                .await
                .map_err(|e| match e {
                    AppError::Field(fe) if fe.field == "id" => AppError::field("name", fe.message),
                    other => other,
                })?;
            (org, id, version.clone())
        }
    };
    let locked = clients::lock_version(&mut tx, &org, &client, &version).await?;
    let contract = NewContract {
        client_org: &org,
        client: &client,
        client_version: &version,
        api_org: api.org,
        api: api.api,
        api_version: api.version,
        plan: api.plan,
        plan_version: api.plan_version,
    };
    let (_, status) =
        contracts::create_locked(&mut tx, username, &contract, &locked, may_approve).await?;
    let mut api_key = None;
    if status == ContractStatus::Active {
        let now = clients::lock_by_id(&mut tx, locked.id).await?;
        if client_rules::can_register(now.status, now.changed, 0).is_ok() {
            clients::register_locked(&mut tx, username, &org, &client, &version, &now).await?;
        }
        let (key,): (String,) = sqlx::query_as("SELECT api_key FROM client_versions WHERE id = $1")
            .bind(locked.id)
            .fetch_one(&mut *tx)
            .await?;
        api_key = Some(key);
    }
    tx.commit().await?;
    Ok(SignupResult {
        status,
        client_org: org,
        client_id: client,
        client_version: version,
        api_key,
        endpoint_path: gateway_path(api.org, api.api, api.version),
    })
}

/// The user's personal organization, created with them as Owner if they have none yet. It is
/// found by the mark the system sets when creating it, never by its name: anyone can create an
/// organization called `bob-personal` and add bob to it.
async fn personal_org(tx: &mut PgConnection, username: &str) -> AppResult<String> {
    // Two first sign-ups of the same user at once must not create two organizations.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('personal-org:' || $1))")
        .bind(username)
        .execute(&mut *tx)
        .await?;
    let existing: Option<(String, bool)> = sqlx::query_as(
        "SELECT o.id, EXISTS (SELECT 1 FROM memberships m
                              WHERE m.org_id = o.id AND m.username = $1 AND m.role = $2)
         FROM organizations o WHERE o.personal_of = $1",
    )
    .bind(username)
    .bind(Role::Owner)
    .fetch_optional(&mut *tx)
    .await?;
    match existing {
        Some((id, true)) => return Ok(id),
        Some((id, false)) => {
            return Err(AppError::Conflict(format!(
                "You are no longer an Owner of your personal organization {id}: choose another organization or ask an administrator."
            )));
        }
        None => {}
    }
    let base = personal_org_id(username);
    for n in 0..20 {
        let id = if n == 0 {
            base.clone()
        } else {
            format!("{base}{n}")
        };
        let taken: Option<(String,)> =
            sqlx::query_as("SELECT id FROM organizations WHERE lower(id) = lower($1)")
                .bind(&id)
                .fetch_optional(&mut *tx)
                .await?;
        if taken.is_none() {
            orgs::create_in(
                tx,
                username,
                &id,
                &format!("{username} (personal)"),
                "Created for your Developer Portal sign-ups.",
            )
            .await?;
            orgs::mark_personal(tx, &id, username).await?;
            return Ok(id);
        }
    }
    Err(AppError::Conflict(
        "No personal organization could be created: ask an administrator.".into(),
    ))
}
