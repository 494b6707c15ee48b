//! Organization members and their roles.

use leptos::prelude::*;

use crate::domain::invitation::{Invitation, MemberAdded};
use crate::domain::model::Member;
use crate::domain::paging::{Page, PageRequest};
use crate::domain::roles::Role;
use crate::error::AppError;

#[cfg(feature = "ssr")]
pub mod service;

#[server(input = server_fn::codec::Json)]
pub async fn list_members(org: String, page: PageRequest) -> Result<Page<Member>, AppError> {
    use crate::domain::roles::Permission;
    let state = crate::state::state()?;
    let user = crate::auth::require_console_user(&state).await?;
    crate::auth::authorize(&state, &user, &org, Permission::View).await?;
    let query = page.check()?;
    crate::store::members::list(&state.pool, &org, &query).await
}

/// Administrators add an existing user at once; everyone else invites, and the answer is the
/// same whether or not the account exists (see `domain::invitation`).
#[server]
pub async fn add_member(
    org: String,
    username: String,
    role: Role,
) -> Result<MemberAdded, AppError> {
    use crate::domain::{roles::Permission, text};
    let state = crate::state::state()?;
    let user = crate::auth::require_console_user(&state).await?;
    crate::auth::authorize(&state, &user, &org, Permission::ManageMembers).await?;
    let username = username.trim();
    if username.is_empty() {
        return Err(AppError::field("username", "Enter a username."));
    }
    text::validate_username("username", username)?;
    if user.is_admin {
        service::add(&state.pool, &user.username, &org, username, role).await?;
        return Ok(MemberAdded::Added);
    }
    service::invite(&state.pool, &user.username, &org, username, role).await?;
    Ok(MemberAdded::Invited)
}

/// The organization's pending invitations.
#[server]
pub async fn list_invitations(org: String) -> Result<Vec<Invitation>, AppError> {
    use crate::domain::roles::Permission;
    let state = crate::state::state()?;
    let user = crate::auth::require_console_user(&state).await?;
    crate::auth::authorize(&state, &user, &org, Permission::View).await?;
    crate::store::invitations::for_org(&state.pool, &org).await
}

#[server]
pub async fn cancel_invitation(org: String, username: String) -> Result<(), AppError> {
    use crate::domain::roles::Permission;
    let state = crate::state::state()?;
    let user = crate::auth::require_console_user(&state).await?;
    crate::auth::authorize(&state, &user, &org, Permission::ManageMembers).await?;
    service::cancel(&state.pool, &user.username, &org, &username).await
}

/// The signed-in user's pending invitations (console and portal users alike).
#[server]
pub async fn my_invitations() -> Result<Vec<Invitation>, AppError> {
    let state = crate::state::state()?;
    let user = crate::auth::require_user(&state).await?;
    crate::store::invitations::for_user(&state.pool, &user.username).await
}

/// Accepts or declines one of the signed-in user's invitations.
#[server]
pub async fn respond_to_invitation(org: String, accept: bool) -> Result<(), AppError> {
    let state = crate::state::state()?;
    let user = crate::auth::require_user(&state).await?;
    service::respond(&state.pool, &user.username, &org, accept).await
}

#[server]
pub async fn change_member_role(org: String, username: String, role: Role) -> Result<(), AppError> {
    use crate::domain::roles::Permission;
    let state = crate::state::state()?;
    let user = crate::auth::require_console_user(&state).await?;
    crate::auth::authorize(&state, &user, &org, Permission::ManageMembers).await?;
    service::change_role(&state.pool, &user.username, &org, &username, role).await
}

#[server]
pub async fn remove_member(org: String, username: String) -> Result<(), AppError> {
    use crate::domain::roles::Permission;
    let state = crate::state::state()?;
    let user = crate::auth::require_console_user(&state).await?;
    crate::auth::authorize(&state, &user, &org, Permission::ManageMembers).await?;
    service::remove(&state.pool, &user.username, &org, &username).await
}
