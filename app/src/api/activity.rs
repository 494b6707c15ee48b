//! The audit trail of an organization, and of one entity in it.

use leptos::prelude::*;

use crate::domain::model::AuditEntry;
use crate::domain::paging::{Page, PageRequest};
use crate::error::AppError;

#[server(input = server_fn::codec::Json)]
pub async fn org_activity(org: String, page: PageRequest) -> Result<Page<AuditEntry>, AppError> {
    use crate::domain::roles::Permission;
    let state = crate::state::state()?;
    let user = crate::auth::require_console_user(&state).await?;
    crate::auth::authorize(&state, &user, &org, Permission::View).await?;
    let query = page.check()?;
    crate::store::audit::page(&state.pool, &org, None, &query).await
}

/// The audit trail of one API, plan or client (`entity_type` "api", "plan" or "client").
#[server(input = server_fn::codec::Json)]
pub async fn entity_activity(
    org: String,
    entity_type: String,
    entity_id: String,
    page: PageRequest,
) -> Result<Page<AuditEntry>, AppError> {
    use crate::domain::roles::Permission;
    let (state, ..) = super::in_org(&org, Permission::View).await?;
    let query = page.check()?;
    crate::store::audit::page(&state.pool, &org, Some((&entity_type, &entity_id)), &query).await
}
