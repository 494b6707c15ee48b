//! Server functions: thin wrappers that check who is calling, validate input with the
//! domain rules, and call the use cases. One module per resource; its `service` module (server
//! only) holds the use cases that change data: each owns its transaction, checks the rules
//! and calls the store's SQL functions with the transaction's connection.

pub mod activity;
pub mod analytics;
pub mod apis;
pub mod clients;
pub mod contracts;
pub mod definitions;
pub mod keys;
pub mod members;
pub mod orgs;
pub mod plans;
pub mod policies;
pub mod portal;
pub mod session;
pub mod try_it;
pub mod users;
#[cfg(feature = "ssr")]
mod versioned;

/// The state and the console user of this request, once they hold `permission` in `org`.
#[cfg(feature = "ssr")]
pub(crate) async fn in_org(
    org: &str,
    permission: crate::domain::roles::Permission,
) -> crate::error::AppResult<(
    crate::state::AppState,
    crate::domain::model::SessionUser,
    Option<crate::domain::roles::Role>,
)> {
    let state = crate::state::state()?;
    let user = crate::auth::require_console_user(&state).await?;
    let role = crate::auth::authorize(&state, &user, org, permission).await?;
    Ok((state, user, role))
}

/// The fields of a Create wizard for an API, plan or client, trimmed and checked.
#[cfg(feature = "ssr")]
pub(crate) fn new_entity<'a>(
    org: &'a str,
    (id, name, version, description): (&'a str, &'a str, &'a str, &'a str),
) -> crate::error::AppResult<crate::store::versioned::NewEntity<'a>> {
    let (id, name, version, description) =
        (id.trim(), name.trim(), version.trim(), description.trim());
    crate::domain::ids::check_new_entity(name, id, version, description)
        .into_iter()
        .collect::<Result<(), _>>()?;
    Ok(crate::store::versioned::NewEntity {
        org,
        id,
        name,
        description,
        version,
    })
}
