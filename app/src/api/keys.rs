//! API keys of a client version: list, Rotate (a new key, the keys in use kept for a grace
//! period) and Revoke. The console's client page and the portal's My Clients both use these, so
//! portal-only owners of a client manage its keys like console members do.

use leptos::prelude::*;

use crate::domain::keys::ClientKeys;
use crate::error::AppError;

#[cfg(feature = "ssr")]
pub mod service;

/// The state, the user and their role in `org`, once `auth::guard::authorize_in_portal`
/// allows `permission`.
#[cfg(feature = "ssr")]
async fn member(
    org: &str,
    permission: crate::domain::roles::Permission,
) -> crate::error::AppResult<(
    crate::state::AppState,
    crate::domain::model::SessionUser,
    Option<crate::domain::roles::Role>,
)> {
    let state = crate::state::state()?;
    let user = crate::auth::require_user(&state).await?;
    let role = crate::auth::guard::authorize_in_portal(&state, &user, org, permission).await?;
    Ok((state, user, role))
}

/// The client version's keys, newest first; whole keys only for those who may see them.
#[server]
pub async fn list_client_keys(
    org: String,
    client: String,
    version: String,
) -> Result<ClientKeys, AppError> {
    use crate::auth::guard::actor;
    use crate::domain::refs::VersionRef;
    use crate::domain::roles::Permission;
    let (state, user, role) = member(&org, Permission::View).await?;
    let me = actor(&user);
    let v = VersionRef::new(org, client, version);
    service::list(
        &state.pool,
        &v,
        me.may_see_api_keys(role),
        me.may_in_portal(role, Permission::EditClients),
    )
    .await
}

/// Issues a new key at once; the keys in use stay valid for `grace_hours` more.
#[server]
pub async fn rotate_key(
    org: String,
    client: String,
    version: String,
    grace_hours: i64,
) -> Result<(), AppError> {
    use crate::domain::keys::Grace;
    use crate::domain::refs::VersionRef;
    use crate::domain::roles::Permission;
    let (state, user, _) = member(&org, Permission::EditClients).await?;
    let grace = Grace::hours(grace_hours)?;
    let v = VersionRef::new(org, client, version);
    service::rotate(&state.pool, &user.username, &v, grace).await
}

/// Ends key `key_id` of the client version at once.
#[server]
pub async fn revoke_key(
    org: String,
    client: String,
    version: String,
    key_id: i64,
) -> Result<(), AppError> {
    use crate::domain::refs::VersionRef;
    use crate::domain::roles::Permission;
    let (state, user, _) = member(&org, Permission::EditClients).await?;
    let v = VersionRef::new(org, client, version);
    service::revoke(&state.pool, &user.username, &v, key_id).await
}
