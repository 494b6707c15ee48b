//! The portal's sign-up: one transaction that creates what is missing (the personal
//! organization, the client), the contract, and registers the client when the contract is
//! active: all or nothing.

use sqlx::PgConnection;

use crate::api::clients::service as client_service;
use crate::api::contracts::service::{self as contract_service, NewContract};
use crate::api::orgs::service as org_service;
use crate::domain::catalog::ContractStatus;
use crate::domain::portal::{SignupResult, SignupTarget, personal_org_id};
use crate::domain::refs::VersionRef;
use crate::error::{AppError, AppResult};
use crate::store::versioned::NewEntity;
use crate::store::{PgPool, clients, keys, orgs, portal};

/// What the API version of a sign-up is, and through which plan version (of the API's
/// organization).
#[derive(Debug, Clone)]
pub struct SignupApi {
    pub api: VersionRef,
    pub plan: VersionRef,
}

/// Signs `target` up for the plan of the API version in `signup`. The caller has checked that
/// `username` may create clients in the organization `target` names (a personal organization
/// needs no check).
pub async fn sign_up(
    pool: &PgPool,
    username: &str,
    target: &SignupTarget,
    signup: SignupApi,
    may_approve: bool,
) -> AppResult<SignupResult> {
    let mut tx = pool.begin().await?;
    let client = client_of(&mut tx, username, target).await?;
    let locked = clients::lock_version(&mut tx, &client).await?;
    let contract = NewContract {
        client,
        api: signup.api,
        plan: signup.plan,
    };
    let (_, status) =
        contract_service::create_locked(&mut tx, username, &contract, &locked, may_approve).await?;
    let mut api_key = None;
    if status == ContractStatus::Active {
        client_service::register_if_ready(&mut tx, username, &contract.client, locked.id).await?;
        api_key = keys::current(&mut tx, locked.id).await?;
    }
    tx.commit().await?;
    let endpoint_path = contract.api.gateway_path();
    let VersionRef { org, id, version } = contract.client;
    Ok(SignupResult {
        status,
        client_org: org,
        client_id: id,
        client_version: version,
        api_key,
        endpoint_path,
    })
}

/// The client version the sign-up is for, created first when it is new.
async fn client_of(
    conn: &mut PgConnection,
    username: &str,
    target: &SignupTarget,
) -> AppResult<VersionRef> {
    let (org, name, version) = match target {
        SignupTarget::Existing {
            org,
            client,
            version,
        } => {
            return Ok(VersionRef::new(
                org.clone(),
                client.clone(),
                version.clone(),
            ));
        }
        SignupTarget::New { org, name, version } => (org, name, version),
    };
    let org = match org {
        Some(o) => o.clone(),
        None => personal_org(conn, username).await?,
    };
    let id = crate::domain::ids::slug_from_name(name);
    crate::domain::ids::validate_id("name", &id)
        .map_err(|_| AppError::field("name", "Give the client a name with letters or digits."))?;
    let new = NewEntity {
        org: &org,
        id: &id,
        name,
        description: "",
        version,
    };
    // The wizard asks for a name only: an id that is taken is the name's problem.
    client_service::create_in(conn, username, &new)
        .await
        .map_err(|e| match e {
            AppError::Field(fe) if fe.field == "id" => AppError::field("name", fe.message),
            other => other,
        })?;
    Ok(VersionRef::new(org, id, version.clone()))
}

/// The user's personal organization, created with them as Owner if they have none yet. It is
/// found by the mark the system sets when creating it, never by its name: anyone can create an
/// organization called `bob-personal` and add bob to it.
async fn personal_org(conn: &mut PgConnection, username: &str) -> AppResult<String> {
    portal::lock_personal_org(conn, username).await?;
    match portal::personal_org(conn, username).await? {
        Some((id, true)) => return Ok(id),
        Some((id, false)) => {
            return Err(AppError::Conflict(format!(
                "You are no longer an Owner of your personal organization {id}: choose another organization or ask an administrator."
            )));
        }
        None => {}
    }
    let base = personal_org_id(username);
    for n in 0..20 {
        let id = if n == 0 {
            base.clone()
        } else {
            format!("{base}{n}")
        };
        if !orgs::id_taken(conn, &id).await? {
            org_service::create_in(
                conn,
                username,
                &id,
                &format!("{username} (personal)"),
                "Created for your Developer Portal sign-ups.",
            )
            .await?;
            orgs::mark_personal(conn, &id, username).await?;
            return Ok(id);
        }
    }
    Err(AppError::Conflict(
        "No personal organization could be created: ask an administrator.".into(),
    ))
}
