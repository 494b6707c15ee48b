//! Signing in and out.

use std::net::IpAddr;

use chrono::{Duration, Utc};

use super::{cookie, password, token};
use crate::domain::model::SessionUser;
use crate::domain::text::USERNAME_MAX_LEN;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store;

const BAD_CREDENTIALS: &str = "Wrong username or password.";

/// Checks the credentials (after counting the attempt: see `throttle`) and opens a session.
/// Returns the user and the token for the cookie.
pub async fn sign_in(
    state: &AppState,
    username: &str,
    password_input: &str,
    client: Option<IpAddr>,
) -> AppResult<(SessionUser, String)> {
    let username = username.trim();
    if username.is_empty() {
        return Err(AppError::field("username", "Enter your username."));
    }
    // Refused before any lookup or counting: no user has such a name, and the throttle's
    // memory holds only names of a real length.
    if username.len() > USERNAME_MAX_LEN {
        return Err(AppError::field(
            "username",
            format!("A username has at most {USERNAME_MAX_LEN} characters."),
        ));
    }
    if password_input.is_empty() {
        return Err(AppError::field("password", "Enter your password."));
    }
    if let Err(wait) = state.shared.throttle.attempt(username, client) {
        return Err(AppError::TooManyRequests(wait.as_secs().max(1)));
    }
    let record = store::users::find_for_login(&state.pool, username).await?;
    let stored = record
        .as_ref()
        .map(|r| r.password_hash.clone())
        .unwrap_or_else(password::decoy_hash);
    let matches = password::verify(password_input.to_string(), stored).await;
    let record = match record {
        Some(r) if matches => r,
        _ => return Err(AppError::field("password", BAD_CREDENTIALS)),
    };
    if record.disabled {
        return Err(AppError::field(
            "username",
            "This account is disabled. Ask an administrator.",
        ));
    }
    state.shared.throttle.succeeded(username, client);
    store::sessions::purge_expired(&state.pool).await?;
    let token = token::new_token();
    let expires = Utc::now() + Duration::days(cookie::SESSION_DAYS);
    store::sessions::create(&state.pool, &token::hash(&token), &record.username, expires).await?;
    let user = store::sessions::user_for(&state.pool, &token::hash(&token))
        .await?
        .ok_or_else(|| AppError::internal("sign-in", "new session not found"))?;
    Ok((user, token))
}

pub async fn sign_out(state: &AppState, token: &str) -> AppResult<()> {
    store::sessions::delete(&state.pool, &token::hash(token)).await
}
