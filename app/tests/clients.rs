//! Clients, contracts and approvals through the server functions, against real Postgres.

mod common;

use app::api::clients::{
    create_client, delete_client, get_client_version, new_client_version, regenerate_api_key,
    register_client, retire_client,
};
use app::api::contracts::{
    approval_requests, approve_contract, create_contract, delete_contract, reject_contract,
};
use app::api::orgs::create_organization;
use app::api::plans::{create_plan, lock_plan};
use app::api::policies::add_policy;
use app::domain::catalog::{ContractStatus, PolicyLevel, PolicyOwner};
use app::domain::client::ClientStatus;
use app::domain::policy::PolicyType;
use app::domain::refs::VersionRef;
use app::domain::roles::Role;
use app::error::AppError;
use sqlx::PgPool;

fn s(v: &str) -> String {
    v.to_string()
}

/// STRINGER (david) publishes PrivateEchoAPI 1.0 with Gold (approval) and Silver, and the
/// public OpenAPI 1.0; SPRING (rose) and STRINGER each have a client "App" 1.0.
async fn world(pool: &PgPool) {
    for name in ["david", "rose", "viewer"] {
        common::user(pool, name, false, false).await;
    }
    {
        let _o = common::as_user(pool, "david").await;
        create_organization(s("STRINGER"), s("Stringer"), String::new())
            .await
            .expect("org");
        common::join(pool, "STRINGER", "viewer", Role::Viewer).await;
        for plan in ["Gold", "Silver", "Draft"] {
            create_plan(s("STRINGER"), s(plan), s(plan), s("1.0"), String::new())
                .await
                .expect("plan");
        }
        for plan in ["Gold", "Silver"] {
            lock_plan(s("STRINGER"), s(plan), s("1.0"))
                .await
                .expect("lock");
        }
        for (api, public) in [
            ("PrivateEchoAPI", false),
            ("OpenAPI", true),
            ("Unpublished", false),
        ] {
            let offer: &[(&str, bool)] = if public {
                &[]
            } else {
                &[("Gold", true), ("Silver", false)]
            };
            let publish = api != "Unpublished";
            common::api_offered(
                "STRINGER",
                api,
                "http://127.0.0.1:9/echo",
                public,
                offer,
                publish,
            )
            .await;
        }
        create_client(s("STRINGER"), s("App"), s("App"), s("1.0"), String::new())
            .await
            .expect("client");
    }
    let _o = common::as_user(pool, "rose").await;
    create_organization(s("SPRING"), s("Spring Corp."), String::new())
        .await
        .expect("org");
    create_client(s("SPRING"), s("App"), s("App"), s("1.0"), String::new())
        .await
        .expect("client");
}

async fn contract(client_org: &str, api: &str, plan: &str) -> Result<ContractStatus, AppError> {
    create_contract(
        VersionRef::new(client_org, "App", "1.0"),
        VersionRef::new("STRINGER", api, "1.0"),
        s(plan),
        s("1.0"),
    )
    .await
}

async fn client_status(org: &str) -> ClientStatus {
    get_client_version(s(org), s("App"), s("1.0"))
        .await
        .expect("client")
        .status
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn clients_get_keys_and_contracts_are_checked(pool: PgPool) {
    world(&pool).await;
    let _o = common::as_user(&pool, "david").await;
    let view = get_client_version(s("STRINGER"), s("App"), s("1.0"))
        .await
        .expect("view");
    assert_eq!(view.status, ClientStatus::Created);
    assert_eq!(view.api_key.as_deref().map(str::len), Some(43));

    let refused = |r: Result<ContractStatus, AppError>, word: &str| match r {
        Err(AppError::Conflict(m)) => assert!(m.contains(word), "{m}"),
        other => panic!("expected a refusal mentioning {word}, got {other:?}"),
    };
    refused(contract("STRINGER", "OpenAPI", "Gold").await, "public");
    refused(
        contract("STRINGER", "Unpublished", "Gold").await,
        "published",
    );
    refused(
        contract("STRINGER", "PrivateEchoAPI", "Draft").await,
        "does not offer",
    );
    assert!(matches!(
        contract("STRINGER", "NoSuchAPI", "Gold").await,
        Err(AppError::NotFound(_))
    ));

    // david may edit STRINGER's plans, so Gold needs no approval for him.
    assert_eq!(
        contract("STRINGER", "PrivateEchoAPI", "Gold").await,
        Ok(ContractStatus::Active)
    );
    refused(
        contract("STRINGER", "PrivateEchoAPI", "Silver").await,
        "already has",
    );
    assert_eq!(client_status("STRINGER").await, ClientStatus::Ready);

    // A new version has its own key and copies the contracts.
    new_client_version(s("STRINGER"), s("App"), s("1.0"), s("2.0"))
        .await
        .expect("v2");
    let v2 = get_client_version(s("STRINGER"), s("App"), s("2.0"))
        .await
        .expect("v2");
    assert_ne!(v2.api_key, view.api_key);
    assert_eq!(v2.contracts.len(), 1);
    assert_eq!(v2.status, ClientStatus::Ready);

    // Register, change, re-register, retire, delete.
    regenerate_api_key(s("STRINGER"), s("App"), s("1.0"))
        .await
        .expect("regenerate while Ready");
    register_client(s("STRINGER"), s("App"), s("1.0"))
        .await
        .expect("register");
    assert_eq!(client_status("STRINGER").await, ClientStatus::Registered);
    assert!(matches!(
        register_client(s("STRINGER"), s("App"), s("1.0")).await,
        Err(AppError::Conflict(_))
    ));
    assert!(matches!(
        regenerate_api_key(s("STRINGER"), s("App"), s("1.0")).await,
        Err(AppError::Conflict(m)) if m.contains("registered")
    ));
    assert!(matches!(
        delete_client(s("STRINGER"), s("App")).await,
        Err(AppError::Conflict(_))
    ));
    let owner = PolicyOwner {
        level: PolicyLevel::Client,
        org: s("STRINGER"),
        entity: s("App"),
        version: s("1.0"),
    };
    let mut form = PolicyType::RateLimiting.default_form();
    form.insert(s("limit"), s("5"));
    add_policy(owner, PolicyType::RateLimiting, form)
        .await
        .expect("client policy");
    let view = get_client_version(s("STRINGER"), s("App"), s("1.0"))
        .await
        .expect("view");
    assert!(view.needs_reregister);
    register_client(s("STRINGER"), s("App"), s("1.0"))
        .await
        .expect("re-register");
    assert!(
        !get_client_version(s("STRINGER"), s("App"), s("1.0"))
            .await
            .expect("view")
            .needs_reregister
    );
    retire_client(s("STRINGER"), s("App"), s("1.0"))
        .await
        .expect("retire");
    assert_eq!(client_status("STRINGER").await, ClientStatus::Retired);
    refused(contract("STRINGER", "OpenAPI", "Gold").await, "retired");
    assert!(matches!(
        retire_client(s("STRINGER"), s("App"), s("1.0")).await,
        Err(AppError::Conflict(_))
    ));
    delete_client(s("STRINGER"), s("App"))
        .await
        .expect("delete once no version is registered");
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn requests_for_approval_plans_wait_for_the_provider(pool: PgPool) {
    world(&pool).await;
    {
        let _o = common::as_user(&pool, "rose").await;
        assert_eq!(
            contract("SPRING", "PrivateEchoAPI", "Gold").await,
            Ok(ContractStatus::AwaitingApproval)
        );
        assert_eq!(
            client_status("SPRING").await,
            ClientStatus::AwaitingApproval
        );
        assert!(matches!(
            register_client(s("SPRING"), s("App"), s("1.0")).await,
            Err(AppError::Conflict(_))
        ));
        assert!(
            approval_requests(common::all())
                .await
                .expect("none for rose")
                .items
                .is_empty()
        );
        let id = get_client_version(s("SPRING"), s("App"), s("1.0"))
            .await
            .expect("view")
            .contracts[0]
            .id;
        assert_eq!(approve_contract(id).await, Err(AppError::Forbidden));
    }
    let id = {
        let _o = common::as_user(&pool, "viewer").await;
        assert!(
            approval_requests(common::all())
                .await
                .expect("none for a viewer")
                .items
                .is_empty()
        );
        let _o = common::as_user(&pool, "david").await;
        let waiting = approval_requests(common::all())
            .await
            .expect("requests")
            .items;
        assert_eq!(waiting.len(), 1);
        assert_eq!(waiting[0].client_org, "SPRING");
        waiting[0].id
    };
    {
        let _o = common::as_user(&pool, "viewer").await;
        assert_eq!(approve_contract(id).await, Err(AppError::Forbidden));
    }
    let _o = common::as_user(&pool, "david").await;
    approve_contract(id).await.expect("approve");
    assert!(matches!(
        approve_contract(id).await,
        Err(AppError::Conflict(_))
    ));
    let _o = common::as_user(&pool, "rose").await;
    // Approving the last waiting contract registers the client.
    assert_eq!(client_status("SPRING").await, ClientStatus::Registered);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn rejected_requests_are_deleted_and_explained(pool: PgPool) {
    world(&pool).await;
    {
        let _o = common::as_user(&pool, "rose").await;
        contract("SPRING", "PrivateEchoAPI", "Gold")
            .await
            .expect("request");
    }
    let _o = common::as_user(&pool, "david").await;
    let id = approval_requests(common::all())
        .await
        .expect("requests")
        .items[0]
        .id;
    match reject_contract(id, s("  ")).await {
        Err(AppError::Field(fe)) => assert_eq!(fe.field, "reason"),
        other => panic!("expected a reason error, got {other:?}"),
    }
    reject_contract(id, s("Gold is for partners only"))
        .await
        .expect("reject");
    let _o = common::as_user(&pool, "rose").await;
    let view = get_client_version(s("SPRING"), s("App"), s("1.0"))
        .await
        .expect("view");
    assert!(view.contracts.is_empty());
    assert_eq!(view.status, ClientStatus::Created);
    assert_eq!(view.rejections[0].reason, "Gold is for partners only");
    assert_eq!(view.rejections[0].by, "david");
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn concurrent_decisions_leave_one_consistent_outcome(pool: PgPool) {
    world(&pool).await;
    let id = {
        let _o = common::as_user(&pool, "rose").await;
        contract("SPRING", "PrivateEchoAPI", "Gold")
            .await
            .expect("request");
        let _o = common::as_user(&pool, "david").await;
        approval_requests(common::all())
            .await
            .expect("requests")
            .items[0]
            .clone()
    };
    use app::api::contracts::service as contracts;
    // Two approvals at once: one wins, the other is told it was already approved.
    let (a, b) = tokio::join!(
        contracts::approve(&pool, "david", &id),
        contracts::approve(&pool, "david", &id)
    );
    assert_eq!(a.is_ok() as u8 + b.is_ok() as u8, 1, "{a:?} {b:?}");
    let (status,): (String,) = sqlx::query_as("SELECT status FROM contracts WHERE id = $1")
        .bind(id.id)
        .fetch_one(&pool)
        .await
        .expect("contract");
    assert_eq!(status, "Active");

    // Approve and reject at once on a fresh request: exactly one decision sticks.
    sqlx::query("DELETE FROM contracts")
        .execute(&pool)
        .await
        .expect("reset");
    let request = {
        let _o = common::as_user(&pool, "rose").await;
        sqlx::query("UPDATE client_versions SET registered_at = NULL, status = 'Created'")
            .execute(&pool)
            .await
            .expect("reset client");
        contract("SPRING", "PrivateEchoAPI", "Gold")
            .await
            .expect("request");
        let _o = common::as_user(&pool, "david").await;
        approval_requests(common::all())
            .await
            .expect("requests")
            .items[0]
            .clone()
    };
    let (a, r) = tokio::join!(
        contracts::approve(&pool, "david", &request),
        contracts::reject(&pool, "david", &request, "no")
    );
    assert_eq!(a.is_ok() as u8 + r.is_ok() as u8, 1, "{a:?} {r:?}");
    let left: Vec<(String,)> = sqlx::query_as("SELECT status FROM contracts")
        .fetch_all(&pool)
        .await
        .expect("rows");
    if a.is_ok() {
        assert_eq!(left, [(s("Active"),)]);
    } else {
        assert!(left.is_empty());
    }

    // Two deletions at once: one deletes, the other finds nothing.
    let _o = common::as_user(&pool, "david").await;
    contract("STRINGER", "PrivateEchoAPI", "Silver")
        .await
        .expect("contract");
    let view = get_client_version(s("STRINGER"), s("App"), s("1.0"))
        .await
        .expect("view");
    let c = view.contracts[0].clone();
    let (d1, d2) = tokio::join!(
        contracts::delete(&pool, "david", &c),
        contracts::delete(&pool, "david", &c)
    );
    assert_eq!(d1.is_ok() as u8 + d2.is_ok() as u8, 1, "{d1:?} {d2:?}");
    assert_eq!(client_status("STRINGER").await, ClientStatus::Created);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn viewers_and_non_members_cannot_change_clients_or_contracts(pool: PgPool) {
    world(&pool).await;
    let contract_id = {
        let _o = common::as_user(&pool, "david").await;
        contract("STRINGER", "PrivateEchoAPI", "Silver")
            .await
            .expect("contract");
        get_client_version(s("STRINGER"), s("App"), s("1.0"))
            .await
            .expect("view")
            .contracts[0]
            .id
    };
    for who in ["viewer", "rose"] {
        let _o = common::as_user(&pool, who).await;
        let results: Vec<(&str, Result<(), AppError>)> = vec![
            (
                "create_client",
                create_client(s("STRINGER"), s("X"), s("X"), s("1"), String::new())
                    .await
                    .map(|_| ()),
            ),
            (
                "register_client",
                register_client(s("STRINGER"), s("App"), s("1.0")).await,
            ),
            (
                "retire_client",
                retire_client(s("STRINGER"), s("App"), s("1.0")).await,
            ),
            (
                "regenerate_api_key",
                regenerate_api_key(s("STRINGER"), s("App"), s("1.0")).await,
            ),
            (
                "new_client_version",
                new_client_version(s("STRINGER"), s("App"), s("1.0"), s("2")).await,
            ),
            (
                "delete_client",
                delete_client(s("STRINGER"), s("App")).await,
            ),
            (
                "create_contract",
                contract("STRINGER", "PrivateEchoAPI", "Gold")
                    .await
                    .map(|_| ()),
            ),
            ("delete_contract", delete_contract(contract_id).await),
        ];
        for (name, result) in results {
            assert_eq!(result, Err(AppError::Forbidden), "{who} calling {name}");
        }
    }
    let (versions, contracts): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM client_versions), (SELECT count(*) FROM contracts)",
    )
    .fetch_one(&pool)
    .await
    .expect("counts");
    assert_eq!(
        (versions, contracts),
        (2, 1),
        "refused calls change nothing"
    );
}
