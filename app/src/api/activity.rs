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

/// The audit trail of one API or plan (`entity_type` "api" or "plan").
#[server]
pub async fn entity_activity(
    org: String,
    entity_type: String,
    entity_id: String,
) -> Result<Vec<AuditEntry>, AppError> {
    use crate::domain::roles::Permission;
    let (state, ..) = super::in_org(&org, Permission::View).await?;
    crate::store::audit::list_for_entity(&state.pool, &org, &entity_type, &entity_id, 200).await
}
