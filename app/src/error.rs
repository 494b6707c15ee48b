//! The one error type of the app layer. Server functions return it; the UI shows its message.
//! Details of internal failures are logged on the server and never sent to the browser.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::domain::FieldError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in to continue.")]
    Unauthenticated,
    #[error("You are not allowed to do this.")]
    Forbidden,
    #[error("{0}")]
    NotFound(String),
    /// Bad input for one form field; the form shows the message next to that field.
    #[error("{}", .0.message)]
    Field(FieldError),
    /// A request that conflicts with the current state (e.g. removing the last owner).
    #[error("{0}")]
    Conflict(String),
    #[error("Something went wrong on the server. Please try again.")]
    Internal,
    /// The request never reached our code (network down, bad encoding).
    #[error("The server could not be reached: {0}")]
    Transport(String),
}

impl AppError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        AppError::Field(FieldError::new(field, message))
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        AppError::NotFound(what.into())
    }

    /// Logs the underlying cause and returns the clean, generic error.
    #[cfg(feature = "ssr")]
    pub fn internal(context: &str, cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "{context}");
        AppError::Internal
    }
}

impl From<FieldError> for AppError {
    fn from(value: FieldError) -> Self {
        AppError::Field(value)
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(value: sqlx::Error) -> Self {
        AppError::internal("database error", value)
    }
}

pub type AppResult<T> = Result<T, AppError>;
