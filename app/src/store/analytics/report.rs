//! The charts and "top" tables: sums over the rollup a window picks, grouped by chart bucket
//! (`date_bin` from the window's start) and status, or by client, API or plan version.

use chrono::{DateTime, Duration, Utc};
use sqlx::{PgPool, Postgres, QueryBuilder};

use super::{Scope, parties, rollup, series, status};
use crate::domain::analytics::chart::Group;
use crate::domain::analytics::report::LogChoices;
use crate::domain::analytics::window::{Source, Window};
use crate::domain::refs::{Kind, VersionRef};
use crate::error::AppResult;

#[derive(sqlx::FromRow)]
struct GroupRow {
    at: DateTime<Utc>,
    status: i16,
    requests: i64,
    bytes_in: i64,
    bytes_out: i64,
    hist: Vec<i64>,
}

impl From<GroupRow> for Group {
    fn from(r: GroupRow) -> Self {
        Group {
            at: r.at,
            status: status(r.status),
            requests: r.requests,
            bytes_in: r.bytes_in,
            bytes_out: r.bytes_out,
            hist: r.hist,
        }
    }
}

/// The window's time condition on the rollup's time column.
fn push_window(q: &mut QueryBuilder<'_, Postgres>, time: &'static str, window: &Window) {
    q.push(format_args!(" AND r.{time} >= "));
    q.push_bind(window.from);
    q.push(format_args!(" AND r.{time} < "));
    q.push_bind(window.to);
}

/// The sums a chart is drawn from, grouped by bucket and status (`chart::traffic` makes the
/// chart), and with `by_pair` also by (client version, API version).
fn chart_query<'a>(scope: &Scope, window: &Window, by_pair: bool) -> QueryBuilder<'a, Postgres> {
    // An API's or organization's chart needs no client, plan or method: the series say it all.
    let (table, time) = match (scope, by_pair) {
        (Scope::Api(_) | Scope::Org(_), false) => series(window.source),
        _ => rollup(window.source),
    };
    let mut q = QueryBuilder::new("SELECT date_bin(make_interval(secs => ");
    q.push_bind(window.step_secs as f64);
    q.push(format_args!("), r.{time}, "));
    q.push_bind(window.from);
    q.push(
        ") AS at, r.status, sum(r.requests)::BIGINT AS requests,
         sum(r.bytes_in)::BIGINT AS bytes_in, sum(r.bytes_out)::BIGINT AS bytes_out,
         analytics_hist_sum(r.latency_hist) AS hist",
    );
    if by_pair {
        q.push(", r.client_version_id AS client, r.api_version_id AS api");
    }
    q.push(format_args!(" FROM {table} r WHERE "));
    scope.push(&mut q, "r");
    push_window(&mut q, time, window);
    q.push(" GROUP BY 1, 2");
    if by_pair {
        q.push(", r.client_version_id, r.api_version_id");
    }
    q
}

/// The chart groups of `scope` over `window`.
pub async fn groups(pool: &PgPool, scope: &Scope, window: &Window) -> AppResult<Vec<Group>> {
    let rows: Vec<GroupRow> = chart_query(scope, window, false)
        .build_query_as()
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(Group::from).collect())
}

#[derive(sqlx::FromRow)]
struct PairRow {
    #[sqlx(flatten)]
    group: GroupRow,
    client: i64,
    api: i64,
}

/// The chart groups of client versions' calls, each with its (client version, API version).
pub async fn client_groups(
    pool: &PgPool,
    clients: &[i64],
    window: &Window,
) -> AppResult<Vec<((i64, i64), Group)>> {
    let scope = Scope::Clients(clients.to_vec());
    let rows: Vec<PairRow> = chart_query(&scope, window, true)
        .build_query_as()
        .fetch_all(pool)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| ((r.client, r.api), r.group.into()))
        .collect())
}

/// What a "top" table ranks traffic by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Client,
    Api,
    Plan,
}

impl By {
    /// The rollup column, the version table and its column naming the entity, what names a
    /// plan, and the join that brings it. Static text only.
    fn sql(self) -> [&'static str; 5] {
        match self {
            By::Client => [
                "client_version_id",
                "client_versions",
                "client_id",
                "NULL::TEXT",
                "",
            ],
            By::Api => ["api_version_id", "api_versions", "api_id", "NULL::TEXT", ""],
            By::Plan => [
                "plan_version_id",
                "plan_versions",
                "plan_id",
                "p.name",
                "LEFT JOIN plans p ON p.org_id = v.org_id AND p.id = v.plan_id",
            ],
        }
    }

    /// The console pages of what it ranks.
    pub fn kind(self) -> Kind {
        match self {
            By::Client => Kind::Client,
            By::Api => Kind::Api,
            By::Plan => Kind::Plan,
        }
    }
}

/// The most rows a ranking without a limit of its own returns (plans, filter choices).
pub const MAX_RANKED: i64 = 1_000;

/// One row of a "top" table as stored: the version (none: no client or plan), its reference
/// while it exists, a plan's name, and its requests and errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    pub id: Option<i64>,
    pub version: Option<VersionRef>,
    pub plan_name: Option<String>,
    pub requests: i64,
    pub errors: i64,
}

#[derive(sqlx::FromRow)]
struct RankedRow {
    id: Option<i64>,
    org_id: Option<String>,
    entity_id: Option<String>,
    version: Option<String>,
    name: Option<String>,
    requests: i64,
    errors: i64,
}

/// The `limit` busiest clients, APIs or plans of `scope` over `window`, busiest
/// first; traffic without a client or plan is one row with no id.
pub async fn top(
    pool: &PgPool,
    scope: &Scope,
    window: &Window,
    by: By,
    limit: i64,
) -> AppResult<Vec<Ranked>> {
    let (table, time) = parties(window.source);
    let [column, versions, entity, name, join] = by.sql();
    let mut q = QueryBuilder::new(format!(
        "WITH t AS (SELECT r.{column} AS id, sum(r.requests)::BIGINT AS requests,
                           sum(r.errors)::BIGINT AS errors
                    FROM {table} r WHERE "
    ));
    scope.push(&mut q, "r");
    push_window(&mut q, time, window);
    q.push(format_args!(
        " GROUP BY r.{column} ORDER BY requests DESC, id NULLS LAST LIMIT "
    ));
    q.push_bind(limit.clamp(1, MAX_RANKED));
    q.push(format_args!(
        ") SELECT t.id, v.org_id, v.{entity} AS entity_id, v.version, {name} AS name,
                  t.requests, t.errors
         FROM t LEFT JOIN {versions} v ON v.id = t.id {join}
         ORDER BY t.requests DESC, t.id NULLS LAST"
    ));
    let rows: Vec<RankedRow> = q.build_query_as().fetch_all(pool).await?;
    Ok(rows.into_iter().map(ranked).collect())
}

fn ranked(r: RankedRow) -> Ranked {
    let version = match (r.org_id, r.entity_id, r.version) {
        (Some(org), Some(id), Some(version)) => Some(VersionRef::new(org, id, version)),
        _ => None,
    };
    Ranked {
        id: r.id,
        version,
        plan_name: r.name,
        requests: r.requests,
        errors: r.errors,
    }
}

/// Days of traffic the Log Analyzer's filter choices come from.
pub const CHOICE_DAYS: i64 = 30;

/// The client and plan versions seen in `scope`'s hour rollups over the `CHOICE_DAYS` days
/// before `now`, by label; deleted versions are left out (their rows still match by id).
pub async fn choices(pool: &PgPool, scope: &Scope, now: DateTime<Utc>) -> AppResult<LogChoices> {
    let window = Window {
        from: now - Duration::days(CHOICE_DAYS),
        to: now + Duration::hours(1),
        step_secs: 3_600,
        source: Source::Hours,
    };
    let label = |r: Ranked| {
        let v = r.version?;
        let label = match r.plan_name {
            Some(name) => format!("{name} {}", v.version),
            None => v.to_string(),
        };
        Some((r.id?, label))
    };
    let mut out = LogChoices::default();
    for (by, list) in [(By::Client, &mut out.clients), (By::Plan, &mut out.plans)] {
        let rows = top(pool, scope, &window, by, MAX_RANKED).await?;
        *list = rows.into_iter().filter_map(label).collect();
        list.sort_by_cached_key(|a| a.1.to_lowercase());
    }
    Ok(out)
}

/// The references of API versions by row id (deleted ones are missing).
pub async fn api_versions(pool: &PgPool, ids: &[i64]) -> AppResult<Vec<(i64, VersionRef)>> {
    let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT id, org_id, api_id, version FROM api_versions WHERE id = ANY($1) ORDER BY id",
    )
    .bind(ids)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, org, api, version)| (id, VersionRef::new(org, api, version)))
        .collect())
}

/// A contract of one of the client versions: (client version, API version, "Plan 1.0").
pub async fn contracts_of(pool: &PgPool, clients: &[i64]) -> AppResult<Vec<(i64, i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT c.client_version_id, c.api_version_id, p.name || ' ' || pv.version
         FROM contracts c
         JOIN plan_versions pv ON pv.id = c.plan_version_id
         JOIN plans p ON p.org_id = pv.org_id AND p.id = pv.plan_id
         WHERE c.client_version_id = ANY($1)
         ORDER BY c.client_version_id, c.api_version_id",
    )
    .bind(clients)
    .fetch_all(pool)
    .await?)
}

/// Every client version of the organizations `username` belongs to: the clients the portal's
/// My Clients lists (`store::my_clients`), by organization, client and version age.
pub async fn member_client_versions(
    pool: &PgPool,
    username: &str,
) -> AppResult<Vec<(i64, VersionRef)>> {
    let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT v.id, v.org_id, v.client_id, v.version
         FROM memberships m
         JOIN client_versions v ON v.org_id = m.org_id
         WHERE m.username = $1
         ORDER BY lower(v.org_id), v.org_id, lower(v.client_id), v.client_id, v.created_at, v.id",
    )
    .bind(username)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, org, client, version)| (id, VersionRef::new(org, client, version)))
        .collect())
}

/// The organizations `username` belongs to, with their role there.
pub async fn memberships(
    pool: &PgPool,
    username: &str,
) -> AppResult<Vec<(String, crate::domain::roles::Role)>> {
    Ok(
        sqlx::query_as("SELECT org_id, role FROM memberships WHERE username = $1")
            .bind(username)
            .fetch_all(pool)
            .await?,
    )
}
