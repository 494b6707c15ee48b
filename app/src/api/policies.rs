//! Policies of API and plan versions: list, add, edit, remove, reorder.
//! Changes are refused once the version is locked (plans) or published (APIs).

use leptos::prelude::*;

use crate::domain::catalog::{PolicyChain, PolicyOwner};
use crate::domain::policy::{FormValues, PolicyType};
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    use sqlx::PgConnection;

    use crate::domain::catalog::{PolicyLevel, PolicyOwner};
    use crate::domain::client;
    use crate::domain::lifecycle::{self, ApiChange};
    use crate::domain::roles::Permission;
    use crate::error::{AppError, AppResult};
    use crate::store::policies::Owner;
    use crate::store::{apis, clients, plans};

    pub fn permission(owner: &PolicyOwner) -> Permission {
        match owner.level {
            PolicyLevel::Api => Permission::EditApis,
            PolicyLevel::Plan => Permission::EditPlans,
            PolicyLevel::Client => Permission::EditClients,
        }
    }

    /// Locks the owning version; `Err` inside means its chain is read-only and why.
    pub async fn resolve(
        conn: &mut PgConnection,
        owner: &PolicyOwner,
    ) -> AppResult<(Owner, Result<(), String>)> {
        let PolicyOwner {
            org,
            entity,
            version,
            ..
        } = owner;
        Ok(match owner.level {
            PolicyLevel::Api => {
                let (id, status) = apis::lock_version(conn, org, entity, version).await?;
                (
                    Owner::Api(id),
                    lifecycle::api_change_allowed(status, ApiChange::Policies),
                )
            }
            PolicyLevel::Plan => {
                let (id, status) = plans::lock_version(conn, org, entity, version).await?;
                (Owner::Plan(id), lifecycle::plan_change_allowed(status))
            }
            PolicyLevel::Client => {
                let locked = clients::lock_version(conn, org, entity, version).await?;
                (Owner::Client(locked.id), client::can_change(locked.status))
            }
        })
    }

    /// Runs one change to the chain in a transaction, with its audit entry.
    pub async fn change<F>(
        owner: &PolicyOwner,
        action: &str,
        data: serde_json::Value,
        f: F,
    ) -> AppResult<()>
    where
        F: for<'c> AsyncFnOnce(&'c mut PgConnection, Owner) -> AppResult<()>,
    {
        let (state, user, _) = crate::api::in_org(&owner.org, permission(owner)).await?;
        let mut tx = state.pool.begin().await?;
        let (resolved, editable) = resolve(&mut tx, owner).await?;
        editable.map_err(AppError::Conflict)?;
        f(&mut tx, resolved).await?;
        if let Owner::Client(id) = resolved {
            // A registered client must be registered again before the gateway sees this.
            clients::changed(&mut tx, id).await?;
        }
        let entity_type = match owner.level {
            PolicyLevel::Api => "api",
            PolicyLevel::Plan => "plan",
            PolicyLevel::Client => "client",
        };
        let mut data = data;
        data["version"] = serde_json::Value::String(owner.version.clone());
        crate::store::audit::record(
            &mut tx,
            crate::store::audit::Change {
                actor: &user.username,
                org_id: Some(&owner.org),
                entity_type,
                entity_id: &owner.entity,
                action,
                data,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces plain passwords of BASIC identities with Argon2id hashes before storing.
    pub async fn seal_secrets(
        config: crate::domain::policy::PolicyConfig,
    ) -> AppResult<crate::domain::policy::PolicyConfig> {
        use crate::domain::policy::PolicyConfig;
        let PolicyConfig::BasicAuth(mut basic) = config else {
            return Ok(config);
        };
        for identity in &mut basic.static_identity.identities {
            if let Some(password) = identity.password.take() {
                identity.password_hash = Some(crate::auth::password::hash(password).await?);
            }
        }
        Ok(PolicyConfig::BasicAuth(basic))
    }
}

#[server(input = server_fn::codec::Json)]
pub async fn list_policies(owner: PolicyOwner) -> Result<PolicyChain, AppError> {
    use crate::auth::guard::actor;
    use crate::domain::roles::Permission;
    let (state, user, role) = super::in_org(&owner.org, Permission::View).await?;
    let mut tx = state.pool.begin().await?;
    let (resolved, editable) = ssr::resolve(&mut tx, &owner).await?;
    let policies = crate::store::policies::list(&mut tx, resolved).await?;
    tx.commit().await?;
    let may_edit = actor(&user).may(role, ssr::permission(&owner));
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
    super::in_org(&owner.org, ssr::permission(&owner)).await?;
    let config = PolicyConfig::from_form(policy_type, &form)?;
    let config = ssr::seal_secrets(config).await?;
    ssr::change(
        &owner,
        "policy_added",
        serde_json::json!({"type": policy_type.label()}),
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
    ssr::change(
        &owner,
        "policy_updated",
        serde_json::json!({"policy": policy_id}),
        async move |conn, o| {
            let (t, previous) = crate::store::policies::get(conn, o, policy_id).await?;
            let config = PolicyConfig::from_form_keeping(t, &form, previous.as_ref())?;
            let config = ssr::seal_secrets(config).await?;
            crate::store::policies::update(conn, o, policy_id, &config).await
        },
    )
    .await
}

#[server(input = server_fn::codec::Json)]
pub async fn remove_policy(owner: PolicyOwner, policy_id: i64) -> Result<(), AppError> {
    ssr::change(
        &owner,
        "policy_removed",
        serde_json::json!({"policy": policy_id}),
        async move |conn, o| crate::store::policies::remove(conn, o, policy_id).await,
    )
    .await
}

#[server(input = server_fn::codec::Json)]
pub async fn move_policy(owner: PolicyOwner, policy_id: i64, up: bool) -> Result<(), AppError> {
    ssr::change(
        &owner,
        "policy_moved",
        serde_json::json!({"policy": policy_id, "up": up}),
        async move |conn, o| crate::store::policies::shift(conn, o, policy_id, up).await,
    )
    .await
}
