//! Signing in and out.

use chrono::{Duration, Utc};

use super::{cookie, password, token};
use crate::domain::model::SessionUser;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store;

const BAD_CREDENTIALS: &str = "Wrong username or password.";

/// Checks the credentials (slowed down after repeated failures) and opens a session.
/// Returns the user and the token for the cookie.
pub async fn sign_in(
    state: &AppState,
    username: &str,
    password_input: &str,
) -> AppResult<(SessionUser, String)> {
    let username = username.trim();
    if username.is_empty() {
        return Err(AppError::field("username", "Enter your username."));
    }
    if password_input.is_empty() {
        return Err(AppError::field("password", "Enter your password."));
    }
    let delay = state.throttle.delay(username);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let record = store::users::find_for_login(&state.pool, username).await?;
    let stored = record
        .as_ref()
        .map(|r| r.password_hash.clone())
        .unwrap_or_else(password::decoy_hash);
    let matches = password::verify(password_input.to_string(), stored).await;
    let record = match record {
        Some(r) if matches => r,
        _ => {
            state.throttle.record_failure(username);
            return Err(AppError::field("password", BAD_CREDENTIALS));
        }
    };
    if record.disabled {
        return Err(AppError::field(
            "username",
            "This account is disabled. Ask an administrator.",
        ));
    }
    state.throttle.record_success(username);
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
