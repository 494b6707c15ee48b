//! Policies of API and plan versions: list, add, edit, remove, reorder.
//! Changes are refused once the version is locked (plans) or published (APIs).

use leptos::prelude::*;

use crate::domain::catalog::{PolicyChain, PolicyOwner};
use crate::domain::policy::{FormValues, PolicyType};
use crate::error::AppError;

#[cfg(feature = "ssr")]
pub mod service;

#[server(input = server_fn::codec::Json)]
pub async fn list_policies(owner: PolicyOwner) -> Result<PolicyChain, AppError> {
    use crate::auth::guard::actor;
    use crate::domain::roles::Permission;
    let (state, user, role) = super::in_org(&owner.org, Permission::View).await?;
    let (policies, editable) = service::list(&state.pool, &owner).await?;
    let may_edit = actor(&user).may(role, service::permission(&owner));
    Ok(PolicyChain {
        policies,
        editable: may_edit && editable.is_ok(),
        read_only_reason: editable.err(),
    })
}

/// Adds a policy configured by the values of its form.
#[server(input = server_fn::codec::Json)]
pub async fn add_policy(
    owner: PolicyOwner,
    policy_type: PolicyType,
    form: FormValues,
) -> Result<(), AppError> {
    use crate::domain::policy::PolicyConfig;
    // The caller first: parsing and Argon2-hashing BASIC passwords is work an anonymous
    // request must not be able to trigger.
    let (state, user, _) = super::in_org(&owner.org, service::permission(&owner)).await?;
    let config = PolicyConfig::from_form(policy_type, &form)?;
    let config = service::seal_secrets(config).await?;
    let data = serde_json::json!({"type": policy_type.label()});
    service::change(
        &state.pool,
        &user.username,
        &owner,
        ("policy_added", data),
        async move |conn, o| {
            crate::store::policies::add(conn, o, &config)
                .await
                .map(|_| ())
        },
    )
    .await
}

/// Replaces a policy's configuration. BASIC identities sent without a password keep their hash.
#[server(input = server_fn::codec::Json)]
pub async fn update_policy(
    owner: PolicyOwner,
    policy_id: i64,
    form: FormValues,
) -> Result<(), AppError> {
    use crate::domain::policy::PolicyConfig;
    let (state, user, _) = super::in_org(&owner.org, service::permission(&owner)).await?;
    let data = serde_json::json!({"policy": policy_id});
    service::change(
        &state.pool,
        &user.username,
        &owner,
        ("policy_updated", data),
        async move |conn, o| {
            let (t, previous) = crate::store::policies::get(conn, o, policy_id).await?;
            let config = PolicyConfig::from_form_keeping(t, &form, previous.as_ref())?;
            let config = service::seal_secrets(config).await?;
            crate::store::policies::update(conn, o, policy_id, &config).await
        },
    )
    .await
}

#[server(input = server_fn::codec::Json)]
pub async fn remove_policy(owner: PolicyOwner, policy_id: i64) -> Result<(), AppError> {
    let (state, user, _) = super::in_org(&owner.org, service::permission(&owner)).await?;
    let data = serde_json::json!({"policy": policy_id});
    service::change(
        &state.pool,
        &user.username,
        &owner,
        ("policy_removed", data),
        async move |conn, o| crate::store::policies::remove(conn, o, policy_id).await,
    )
    .await
}

#[server(input = server_fn::codec::Json)]
pub async fn move_policy(owner: PolicyOwner, policy_id: i64, up: bool) -> Result<(), AppError> {
    let (state, user, _) = super::in_org(&owner.org, service::permission(&owner)).await?;
    let data = serde_json::json!({"policy": policy_id, "up": up});
    service::change(
        &state.pool,
        &user.username,
        &owner,
        ("policy_moved", data),
        async move |conn, o| crate::store::policies::shift(conn, o, policy_id, up).await,
    )
    .await
}
