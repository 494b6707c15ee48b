//! Server-side authentication and authorization: password hashes, session cookies,
//! sign-in throttling, and the checks every server function starts with.

pub mod api_key;
pub mod cookie;
pub mod guard;
pub mod password;
pub mod session;
pub mod throttle;
pub mod token;

pub use guard::{authorize, current_user, require_admin, require_console_user, require_user};
