//! Signing in and out through the server functions.

mod common;

use app::api::session::{login, logout, whoami};
use app::error::AppError;
use leptos::prelude::use_context;
use sqlx::PgPool;

fn set_cookie_header() -> Option<String> {
    let response = use_context::<leptos_axum::ResponseOptions>()?;
    let parts = response.0.read().ok()?;
    parts
        .headers
        .get(http::header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn right_password_opens_a_session_with_a_safe_cookie(pool: PgPool) {
    common::user(&pool, "david", false, false).await;
    let _o = common::act_as(&pool, None);
    let user = login("David".into(), common::PASSWORD.into())
        .await
        .expect("login");
    assert_eq!(user.username, "david");
    let cookie = set_cookie_header().expect("cookie set");
    assert!(cookie.starts_with("gatehouse_session="));
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    let token = cookie
        .trim_start_matches("gatehouse_session=")
        .split(';')
        .next()
        .expect("token")
        .to_string();
    let _o = common::act_as(&pool, Some(&token));
    assert_eq!(
        whoami().await.expect("whoami").map(|u| u.username),
        Some("david".into())
    );
    logout().await.expect("logout");
    assert_eq!(whoami().await.expect("whoami"), None, "the session is gone");
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn wrong_password_and_unknown_user_get_the_same_message(pool: PgPool) {
    common::user(&pool, "david", false, false).await;
    let _o = common::act_as(&pool, None);
    let wrong = login("david".into(), "nope-nope-1".into()).await;
    let unknown = login("nobody".into(), "nope-nope-1".into()).await;
    assert_eq!(wrong, unknown);
    match wrong {
        Err(AppError::Field(fe)) => assert_eq!(fe.message, "Wrong username or password."),
        other => panic!("{other:?}"),
    }
    assert!(set_cookie_header().is_none());
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn disabled_accounts_cannot_sign_in(pool: PgPool) {
    common::user(&pool, "david", false, false).await;
    sqlx::query("UPDATE users SET disabled = TRUE WHERE username = 'david'")
        .execute(&pool)
        .await
        .expect("disable");
    let _o = common::act_as(&pool, None);
    match login("david".into(), common::PASSWORD.into()).await {
        Err(AppError::Field(fe)) => assert!(fe.message.contains("disabled")),
        other => panic!("{other:?}"),
    }
}
