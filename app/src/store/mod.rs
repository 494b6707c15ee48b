//! SQL, and nothing else: every query of the app lives in this module tree.
//! Functions take a pool (single reads) or a `&mut PgConnection` (a step of a use case, whose
//! transaction the caller owns) and return domain types or `AppError`; the use cases that
//! open transactions and check the rules live beside the server functions (`api::*::service`).

pub mod analytics;
pub mod api_view;
pub mod apis;
pub mod audit;
pub mod client_view;
pub mod clients;
pub mod contractable;
pub mod contracts;
pub mod definitions;
pub mod gateway_feed;
pub mod invitations;
pub mod keys;
pub mod members;
pub mod my_clients;
pub mod orgs;
pub mod plans;
pub mod policies;
pub mod portal;
pub mod sessions;
pub mod try_it;
pub mod users;
pub mod versioned;

use sqlx::migrate::Migrator;

pub use sqlx::PgPool;

/// The schema migrations, embedded at compile time.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// A row of one page with the number of rows matching in all (`count(*) OVER () AS total`):
/// the lists that read their rows into a type of their own share this wrapper.
pub(crate) struct Counted<R> {
    row: R,
    total: i64,
}

impl<'r, R: sqlx::FromRow<'r, sqlx::postgres::PgRow>> sqlx::FromRow<'r, sqlx::postgres::PgRow>
    for Counted<R>
{
    fn from_row(row: &'r sqlx::postgres::PgRow) -> Result<Self, sqlx::Error> {
        use sqlx::Row;
        Ok(Self {
            row: R::from_row(row)?,
            total: row.try_get("total")?,
        })
    }
}

/// The page the counted rows make, each row turned into what the list shows.
pub(crate) fn counted_page<R, T>(
    rows: Vec<Counted<R>>,
    query: &crate::domain::paging::PageQuery,
    show: impl FnMut(R) -> T,
) -> crate::domain::paging::Page<T> {
    let total = rows.first().map_or(0, |r| r.total);
    let items = rows.into_iter().map(|c| c.row).map(show).collect();
    crate::domain::paging::Page::new(items, total, query)
}

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
