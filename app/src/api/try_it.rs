//! Try it: the portal's reference lets a signed-in user call an operation through the gateway
//! with one of their clients' keys. The portal server relays the call (no CORS to configure;
//! the gateway may be on any host), only to the managed endpoint of the API version viewed.

use leptos::prelude::*;

use crate::domain::refs::VersionRef;
use crate::domain::try_it::{TryRequest, TryResponse, TryTarget};
use crate::error::AppError;

#[cfg(feature = "ssr")]
pub mod in_flight;
#[cfg(feature = "ssr")]
pub mod service;

/// The managed endpoint of the API version (an empty version: the newest the portal lists),
/// whether it takes calls without a key, and the user's clients that may call it.
#[server]
pub async fn try_it_target(
    org: String,
    api: String,
    version: String,
) -> Result<TryTarget, AppError> {
    use crate::auth::guard::actor;
    let state = crate::state::state()?;
    let user = crate::auth::require_user(&state).await?;
    let api = VersionRef::new(org, api, version);
    service::target(&state.pool, &actor(&user), &state.gateway_url, &api).await
}

/// Sends `request` to the API version's managed endpoint with the key of `client` (none: a
/// public API, without a key) and returns the gateway's answer.
#[server(input = server_fn::codec::Json)]
pub async fn try_it_send(
    api: VersionRef,
    client: Option<VersionRef>,
    request: TryRequest,
) -> Result<TryResponse, AppError> {
    use crate::auth::guard::actor;
    let state = crate::state::state()?;
    let user = crate::auth::require_user(&state).await?;
    let relay = state
        .try_relay
        .clone()
        .ok_or_else(|| AppError::Conflict("Try it is not available on this server.".into()))?;
    let actor = actor(&user);
    let call = service::prepare(
        &state.pool,
        &actor,
        &state.gateway_url,
        &api,
        client.as_ref(),
        &request,
    )
    .await?;
    service::send(relay.as_ref(), &state.shared.try_in_flight, &actor, call).await
}
