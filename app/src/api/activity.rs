//! The audit trail of an organization.

use leptos::prelude::*;

use crate::domain::model::AuditEntry;
use crate::error::AppError;

#[server]
pub async fn org_activity(org: String) -> Result<Vec<AuditEntry>, AppError> {
    use crate::domain::roles::Permission;
    let state = crate::state::state()?;
    let user = crate::auth::require_console_user(&state).await?;
    crate::auth::authorize(&state, &user, &org, Permission::View).await?;
    crate::store::audit::list_for_org(&state.pool, &org, 200).await
}
