//! Server functions: thin wrappers that check who is calling, validate input with the
//! domain rules, and call the store. One module per resource.

pub mod activity;
pub mod members;
pub mod orgs;
pub mod session;
pub mod users;
