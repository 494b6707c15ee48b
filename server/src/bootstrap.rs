//! First-start set-up: the administrator account.

use app::auth::password;
use app::store::{self, PgPool};

pub const ADMIN: &str = "admin";

/// Creates `admin` when it does not exist yet. Returns the generated password when none
/// was configured, so the caller can print it once.
pub async fn ensure_admin(
    pool: &PgPool,
    configured: Option<&str>,
) -> anyhow::Result<Option<String>> {
    if store::users::exists(pool, ADMIN)
        .await
        .map_err(anyhow_app)?
    {
        return Ok(None);
    }
    let generated = configured.is_none().then(app::auth::token::new_token);
    let secret = configured
        .map(str::to_string)
        .or_else(|| generated.clone())
        .unwrap_or_default();
    let hash = password::hash(secret).await.map_err(anyhow_app)?;
    let created = app::api::users::service::create(
        pool,
        "system",
        store::users::NewUser {
            username: ADMIN,
            display_name: "Administrator",
            email: "",
            password_hash: &hash,
            is_admin: true,
            portal_only: false,
        },
    )
    .await;
    match created {
        Ok(()) => Ok(generated),
        // Another process created it between our check and insert: that is fine.
        Err(app::error::AppError::Field(_)) => Ok(None),
        Err(e) => Err(anyhow_app(e)),
    }
}

pub fn anyhow_app(e: app::error::AppError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}
