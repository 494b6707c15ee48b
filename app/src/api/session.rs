use leptos::prelude::*;

use crate::domain::model::SessionUser;
use crate::error::AppError;

/// The signed-in user, or `None` for a visitor.
#[server]
pub async fn whoami() -> Result<Option<SessionUser>, AppError> {
    let state = crate::state::state()?;
    crate::auth::current_user(&state).await
}

#[server]
pub async fn login(username: String, password: String) -> Result<SessionUser, AppError> {
    use crate::auth::{cookie, session};
    let state = crate::state::state()?;
    let (user, token) = session::sign_in(&state, &username, &password, client_ip()).await?;
    set_cookie(&cookie::set(&token, request_is_https()))?;
    Ok(user)
}

#[server]
pub async fn logout() -> Result<(), AppError> {
    use crate::auth::{cookie, session};
    let state = crate::state::state()?;
    if let Some(parts) = use_context::<http::request::Parts>()
        && let Some(token) = cookie::read_session(&parts.headers)
    {
        session::sign_out(&state, &token).await?;
    }
    set_cookie(&cookie::clear(request_is_https()))
}

/// The address the current request came from, for sign-in throttling.
#[cfg(feature = "ssr")]
pub(crate) fn client_ip() -> Option<std::net::IpAddr> {
    use_context::<http::request::Parts>().and_then(|p| crate::auth::throttle::client_ip(&p))
}

#[cfg(feature = "ssr")]
pub(crate) fn request_is_https() -> bool {
    use_context::<http::request::Parts>().is_some_and(|p| crate::auth::cookie::is_https(&p.headers))
}

#[cfg(feature = "ssr")]
pub(crate) fn set_cookie(value: &str) -> Result<(), AppError> {
    let header =
        http::HeaderValue::from_str(value).map_err(|e| AppError::internal("cookie header", e))?;
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.append_header(http::header::SET_COOKIE, header);
    }
    Ok(())
}
