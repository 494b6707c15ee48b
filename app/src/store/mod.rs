//! SQL, and nothing else: every query of the app lives in this module tree.
//! Functions take a pool (or a transaction) and return domain types or `AppError`.

pub mod api_view;
pub mod apis;
pub mod audit;
pub mod client_view;
pub mod clients;
pub mod contractable;
pub mod contracts;
pub mod gateway_feed;
pub mod invitations;
pub mod latest;
pub mod members;
pub mod my_clients;
pub mod orgs;
pub mod plans;
pub mod policies;
pub mod portal;
pub mod sessions;
pub mod users;

use sqlx::migrate::Migrator;

pub use sqlx::PgPool;

/// The schema migrations, embedded at compile time.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// Turns a unique-constraint violation into the caller's message; other errors pass through.
pub(crate) fn unique_or<T>(
    result: Result<T, sqlx::Error>,
    conflict: impl FnOnce() -> crate::error::AppError,
) -> crate::error::AppResult<T> {
    match result {
        Err(e) if is_unique_violation(&e) => Err(conflict()),
        other => Ok(other?),
    }
}

/// Postgres error codes we turn into user-facing messages.
pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
    db_code(err).as_deref() == Some("23505")
}

pub(crate) fn is_foreign_key_violation(err: &sqlx::Error) -> bool {
    db_code(err).as_deref() == Some("23503")
}

fn db_code(err: &sqlx::Error) -> Option<String> {
    err.as_database_error()
        .and_then(|e| e.code())
        .map(|c| c.into_owned())
}
