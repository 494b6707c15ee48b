//! Clients: create, list, view a version, register, retire, new version, regenerate key, delete.

use leptos::prelude::*;

use crate::domain::catalog::{ClientSummary, ClientVersionView};
use crate::domain::paging::{Page, PageRequest};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::domain::refs::{EntityRef, VersionRef};

#[cfg(feature = "ssr")]
pub mod service;

/// Creates the client and its first version (with its API key); returns the client id.
#[server]
pub async fn create_client(
    org: String,
    id: String,
    name: String,
    version: String,
    description: String,
) -> Result<String, AppError> {
    use crate::domain::roles::Permission;
    let (state, user, _) = super::in_org(&org, Permission::EditClients).await?;
    let new = super::new_entity(&org, (&id, &name, &version, &description))?;
    service::create(&state.pool, &user.username, &new).await?;
    Ok(new.id.to_string())
}

/// One page of the organization's clients whose name or id contains the filter.
#[server(input = server_fn::codec::Json)]
pub async fn list_clients(org: String, page: PageRequest) -> Result<Page<ClientSummary>, AppError> {
    use crate::domain::roles::Permission;
    let (state, ..) = super::in_org(&org, Permission::View).await?;
    let query = page.check()?;
    crate::store::clients::list(&state.pool, &org, &query).await
}

#[server]
pub async fn get_client_version(
    org: String,
    client: String,
    version: String,
) -> Result<ClientVersionView, AppError> {
    use crate::auth::guard::actor;
    use crate::domain::roles::Permission;
    let (state, user, role) = super::in_org(&org, Permission::View).await?;
    let v = VersionRef::new(org, client, version);
    let mut view = crate::store::clients::view(&state.pool, &v)
        .await?
        .ok_or_else(|| {
            AppError::not_found(format!(
                "There is no version {} of client {}.",
                v.version, v.id
            ))
        })?;
    let actor = actor(&user);
    view.can_edit = actor.may(role, Permission::EditClients);
    if !actor.may_see_api_keys(role) {
        view.api_key = None;
    }
    Ok(view)
}

/// Register, or Re-Register after a change.
#[server]
pub async fn register_client(org: String, client: String, version: String) -> Result<(), AppError> {
    use crate::domain::roles::Permission;
    let (state, user, _) = super::in_org(&org, Permission::EditClients).await?;
    let v = VersionRef::new(org, client, version);
    service::register(&state.pool, &user.username, &v).await
}

#[server]
pub async fn retire_client(org: String, client: String, version: String) -> Result<(), AppError> {
    use crate::domain::roles::Permission;
    let (state, user, _) = super::in_org(&org, Permission::EditClients).await?;
    let v = VersionRef::new(org, client, version);
    service::retire(&state.pool, &user.username, &v).await
}

#[server]
pub async fn regenerate_api_key(
    org: String,
    client: String,
    version: String,
) -> Result<(), AppError> {
    use crate::domain::roles::Permission;
    let (state, user, _) = super::in_org(&org, Permission::EditClients).await?;
    let v = VersionRef::new(org, client, version);
    service::regenerate_key(&state.pool, &user.username, &v).await
}

#[server]
pub async fn new_client_version(
    org: String,
    client: String,
    from_version: String,
    version: String,
) -> Result<(), AppError> {
    use crate::domain::{ids, roles::Permission};
    let (state, user, _) = super::in_org(&org, Permission::EditClients).await?;
    let version = version.trim();
    ids::validate_version("version", version)?;
    let from = VersionRef::new(org, client, from_version);
    service::new_version(&state.pool, &user.username, &from, version).await
}

#[server]
pub async fn delete_client(org: String, client: String) -> Result<(), AppError> {
    use crate::domain::roles::Permission;
    let (state, user, _) = super::in_org(&org, Permission::EditClients).await?;
    service::delete(&state.pool, &user.username, &EntityRef::new(org, client)).await
}
