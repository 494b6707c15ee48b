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
    /// Too many attempts (sign-in); the number is the seconds to wait (`Retry-After`).
    #[error("Too many attempts. Try again in {} minute(s).", .0.div_ceil(60))]
    TooManyRequests(u64),
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

impl AppError {
    /// The HTTP status of a server function's response that fails with this error. Leptos
    /// answers 500 to every error; refusals of bad input are not server failures, and the
    /// access log should not report them as such.
    pub fn http_status(&self) -> u16 {
        match self {
            AppError::Unauthenticated => 401,
            AppError::Forbidden => 403,
            AppError::NotFound(_) => 404,
            AppError::Conflict(_) => 409,
            AppError::Field(_) => 422,
            AppError::TooManyRequests(_) => 429,
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }

    /// Encodes the error for the browser; on the server it also sets the response's status,
    /// the one place every failing server function passes through.
    fn ser(&self) -> leptos::server_fn::Bytes {
        #[cfg(feature = "ssr")]
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
            && let Ok(status) = http::StatusCode::from_u16(self.http_status())
        {
            response.set_status(status);
            if let AppError::TooManyRequests(seconds) = self {
                response
                    .insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(*seconds));
            }
        }
        use leptos::server_fn::Encodes;
        JsonEncoding::encode(self).unwrap_or_else(|_e| {
            #[cfg(feature = "ssr")]
            tracing::error!(error = %_e, "cannot encode a server function error");
            bytes_of_internal()
        })
    }
}

/// `AppError::Internal` as the browser decodes it, for when encoding an error itself fails.
fn bytes_of_internal() -> leptos::server_fn::Bytes {
    leptos::server_fn::Bytes::from_static(br#""Internal""#)
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(value: sqlx::Error) -> Self {
        AppError::internal("database error", value)
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_client_errors_and_failures_server_errors() {
        assert_eq!(AppError::Unauthenticated.http_status(), 401);
        assert_eq!(AppError::Forbidden.http_status(), 403);
        assert_eq!(AppError::not_found("API").http_status(), 404);
        assert_eq!(AppError::Conflict("last owner".into()).http_status(), 409);
        assert_eq!(AppError::field("name", "Required.").http_status(), 422);
        assert_eq!(AppError::TooManyRequests(61).http_status(), 429);
        assert_eq!(
            AppError::TooManyRequests(61).to_string(),
            "Too many attempts. Try again in 2 minute(s)."
        );
        assert_eq!(AppError::Internal.http_status(), 500);
    }

    #[test]
    fn errors_survive_the_trip_to_the_browser() {
        let sent = AppError::field("limit", "Must be at least 1.");
        assert_eq!(AppError::de(sent.ser()), sent);
        assert_eq!(AppError::de(bytes_of_internal()), AppError::Internal);
    }
}
