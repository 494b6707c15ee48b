//! The Developer Portal: browse APIs, sign up for plans, My Clients, and self sign-up for
//! portal accounts. Open to every signed-in user, portal-only users included.

use leptos::prelude::*;

use crate::domain::model::SessionUser;
use crate::domain::paging::{Page, PageRequest};
use crate::domain::portal::{
    MyClient, PortalApiCard, PortalApiDetails, SignupOrg, SignupResult, SignupTarget,
};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::domain::refs::{EntityRef, VersionRef};

#[cfg(feature = "ssr")]
pub mod service;

/// The gateway's public base URL, which managed endpoints start with. Not a secret: the
/// portal shows it to every visitor of an API page.
#[server]
pub async fn gateway_base_url() -> Result<String, AppError> {
    Ok(crate::state::state()?.gateway_url.to_string())
}

/// One page of the featured APIs, for the portal's home.
#[server(input = server_fn::codec::Json)]
pub async fn featured_apis(page: PageRequest) -> Result<Page<PortalApiCard>, AppError> {
    let state = crate::state::state()?;
    crate::auth::require_user(&state).await?;
    let query = page.check()?;
    crate::store::portal::apis(&state.pool, &query, true).await
}

/// One page of the APIs the portal shows whose name, description or organization contains the
/// filter.
#[server(input = server_fn::codec::Json)]
pub async fn search_portal_apis(page: PageRequest) -> Result<Page<PortalApiCard>, AppError> {
    let state = crate::state::state()?;
    crate::auth::require_user(&state).await?;
    let query = page.check()?;
    crate::store::portal::apis(&state.pool, &query, false).await
}

/// One API's details; `version` empty means the newest published version.
#[server]
pub async fn portal_api(
    org: String,
    api: String,
    version: String,
) -> Result<PortalApiDetails, AppError> {
    let state = crate::state::state()?;
    crate::auth::require_user(&state).await?;
    // The portal's links leave `version` out for the newest one, which arrives here as "".
    let version = (!version.is_empty()).then_some(version.as_str());
    let api = EntityRef::new(org, api);
    let unpublished = || AppError::not_found(format!("{api} is not published in the portal."));
    let details = crate::store::portal::api(&state.pool, &api, version)
        .await?
        .ok_or_else(unpublished)?;
    // Only what the portal lists: public APIs or APIs that offer plans.
    if !details.public && details.plans.is_empty() {
        return Err(unpublished());
    }
    Ok(details)
}

/// One page of the organizations (and their clients) where the caller may create clients.
#[server(input = server_fn::codec::Json)]
pub async fn signup_organizations(page: PageRequest) -> Result<Page<SignupOrg>, AppError> {
    use crate::auth::guard::actor;
    let state = crate::state::state()?;
    let user = crate::auth::require_user(&state).await?;
    let query = page.check()?;
    crate::store::my_clients::signup_orgs(&state.pool, &actor(&user), &query).await
}

/// Signs `target` up for `plan` of an API version: creates what is missing, the contract, and
/// registers the client at once when no approval is needed.
#[server(input = server_fn::codec::Json)]
pub async fn portal_sign_up(
    api_org: String,
    api: String,
    api_version: String,
    plan: String,
    plan_version: String,
    target: SignupTarget,
) -> Result<SignupResult, AppError> {
    use crate::auth::guard::actor;
    use crate::domain::roles::Permission;
    use service::SignupApi;
    let state = crate::state::state()?;
    let user = crate::auth::require_user(&state).await?;
    if let SignupTarget::New { name, version, .. } = &target {
        crate::domain::text::validate_name("name", name.trim())?;
        crate::domain::ids::validate_version("version", version.trim())?;
    }
    let me = actor(&user);
    // The user must be allowed to create clients in the organization the target names (none
    // names a personal organization, which the system creates or finds).
    let target_org = match &target {
        SignupTarget::Existing { org, .. } | SignupTarget::New { org: Some(org), .. } => Some(org),
        SignupTarget::New { org: None, .. } => None,
    };
    if let Some(org) = target_org {
        let role = crate::store::orgs::role_of(&state.pool, org, &user.username).await?;
        if !me.may_in_portal(role, Permission::EditClients) {
            return Err(AppError::Forbidden);
        }
    }
    let api_role = crate::store::orgs::role_of(&state.pool, &api_org, &user.username).await?;
    let may_approve = me.may_in_portal(api_role, Permission::EditPlans);
    let target = match target {
        SignupTarget::New { org, name, version } => SignupTarget::New {
            org,
            name: name.trim().to_string(),
            version: version.trim().to_string(),
        },
        other => other,
    };
    // Plans belong to the API's organization.
    let signup_api = SignupApi {
        plan: VersionRef::new(api_org.clone(), plan, plan_version),
        api: VersionRef::new(api_org, api, api_version),
    };
    service::sign_up(
        &state.pool,
        &user.username,
        &target,
        signup_api,
        may_approve,
    )
    .await
}

#[server(input = server_fn::codec::Json)]
pub async fn my_clients(page: PageRequest) -> Result<Page<MyClient>, AppError> {
    use crate::auth::guard::actor;
    let state = crate::state::state()?;
    let user = crate::auth::require_user(&state).await?;
    let query = page.check()?;
    crate::store::my_clients::my_clients(&state.pool, &actor(&user), &query).await
}

/// Whether visitors may create portal accounts here.
#[server]
pub async fn self_signup_enabled() -> Result<bool, AppError> {
    Ok(crate::state::state()?.self_signup)
}

/// Creates a portal-only account and signs it in.
#[server]
pub async fn create_portal_account(
    username: String,
    display_name: String,
    email: String,
    password: String,
) -> Result<SessionUser, AppError> {
    use crate::auth::{cookie, session};
    use crate::domain::text;
    use crate::store::users::NewUser;
    let state = crate::state::state()?;
    if !state.self_signup {
        return Err(AppError::Conflict(
            "Self sign-up is switched off: ask an administrator for an account.".into(),
        ));
    }
    let (username, display_name, email) = (username.trim(), display_name.trim(), email.trim());
    text::validate_username("username", username)?;
    text::validate_name("display_name", display_name)?;
    if email.is_empty() {
        return Err(AppError::field("email", "Enter your e-mail address."));
    }
    text::validate_email("email", email)?;
    text::validate_password("password", &password)?;
    let hash = crate::auth::password::hash(password.clone()).await?;
    crate::api::users::service::create(
        &state.pool,
        username,
        NewUser {
            username,
            display_name,
            email,
            password_hash: &hash,
            is_admin: false,
            portal_only: true,
        },
    )
    .await?;
    let client = super::session::client_ip();
    let (user, token) = session::sign_in(&state, username, &password, client).await?;
    super::session::set_cookie(&cookie::set(&token, super::session::request_is_https()))?;
    Ok(user)
}
