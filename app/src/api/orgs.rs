//! Organizations: create, view, edit, delete, search.

use leptos::prelude::*;

use crate::domain::model::{OrgListItem, OrgView};
use crate::domain::paging::{Page, PageRequest};
use crate::error::AppError;

#[cfg(feature = "ssr")]
pub mod service;

/// Creates the organization (the caller becomes its Owner) and returns its id.
#[server]
pub async fn create_organization(
    id: String,
    name: String,
    description: String,
) -> Result<String, AppError> {
    use crate::domain::{ids, text};
    let state = crate::state::state()?;
    let user = crate::auth::require_console_user(&state).await?;
    let (id, name, description) = (id.trim(), name.trim(), description.trim());
    text::validate_name("name", name)?;
    ids::validate_id("id", id)?;
    text::validate_description("description", description)?;
    service::create(&state.pool, &user.username, id, name, description).await?;
    Ok(id.to_string())
}

#[server]
pub async fn get_organization(id: String) -> Result<OrgView, AppError> {
    use crate::auth::guard::actor;
    use crate::domain::roles::Permission;
    let state = crate::state::state()?;
    let user = crate::auth::require_console_user(&state).await?;
    let role = crate::auth::authorize(&state, &user, &id, Permission::View).await?;
    let org = crate::store::orgs::get(&state.pool, &id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("There is no organization {id}.")))?;
    let me = actor(&user);
    Ok(OrgView {
        org,
        my_role: role,
        can_edit: me.may(role, Permission::EditOrg),
        can_manage_members: me.may(role, Permission::ManageMembers),
    })
}

#[server]
pub async fn update_organization(
    id: String,
    name: String,
    description: String,
) -> Result<(), AppError> {
    use crate::domain::roles::Permission;
    use crate::domain::text;
    let state = crate::state::state()?;
    let user = crate::auth::require_console_user(&state).await?;
    crate::auth::authorize(&state, &user, &id, Permission::EditOrg).await?;
    let (name, description) = (name.trim(), description.trim());
    text::validate_name("name", name)?;
    text::validate_description("description", description)?;
    service::update(&state.pool, &user.username, &id, name, description).await
}

#[server]
pub async fn delete_organization(id: String) -> Result<(), AppError> {
    use crate::domain::roles::Permission;
    let state = crate::state::state()?;
    let user = crate::auth::require_console_user(&state).await?;
    crate::auth::authorize(&state, &user, &id, Permission::EditOrg).await?;
    service::delete(&state.pool, &user.username, &id).await
}

/// One page of the organizations whose name or id contains the filter, among those the caller
/// may see. An empty filter lists them all; the dashboard uses that for "My organizations".
#[server(input = server_fn::codec::Json)]
pub async fn search_organizations(page: PageRequest) -> Result<Page<OrgListItem>, AppError> {
    let state = crate::state::state()?;
    let user = crate::auth::require_console_user(&state).await?;
    let query = page.check()?;
    crate::store::orgs::search(&state.pool, &user.username, user.is_admin, &query).await
}
