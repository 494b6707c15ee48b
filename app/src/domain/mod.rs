//! Pure domain rules shared by the server and the browser: no I/O here.

pub mod analytics;
pub mod catalog;
pub mod client;
pub mod ids;
pub mod invitation;
pub mod keys;
pub mod lifecycle;
#[cfg(feature = "ssr")]
pub mod markdown;
pub mod model;
pub mod openapi;
pub mod paging;
pub mod policy;
pub mod portal;
pub mod redirect;
pub mod refs;
pub mod roles;
#[cfg(feature = "ssr")]
mod sql_text;
pub mod text;
pub mod try_it;
pub mod upstream_guard;
pub mod urls;

/// A validation failure tied to one form field, so forms can show it next to that field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_string(),
            message: message.into(),
        }
    }
}
