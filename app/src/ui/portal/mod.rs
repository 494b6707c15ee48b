//! Pages of the Developer Portal.

pub mod account;
pub mod api;
pub mod home;
pub mod layout;
pub mod my_clients;
pub mod signup;

/// The client a console user came to sign up, carried through the portal as `?for=org/client/version`.
pub fn for_param(query: &leptos_router::params::ParamsMap) -> Option<String> {
    query.get("for").filter(|f| f.split('/').count() == 3)
}
