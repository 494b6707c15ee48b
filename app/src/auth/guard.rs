//! The checks server functions start with: who is calling, and may they do this here.

use leptos::prelude::use_context;

use super::{cookie, token};
use crate::domain::model::SessionUser;
use crate::domain::roles::{Actor, Permission, Role};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store;

/// The signed-in user of the current request, if any.
pub async fn current_user(state: &AppState) -> AppResult<Option<SessionUser>> {
    let Some(parts) = use_context::<http::request::Parts>() else {
        return Ok(None);
    };
    let Some(token) = cookie::read_session(&parts.headers) else {
        return Ok(None);
    };
    store::sessions::user_for(&state.pool, &token::hash(&token)).await
}

pub async fn require_user(state: &AppState) -> AppResult<SessionUser> {
    current_user(state).await?.ok_or(AppError::Unauthenticated)
}

/// A signed-in user who may use the management console (not a portal-only user).
pub async fn require_console_user(state: &AppState) -> AppResult<SessionUser> {
    let user = require_user(state).await?;
    if user.portal_only && !user.is_admin {
        return Err(AppError::Forbidden);
    }
    Ok(user)
}

pub fn actor(user: &SessionUser) -> Actor {
    Actor {
        username: user.username.clone(),
        is_admin: user.is_admin,
        portal_only: user.portal_only,
    }
}

/// Refuses unless `user` holds `permission` in `org_id`; returns their role there.
/// To a non-member, an organization they may not see does not exist: looking at it answers "not
/// found" and changing it "not allowed", whether or not it exists, so ids don't leak (GitHub
/// answers private repositories the same way). Members lacking a right get "not allowed".
pub async fn authorize(
    state: &AppState,
    user: &SessionUser,
    org_id: &str,
    permission: Permission,
) -> AppResult<Option<Role>> {
    let role = store::orgs::role_of(&state.pool, org_id, &user.username).await?;
    if !actor(user).may(role, permission) {
        return Err(refusal(
            org_id,
            role.is_none() && permission == Permission::View,
        ));
    }
    Ok(role)
}

/// "Not found" when the organization is to be hidden from the user, else "not allowed".
fn refusal(org_id: &str, hidden: bool) -> AppError {
    if hidden {
        return AppError::not_found(format!(
            "There is no organization {org_id}, or you are not one of its members."
        ));
    }
    AppError::Forbidden
}

/// As `authorize`, in the portal's sense (`Actor::may_in_portal`): a client's owners act on it
/// from the portal or the console alike. A non-member is always told "not found" here: the
/// portal's actions name organizations that the user may not know exist.
pub async fn authorize_in_portal(
    state: &AppState,
    user: &SessionUser,
    org_id: &str,
    permission: Permission,
) -> AppResult<Option<Role>> {
    let role = store::orgs::role_of(&state.pool, org_id, &user.username).await?;
    if !actor(user).may_in_portal(role, permission) {
        return Err(refusal(org_id, role.is_none()));
    }
    Ok(role)
}

pub async fn require_admin(state: &AppState) -> AppResult<SessionUser> {
    let user = require_user(state).await?;
    if !user.is_admin {
        return Err(AppError::Forbidden);
    }
    Ok(user)
}
