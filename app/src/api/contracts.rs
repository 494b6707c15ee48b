//! Contracts and their approval.

use leptos::prelude::*;

use crate::domain::catalog::{ContractStatus, ContractView, ContractableApi};
use crate::domain::paging::{Page, PageRequest};
use crate::domain::refs::VersionRef;
use crate::error::AppError;

#[cfg(feature = "ssr")]
pub mod service;

#[cfg(feature = "ssr")]
mod ssr {
    use crate::auth::guard::actor;
    use crate::domain::catalog::ContractView;
    use crate::domain::model::SessionUser;
    use crate::domain::roles::Permission;
    use crate::error::{AppError, AppResult};
    use crate::state::AppState;

    /// Whether `user` may approve contracts on plans of `plan_org`.
    pub async fn may_approve(
        state: &AppState,
        user: &SessionUser,
        plan_org: &str,
    ) -> AppResult<bool> {
        let role = crate::store::orgs::role_of(&state.pool, plan_org, &user.username).await?;
        Ok(actor(user).may(role, Permission::EditPlans))
    }

    pub async fn contract(state: &AppState, id: i64) -> AppResult<ContractView> {
        crate::store::contracts::get(&state.pool, id)
            .await?
            .ok_or_else(|| AppError::not_found("That contract does not exist (any more)."))
    }

    /// The contract, once the caller is known to be allowed to decide on it.
    pub async fn for_approver(id: i64) -> AppResult<(AppState, SessionUser, ContractView)> {
        let state = crate::state::state()?;
        let user = crate::auth::require_console_user(&state).await?;
        let contract = contract(&state, id).await?;
        // Plans belong to the API's organization, so the plan's org is the API's.
        if !may_approve(&state, &user, &contract.api_org).await? {
            return Err(AppError::Forbidden);
        }
        Ok((state, user, contract))
    }
}

/// Creates a contract from a client version to an API version through one of its plans (a
/// version of a plan of the API's organization: `plan` and `plan_version` name it there).
#[server]
pub async fn create_contract(
    client: VersionRef,
    api: VersionRef,
    plan: String,
    plan_version: String,
) -> Result<ContractStatus, AppError> {
    use crate::domain::roles::Permission;
    use service::NewContract;
    let (state, user, _) = super::in_org(&client.org, Permission::EditClients).await?;
    let may_approve = ssr::may_approve(&state, &user, &api.org).await?;
    // Plans belong to the API's organization.
    let new = NewContract {
        plan: VersionRef::new(api.org.clone(), plan, plan_version),
        client,
        api,
    };
    service::create(&state.pool, &user.username, &new, may_approve)
        .await
        .map(|(_, status)| status)
}

#[server]
pub async fn delete_contract(id: i64) -> Result<(), AppError> {
    use crate::domain::roles::Permission;
    let state = crate::state::state()?;
    let user = crate::auth::require_console_user(&state).await?;
    let contract = ssr::contract(&state, id).await?;
    crate::auth::authorize(&state, &user, &contract.client_org, Permission::EditClients).await?;
    service::delete(&state.pool, &user.username, &contract).await
}

/// One page of the contracts with one API version (its Contracts tab).
#[server(input = server_fn::codec::Json)]
pub async fn api_contracts(
    org: String,
    api: String,
    version: String,
    page: PageRequest,
) -> Result<Page<ContractView>, AppError> {
    use crate::domain::roles::Permission;
    let (state, ..) = super::in_org(&org, Permission::View).await?;
    let query = page.check()?;
    let v = VersionRef::new(org, api, version);
    crate::store::contracts::for_api_version(&state.pool, &v, &query).await
}

/// Published private API versions and their plans, to choose from when creating a contract.
#[server(input = server_fn::codec::Json)]
pub async fn contractable_apis(page: PageRequest) -> Result<Page<ContractableApi>, AppError> {
    let state = crate::state::state()?;
    crate::auth::require_user(&state).await?;
    let query = page.check()?;
    crate::store::contractable::contractable(&state.pool, &query).await
}

/// Contracts waiting for the caller's approval (plans of organizations they may edit plans in).
#[server(input = server_fn::codec::Json)]
pub async fn approval_requests(page: PageRequest) -> Result<Page<ContractView>, AppError> {
    use crate::domain::roles::{Permission, Role};
    let state = crate::state::state()?;
    let user = crate::auth::require_console_user(&state).await?;
    let query = page.check()?;
    let approvers: Vec<Role> = Role::ALL
        .into_iter()
        .filter(|r| r.allows(Permission::EditPlans))
        .collect();
    let scope = (!user.is_admin).then_some((user.username.as_str(), approvers.as_slice()));
    crate::store::contracts::awaiting(&state.pool, scope, &query).await
}

#[server]
pub async fn approve_contract(id: i64) -> Result<(), AppError> {
    let (state, user, contract) = ssr::for_approver(id).await?;
    service::approve(&state.pool, &user.username, &contract).await
}

#[server]
pub async fn reject_contract(id: i64, reason: String) -> Result<(), AppError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::field(
            "reason",
            "Tell the requester why the request is rejected.",
        ));
    }
    if reason.chars().count() > 500 {
        return Err(AppError::field(
            "reason",
            "A reason has at most 500 characters.",
        ));
    }
    let (state, user, contract) = ssr::for_approver(id).await?;
    service::reject(&state.pool, &user.username, &contract, reason).await
}
