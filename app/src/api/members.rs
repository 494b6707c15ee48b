//! Organization members and their roles.

use leptos::prelude::*;

use crate::domain::model::Member;
use crate::domain::roles::Role;
use crate::error::AppError;

#[server]
pub async fn list_members(org: String) -> Result<Vec<Member>, AppError> {
    use crate::domain::roles::Permission;
    let state = crate::state::state()?;
    let user = crate::auth::require_console_user(&state).await?;
    crate::auth::authorize(&state, &user, &org, Permission::View).await?;
    crate::store::members::list(&state.pool, &org).await
}

#[server]
pub async fn add_member(org: String, username: String, role: Role) -> Result<(), AppError> {
    use crate::domain::roles::Permission;
    let state = crate::state::state()?;
    let user = crate::auth::require_console_user(&state).await?;
    crate::auth::authorize(&state, &user, &org, Permission::ManageMembers).await?;
    let username = username.trim();
    if username.is_empty() {
        return Err(AppError::field(
            "username",
            "Enter the username of an existing user.",
        ));
    }
    crate::store::members::add(&state.pool, &user.username, &org, username, role).await
}

#[server]
pub async fn change_member_role(org: String, username: String, role: Role) -> Result<(), AppError> {
    use crate::domain::roles::Permission;
    let state = crate::state::state()?;
    let user = crate::auth::require_console_user(&state).await?;
    crate::auth::authorize(&state, &user, &org, Permission::ManageMembers).await?;
    crate::store::members::change_role(&state.pool, &user.username, &org, &username, role).await
}

#[server]
pub async fn remove_member(org: String, username: String) -> Result<(), AppError> {
    use crate::domain::roles::Permission;
    let state = crate::state::state()?;
    let user = crate::auth::require_console_user(&state).await?;
    crate::auth::authorize(&state, &user, &org, Permission::ManageMembers).await?;
    crate::store::members::remove(&state.pool, &user.username, &org, &username).await
}
