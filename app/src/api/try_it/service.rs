//! The Try it use cases: which clients the user may try an API version with, and the one call
//! the relay is allowed to make for a request (checked by `domain::try_it::check`).

use super::in_flight::InFlight;
use crate::auth::api_key::mask;
use crate::domain::refs::VersionRef;
use crate::domain::roles::{Actor, Role};
use crate::domain::try_it::{self, RelayCall, TryClient, TryRequest, TryResponse, TryTarget};
use crate::error::{AppError, AppResult};
use crate::state::TryRelay;
use crate::store::PgPool;
use crate::store::try_it::{self as store, PortalVersion};

async fn listed(pool: &PgPool, api: &VersionRef) -> AppResult<(VersionRef, PortalVersion)> {
    let found = store::portal_version(pool, api)
        .await?
        .ok_or_else(|| AppError::not_found(format!("{api} is not published in the portal.")))?;
    let api = VersionRef::new(api.org.clone(), api.id.clone(), found.version.clone());
    Ok((api, found))
}

pub async fn target(
    pool: &PgPool,
    actor: &Actor,
    gateway_url: &str,
    api: &VersionRef,
) -> AppResult<TryTarget> {
    let (api, version) = listed(pool, api).await?;
    let roles: Vec<Role> = Role::ALL
        .into_iter()
        .filter(|r| actor.may_see_api_keys(Some(*r)))
        .collect();
    let clients = store::callers(pool, &actor.username, version.id, &roles)
        .await?
        .into_iter()
        // Roles are filtered in SQL; a client whose keys have all ended has nothing to try with.
        .filter_map(|row| {
            Some(TryClient {
                key_hint: mask(row.api_key.as_deref()?),
                client: VersionRef::new(row.org_id, row.client_id, row.version),
                name: row.name,
            })
        })
        .collect();
    Ok(TryTarget {
        endpoint: format!("{gateway_url}{}", api.gateway_path()),
        public: version.public,
        clients,
    })
}

/// The call for `request`: to the managed endpoint of `api` and nowhere else, with the key of
/// `client` (one of the user's, registered, with an active contract for `api`); without a key
/// only for a public API. Also the curl of it, for the answer.
pub async fn prepare(
    pool: &PgPool,
    actor: &Actor,
    gateway_url: &str,
    api: &VersionRef,
    client: Option<&VersionRef>,
    request: &TryRequest,
) -> AppResult<(RelayCall, String)> {
    let checked = try_it::check(request)?;
    let (api, version) = listed(pool, api).await?;
    let key = match client {
        Some(c) => {
            let row = store::caller(pool, &actor.username, version.id, c)
                .await?
                .ok_or_else(|| {
                    AppError::field(
                        "client",
                        format!("{c} is not one of your registered clients with an active contract for {api}."),
                    )
                })?;
            if !actor.may_see_api_keys(Some(row.role)) {
                return Err(AppError::Forbidden);
            }
            Some(row.api_key.ok_or_else(|| {
                AppError::field("client", format!("{c} has no active key: rotate it first."))
            })?)
        }
        None if version.public => None,
        None => {
            return Err(AppError::field(
                "client",
                "This API is private: choose one of your clients to call it with.",
            ));
        }
    };
    let url = format!("{gateway_url}{}{}", api.gateway_path(), checked.target);
    let curl = try_it::curl(&url, &checked, key.is_some());
    let mut headers = checked.headers;
    if let Some(key) = key {
        headers.push(("x-api-key".to_string(), key));
    }
    let call = RelayCall {
        method: checked.method,
        url,
        headers,
        body: checked.body,
    };
    Ok((call, curl))
}

/// Sends the call prepared for `actor`, unless they have `MAX_TRY_IN_FLIGHT` calls running.
pub async fn send(
    relay: &dyn TryRelay,
    in_flight: &InFlight,
    actor: &Actor,
    (call, curl): (RelayCall, String),
) -> AppResult<TryResponse> {
    let _running = in_flight.enter(&actor.username)?;
    match relay.send(call).await {
        Ok(answer) => Ok(answer.shown(curl)),
        Err(failure) => Err(AppError::field("send", failure.message())),
    }
}
