//! OpenAPI definitions: the console reads, sets and removes an API version's document; the
//! portal reads the API reference made from it. The download with the gateway as its server is
//! a plain route (`download`).

use leptos::prelude::*;

use crate::domain::openapi::{ApiReference, Definition};
use crate::error::AppError;

#[cfg(feature = "ssr")]
pub mod download;
#[cfg(feature = "ssr")]
pub mod service;

/// The API version's definition, if it has one (members of its organization).
#[server]
pub async fn get_definition(
    org: String,
    api: String,
    version: String,
) -> Result<Option<Definition>, AppError> {
    use crate::domain::refs::VersionRef;
    use crate::domain::roles::Permission;
    let (state, ..) = super::in_org(&org, Permission::View).await?;
    service::definition(&state.pool, &VersionRef::new(org, api, version)).await
}

/// Checks and stores `text` (YAML or JSON) as the definition; `None` removes it. Refused once
/// the version is published.
#[server]
pub async fn set_definition(
    org: String,
    api: String,
    version: String,
    text: Option<String>,
) -> Result<Option<Definition>, AppError> {
    use crate::domain::refs::VersionRef;
    use crate::domain::roles::Permission;
    let (state, user, _) = super::in_org(&org, Permission::EditApis).await?;
    let v = VersionRef::new(org, api, version);
    service::set(&state.pool, &user.username, &v, text.as_deref()).await
}

/// The API reference of a version the portal lists (an empty version: the newest, as the
/// portal's links say it); `None` when it has no definition.
#[server]
pub async fn portal_reference(
    org: String,
    api: String,
    version: String,
) -> Result<Option<ApiReference>, AppError> {
    use crate::domain::refs::VersionRef;
    let state = crate::state::state()?;
    crate::auth::require_user(&state).await?;
    service::reference(&state.pool, &VersionRef::new(org, api, version)).await
}
