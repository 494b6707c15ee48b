//! Pages of the management console, one file per page.

pub mod api;
pub mod approvals;
pub mod client;
pub mod create_entity;
pub mod create_org;
pub mod dashboard;
pub mod login;
pub mod not_found;
pub mod org;
pub mod plan;
pub mod search;
pub mod users;
pub mod version_header;
pub mod versioned;
