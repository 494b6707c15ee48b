//! Plans: create, list, view a version, lock, new version.

use leptos::prelude::*;

use crate::domain::catalog::{PlanChoice, PlanSummary, PlanVersionView};
use crate::domain::paging::{Page, PageRequest};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::domain::refs::VersionRef;

#[cfg(feature = "ssr")]
pub mod service;

/// Creates the plan with its first version; returns the plan id.
#[server]
pub async fn create_plan(
    org: String,
    id: String,
    name: String,
    version: String,
    description: String,
) -> Result<String, AppError> {
    use crate::domain::roles::Permission;
    let (state, user, _) = super::in_org(&org, Permission::EditPlans).await?;
    let new = super::new_entity(&org, (&id, &name, &version, &description))?;
    service::create(&state.pool, &user.username, &new).await?;
    Ok(new.id.to_string())
}

/// One page of the organization's plans whose name or id contains the filter.
#[server(input = server_fn::codec::Json)]
pub async fn list_plans(org: String, page: PageRequest) -> Result<Page<PlanSummary>, AppError> {
    use crate::domain::roles::Permission;
    let (state, ..) = super::in_org(&org, Permission::View).await?;
    let query = page.check()?;
    crate::store::plans::list(&state.pool, &org, &query).await
}

#[server]
pub async fn get_plan_version(
    org: String,
    plan: String,
    version: String,
) -> Result<PlanVersionView, AppError> {
    use crate::auth::guard::actor;
    use crate::domain::roles::Permission;
    let (state, user, role) = super::in_org(&org, Permission::View).await?;
    let v = VersionRef::new(org, plan, version);
    let mut view = crate::store::plans::view(&state.pool, &v)
        .await?
        .ok_or_else(|| {
            AppError::not_found(format!(
                "There is no version {} of plan {}.",
                v.version, v.id
            ))
        })?;
    view.can_edit = actor(&user).may(role, Permission::EditPlans);
    Ok(view)
}

#[server]
pub async fn lock_plan(org: String, plan: String, version: String) -> Result<(), AppError> {
    use crate::domain::roles::Permission;
    let (state, user, _) = super::in_org(&org, Permission::EditPlans).await?;
    let v = VersionRef::new(org, plan, version);
    service::lock(&state.pool, &user.username, &v).await
}

#[server]
pub async fn new_plan_version(
    org: String,
    plan: String,
    from_version: String,
    version: String,
) -> Result<(), AppError> {
    use crate::domain::{ids, roles::Permission};
    let (state, user, _) = super::in_org(&org, Permission::EditPlans).await?;
    let version = version.trim();
    ids::validate_version("version", version)?;
    let from = VersionRef::new(org, plan, from_version);
    service::new_version(&state.pool, &user.username, &from, version).await
}

/// Locked plan versions an API of this organization may offer.
#[server(input = server_fn::codec::Json)]
pub async fn plan_choices(org: String, page: PageRequest) -> Result<Page<PlanChoice>, AppError> {
    use crate::domain::roles::Permission;
    let (state, ..) = super::in_org(&org, Permission::View).await?;
    let query = page.check()?;
    crate::store::plans::locked_choices(&state.pool, &org, &query).await
}
