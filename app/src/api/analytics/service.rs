//! The analytics use cases (reading only): windows and searches checked once, reports put
//! together from a fixed number of queries, labels and links as the viewer may see them.

use std::collections::{BTreeMap, HashMap};

use chrono::Utc;

use crate::domain::analytics::chart::{self, Group, NO_CLIENT, NO_PLAN, TOP};
use crate::domain::analytics::log::{LogFilter, LogQuery};
use crate::domain::analytics::report::{ApiMetrics, ApiUsage, OrgMetrics, Share, UsageClient};
use crate::domain::analytics::window::{Range, Window};
use crate::domain::refs::{Kind, VersionRef};
use crate::domain::roles::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::PgPool;
use crate::store::analytics::report::{self as store, By, MAX_RANKED, Ranked};
use crate::store::analytics::{self as analytics, Scope};

/// The window `range` means now, with minute rollups kept `minute_days` days
/// (`domain::analytics::DEFAULT_MINUTE_DAYS` unless configured otherwise).
pub fn window(range: Range, minute_days: i64) -> AppResult<Window> {
    Ok(range.window(Utc::now(), minute_days)?)
}

/// A log search's window and checked filter.
pub fn search(range: Range, query: &LogQuery, minute_days: i64) -> AppResult<(Window, LogFilter)> {
    Ok((window(range, minute_days)?, query.check()?))
}

/// The scope of one API version; "not found" when it does not exist.
pub async fn api_scope(pool: &PgPool, api: &VersionRef) -> AppResult<Scope> {
    analytics::api_version_id(pool, api)
        .await?
        .map(Scope::Api)
        .ok_or_else(|| {
            AppError::not_found(format!(
                "There is no version {} of API {}.",
                api.version, api.id
            ))
        })
}

/// Which organizations' console pages the viewer may open.
pub struct Viewer {
    admin: bool,
    orgs: Vec<String>,
}

impl Viewer {
    pub async fn of(pool: &PgPool, actor: &Actor) -> AppResult<Self> {
        let orgs = store::memberships(pool, &actor.username)
            .await?
            .into_iter()
            .filter(|(_, role)| actor.may(Some(*role), Permission::View))
            .map(|(org, _)| org)
            .collect();
        Ok(Self {
            admin: actor.is_admin,
            orgs,
        })
    }

    fn sees(&self, org: &str) -> bool {
        self.admin || self.orgs.iter().any(|o| o == org)
    }

    /// A version's console page, when the viewer may see it.
    fn href(&self, v: &VersionRef, kind: Kind) -> Option<String> {
        self.sees(&v.org).then(|| v.console_url(kind))
    }
}

/// A "top" table row as shown: "org/id/version", "Gold 1.0", "#12 (deleted)", "(no client)".
pub fn share(r: Ranked, by: By, viewer: &Viewer) -> Share {
    let label = match (&r.version, &r.plan_name, r.id) {
        (Some(v), Some(name), _) => format!("{name} {}", v.version),
        (Some(v), None, _) => v.to_string(),
        (None, _, Some(id)) => chart::version_label(None, id),
        (None, _, None) if by == By::Plan => NO_PLAN.to_string(),
        (None, _, None) => NO_CLIENT.to_string(),
    };
    Share {
        label,
        href: r.version.as_ref().and_then(|v| viewer.href(v, by.kind())),
        requests: r.requests,
        errors: r.errors,
    }
}

async fn ranking(
    pool: &PgPool,
    viewer: &Viewer,
    (scope, window): (&Scope, &Window),
    by: By,
    limit: i64,
) -> AppResult<Vec<Share>> {
    let rows = store::top(pool, scope, window, by, limit).await?;
    Ok(rows.into_iter().map(|r| share(r, by, viewer)).collect())
}

pub async fn api_metrics(
    pool: &PgPool,
    actor: &Actor,
    api: &VersionRef,
    window: Window,
) -> AppResult<ApiMetrics> {
    let scope = api_scope(pool, api).await?;
    let viewer = Viewer::of(pool, actor).await?;
    let groups = store::groups(pool, &scope, &window).await?;
    let at = (&scope, &window);
    Ok(ApiMetrics {
        traffic: chart::traffic(window, &groups),
        top_clients: ranking(pool, &viewer, at, By::Client, TOP).await?,
        plans: ranking(pool, &viewer, at, By::Plan, MAX_RANKED).await?,
    })
}

pub async fn org_metrics(
    pool: &PgPool,
    actor: &Actor,
    org: &str,
    window: Window,
) -> AppResult<OrgMetrics> {
    let scope = Scope::Org(org.to_string());
    let viewer = Viewer::of(pool, actor).await?;
    let groups = store::groups(pool, &scope, &window).await?;
    let at = (&scope, &window);
    Ok(OrgMetrics {
        traffic: chart::traffic(window, &groups),
        top_apis: ranking(pool, &viewer, at, By::Api, TOP).await?,
        top_clients: ranking(pool, &viewer, at, By::Client, TOP).await?,
    })
}

/// Where the API links of a usage report go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Links {
    /// The console's API page, for viewers who may see it.
    Console,
    /// The portal's API page.
    Portal,
}

/// One client version's use of each API version (see `usage`).
pub async fn client_usage(
    state: &AppState,
    actor: &Actor,
    client: &VersionRef,
    window: Window,
) -> AppResult<Vec<ApiUsage>> {
    let id = analytics::client_version_id(&state.pool, client)
        .await?
        .ok_or_else(|| {
            AppError::not_found(format!(
                "There is no version {} of client {}.",
                client.version, client.id
            ))
        })?;
    let viewer = Viewer::of(&state.pool, actor).await?;
    let mut usage = usage(state, &viewer, &[id], window, Links::Console).await?;
    Ok(usage.remove(&id).unwrap_or_default())
}

/// The portal's Usage page: the client versions of every organization `actor` belongs to.
pub async fn my_usage(
    state: &AppState,
    actor: &Actor,
    window: Window,
) -> AppResult<Vec<UsageClient>> {
    let clients = store::member_client_versions(&state.pool, &actor.username).await?;
    let ids: Vec<i64> = clients.iter().map(|(id, _)| *id).collect();
    let viewer = Viewer {
        admin: false,
        orgs: Vec::new(),
    };
    let mut usage = usage(state, &viewer, &ids, window, Links::Portal).await?;
    Ok(clients
        .into_iter()
        .map(|(id, v)| UsageClient {
            client: v.to_string(),
            apis: usage.remove(&id).unwrap_or_default(),
        })
        .collect())
}

/// For each client version, one entry per API version it has a contract with or called in the
/// window, by label: a fixed number of queries whatever the number of clients and APIs, then the
/// gateway's counters for each contract.
async fn usage(
    state: &AppState,
    viewer: &Viewer,
    clients: &[i64],
    window: Window,
    links: Links,
) -> AppResult<HashMap<i64, Vec<ApiUsage>>> {
    if clients.is_empty() {
        return Ok(HashMap::new());
    }
    let pool = &state.pool;
    let mut pairs: BTreeMap<(i64, i64), (Option<String>, Vec<Group>)> = BTreeMap::new();
    for (client, api, plan) in store::contracts_of(pool, clients).await? {
        pairs.entry((client, api)).or_default().0 = Some(plan);
    }
    for (pair, group) in store::client_groups(pool, clients, &window).await? {
        pairs.entry(pair).or_default().1.push(group);
    }
    let api_ids: Vec<i64> = pairs.keys().map(|(_, api)| *api).collect();
    let apis: HashMap<i64, VersionRef> = store::api_versions(pool, &api_ids)
        .await?
        .into_iter()
        .collect();
    let mut out: HashMap<i64, Vec<ApiUsage>> = HashMap::new();
    for ((client, api), (plan, groups)) in pairs {
        let version = apis.get(&api);
        let href = version.and_then(|v| match links {
            Links::Console => viewer.href(v, Kind::Api),
            Links::Portal => Some(v.portal_url(None)),
        });
        let limits = match (&state.limits, &plan) {
            (Some(probe), Some(_)) => probe.limits(client, api).await,
            _ => Vec::new(),
        };
        out.entry(client).or_default().push(ApiUsage {
            api: version.map_or_else(|| chart::version_label(None, api), |v| v.to_string()),
            href,
            plan,
            traffic: chart::traffic(window, &groups),
            limits,
        });
    }
    for list in out.values_mut() {
        list.sort_by_cached_key(|a| a.api.to_lowercase());
    }
    Ok(out)
}
