//! User administration, for administrators only.

use leptos::prelude::*;

use crate::domain::model::UserSummary;
use crate::domain::paging::{Page, PageRequest};
use crate::error::AppError;

#[cfg(feature = "ssr")]
pub mod service;

#[server(input = server_fn::codec::Json)]
pub async fn list_users(page: PageRequest) -> Result<Page<UserSummary>, AppError> {
    let state = crate::state::state()?;
    crate::auth::require_admin(&state).await?;
    let query = page.check()?;
    crate::store::users::list(&state.pool, &query).await
}

#[server]
pub async fn create_user(
    username: String,
    display_name: String,
    email: String,
    password: String,
    portal_only: bool,
    is_admin: bool,
) -> Result<(), AppError> {
    use crate::domain::text;
    use crate::store::users::NewUser;
    let state = crate::state::state()?;
    let admin = crate::auth::require_admin(&state).await?;
    let username = username.trim();
    let display_name = display_name.trim();
    let email = email.trim();
    text::validate_username("username", username)?;
    text::validate_name("display_name", display_name)?;
    text::validate_email("email", email)?;
    text::validate_password("password", &password)?;
    let hash = crate::auth::password::hash(password).await?;
    service::create(
        &state.pool,
        &admin.username,
        NewUser {
            username,
            display_name,
            email,
            password_hash: &hash,
            is_admin,
            portal_only,
        },
    )
    .await
}

#[server]
pub async fn set_user_portal_only(username: String, value: bool) -> Result<(), AppError> {
    use crate::store::users::Flag;
    let state = crate::state::state()?;
    let admin = crate::auth::require_admin(&state).await?;
    service::set_flag(
        &state.pool,
        &admin.username,
        &username,
        Flag::PortalOnly,
        value,
    )
    .await
}

#[server]
pub async fn set_user_disabled(username: String, value: bool) -> Result<(), AppError> {
    use crate::store::users::Flag;
    let state = crate::state::state()?;
    let admin = crate::auth::require_admin(&state).await?;
    if value && admin.username == username {
        return Err(AppError::Conflict(
            "You cannot disable your own account.".into(),
        ));
    }
    service::set_flag(
        &state.pool,
        &admin.username,
        &username,
        Flag::Disabled,
        value,
    )
    .await
}

#[server]
pub async fn reset_password(username: String, password: String) -> Result<(), AppError> {
    let state = crate::state::state()?;
    let admin = crate::auth::require_admin(&state).await?;
    crate::domain::text::validate_password("new_password", &password)?;
    let hash = crate::auth::password::hash(password).await?;
    service::set_password_hash(&state.pool, &admin.username, &username, &hash).await
}
