//! The policy-chain use cases: each locks the owning version in its own transaction, checks
//! that the chain may change, runs the change and records it. A change to a client's chain
//! marks a registered client for Re-Register.

use sqlx::PgConnection;

use crate::api::clients::service as client_service;
use crate::domain::catalog::{PolicyLevel, PolicyOwner, PolicyView};
use crate::domain::client;
use crate::domain::lifecycle::{self, ApiChange};
use crate::domain::policy::PolicyConfig;
use crate::domain::roles::Permission;
use crate::error::{AppError, AppResult};
use crate::store::audit::Subject;
use crate::store::policies::{self, Owner};
use crate::store::{PgPool, apis, clients, plans};

/// What the caller must hold to change the chain.
pub fn permission(owner: &PolicyOwner) -> Permission {
    match owner.level {
        PolicyLevel::Api => Permission::EditApis,
        PolicyLevel::Plan => Permission::EditPlans,
        PolicyLevel::Client => Permission::EditClients,
    }
}

/// Locks the owning version; `Err` inside means its chain is read-only and why.
async fn resolve(
    conn: &mut PgConnection,
    owner: &PolicyOwner,
) -> AppResult<(Owner, Result<(), String>)> {
    let version = owner.version_ref();
    Ok(match owner.level {
        PolicyLevel::Api => {
            let (id, status) = apis::lock_version(conn, &version).await?;
            (
                Owner::Api(id),
                lifecycle::api_change_allowed(status, ApiChange::Policies),
            )
        }
        PolicyLevel::Plan => {
            let (id, status) = plans::lock_version(conn, &version).await?;
            (Owner::Plan(id), lifecycle::plan_change_allowed(status))
        }
        PolicyLevel::Client => {
            let locked = clients::lock_version(conn, &version).await?;
            (Owner::Client(locked.id), client::can_change(locked.status))
        }
    })
}

/// The chain, and `Err` with the reason when it is read-only.
pub async fn list(
    pool: &PgPool,
    owner: &PolicyOwner,
) -> AppResult<(Vec<PolicyView>, Result<(), String>)> {
    let mut tx = pool.begin().await?;
    let (resolved, editable) = resolve(&mut tx, owner).await?;
    let policies = policies::list(&mut tx, resolved).await?;
    tx.commit().await?;
    Ok((policies, editable))
}

/// Runs one change `f` to the chain in a transaction, with its audit entry (`data` gets the
/// version added).
pub async fn change<F>(
    pool: &PgPool,
    actor: &str,
    owner: &PolicyOwner,
    (action, mut data): (&str, serde_json::Value),
    f: F,
) -> AppResult<()>
where
    F: for<'c> AsyncFnOnce(&'c mut PgConnection, Owner) -> AppResult<()>,
{
    let mut tx = pool.begin().await?;
    let (resolved, editable) = resolve(&mut tx, owner).await?;
    editable.map_err(AppError::Conflict)?;
    f(&mut tx, resolved).await?;
    if let Owner::Client(id) = resolved {
        // A registered client must be registered again before the gateway sees this.
        client_service::changed(&mut tx, id).await?;
    }
    let entity_type = match owner.level {
        PolicyLevel::Api => "api",
        PolicyLevel::Plan => "plan",
        PolicyLevel::Client => "client",
    };
    data["version"] = serde_json::Value::String(owner.version.clone());
    let subject = Subject {
        actor,
        org_id: &owner.org,
        entity_type,
        entity_id: &owner.entity,
    };
    subject.record(&mut tx, action, data).await?;
    tx.commit().await?;
    Ok(())
}

/// Replaces plain passwords of BASIC identities with Argon2id hashes before storing.
pub async fn seal_secrets(config: PolicyConfig) -> AppResult<PolicyConfig> {
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
