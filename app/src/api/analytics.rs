//! Gateway analytics: the Metrics tabs of APIs and clients, the organization overview, the Log
//! Analyzer and the portal's Usage page. Reading only; every function checks who is calling
//! first. API and organization analytics are for the organization's members (any role) and
//! administrators, a client's for its organization's members; the portal's Usage page shows the
//! caller's own clients only. The CSV export (`export.rs`) follows the same rules.

use leptos::prelude::*;

use crate::domain::analytics::log::{Cursor, LogPage, LogQuery};
// By path: each `#[server]` function defines an argument struct named like its result
// (`api_metrics` -> `ApiMetrics`).
use crate::domain::analytics::report::{self, UsageClient};
use crate::domain::analytics::window::Range;
use crate::domain::refs::VersionRef;
use crate::error::AppError;

#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod service;

/// An API version's traffic, its top clients and its traffic by plan.
#[server(input = server_fn::codec::Json)]
pub async fn api_metrics(api: VersionRef, range: Range) -> Result<report::ApiMetrics, AppError> {
    use crate::auth::guard::actor;
    use crate::domain::roles::Permission;
    let (state, user, _) = super::in_org(&api.org, Permission::View).await?;
    let window = service::window(range, state.analytics_minute_days)?;
    service::api_metrics(&state.pool, &actor(&user), &api, window).await
}

/// A client version's use of each API version it has a contract with or called in the window.
#[server(input = server_fn::codec::Json)]
pub async fn client_metrics(
    client: VersionRef,
    range: Range,
) -> Result<report::ClientMetrics, AppError> {
    use crate::auth::guard::actor;
    use crate::domain::roles::Permission;
    let (state, user, _) = super::in_org(&client.org, Permission::View).await?;
    let window = service::window(range, state.analytics_minute_days)?;
    let apis = service::client_usage(&state, &actor(&user), &client, window).await?;
    Ok(report::ClientMetrics { apis })
}

/// The traffic of all the organization's API versions, the busiest APIs and clients.
#[server(input = server_fn::codec::Json)]
pub async fn org_metrics(org: String, range: Range) -> Result<report::OrgMetrics, AppError> {
    use crate::auth::guard::actor;
    use crate::domain::roles::Permission;
    let (state, user, _) = super::in_org(&org, Permission::View).await?;
    let window = service::window(range, state.analytics_minute_days)?;
    service::org_metrics(&state.pool, &actor(&user), &org, window).await
}

/// One page of an API version's request log, newest first, after `after`.
#[server(input = server_fn::codec::Json)]
pub async fn api_log(
    api: VersionRef,
    range: Range,
    query: LogQuery,
    after: Option<Cursor>,
) -> Result<LogPage, AppError> {
    use crate::domain::roles::Permission;
    let (state, ..) = super::in_org(&api.org, Permission::View).await?;
    let (window, filter) = service::search(range, &query, state.analytics_minute_days)?;
    let scope = service::api_scope(&state.pool, &api).await?;
    crate::store::analytics::log::page(&state.pool, &scope, &window, &filter, after).await
}

/// One page of the request log of all the organization's API versions, newest first.
#[server(input = server_fn::codec::Json)]
pub async fn org_log(
    org: String,
    range: Range,
    query: LogQuery,
    after: Option<Cursor>,
) -> Result<LogPage, AppError> {
    use crate::domain::roles::Permission;
    use crate::store::analytics::Scope;
    let (state, ..) = super::in_org(&org, Permission::View).await?;
    let (window, filter) = service::search(range, &query, state.analytics_minute_days)?;
    let scope = Scope::Org(org);
    crate::store::analytics::log::page(&state.pool, &scope, &window, &filter, after).await
}

/// The clients and plans seen over the last 30 days in an API version's traffic (`api`), or
/// in that of all the organization's API versions: the Log Analyzer's filter choices.
#[server(input = server_fn::codec::Json)]
pub async fn log_choices(
    api: Option<VersionRef>,
    org: String,
) -> Result<report::LogChoices, AppError> {
    use crate::domain::roles::Permission;
    use crate::store::analytics::Scope;
    let scope_org = api.as_ref().map_or(org.as_str(), |a| a.org.as_str());
    let (state, ..) = super::in_org(scope_org, Permission::View).await?;
    let scope = match &api {
        Some(api) => service::api_scope(&state.pool, api).await?,
        None => Scope::Org(org),
    };
    crate::store::analytics::report::choices(&state.pool, &scope, chrono::Utc::now()).await
}

/// The portal's Usage page: every client version of the organizations whose clients the
/// caller sees in My Clients, with the APIs each uses.
#[server(input = server_fn::codec::Json)]
pub async fn my_usage(range: Range) -> Result<Vec<UsageClient>, AppError> {
    use crate::auth::guard::actor;
    let state = crate::state::state()?;
    let user = crate::auth::require_user(&state).await?;
    let window = service::window(range, state.analytics_minute_days)?;
    service::my_usage(&state, &actor(&user), window).await
}
