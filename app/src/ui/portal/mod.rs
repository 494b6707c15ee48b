//! Pages of the Developer Portal.

pub mod account;
pub mod api;
pub mod home;
pub mod layout;
pub mod my_clients;
pub mod reference;
pub mod signup;
pub mod try_it;
pub mod usage;

use crate::domain::refs::VersionRef;

/// The client a console user came to sign up, carried through the portal as
/// `?for=org/client/version`; anything that is not a valid reference is ignored.
pub fn for_param(query: &leptos_router::params::ParamsMap) -> Option<VersionRef> {
    query.get("for").and_then(|f| f.parse().ok())
}
