//! Server functions: thin wrappers that check who is calling, validate input with the
//! domain rules, and call the store. One module per resource.

pub mod activity;
pub mod apis;
pub mod clients;
pub mod contracts;
pub mod members;
pub mod orgs;
pub mod plans;
pub mod policies;
pub mod portal;
pub mod session;
pub mod users;

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
