//! Pages of the management console, one file per page.

pub mod create_org;
pub mod dashboard;
pub mod login;
pub mod not_found;
pub mod org;
pub mod search;
pub mod users;
