//! The Developer Portal's server functions, and the console's refusals for portal-only users.

mod common;

use app::api::apis::{create_api, list_apis};
use app::api::clients::{create_client, list_clients};
use app::api::contracts::{approval_requests, create_contract};
use app::api::orgs::{create_organization, get_organization, search_organizations};
use app::api::plans::{create_plan, list_plans, lock_plan};
use app::api::policies::list_policies;
use app::api::portal::{
    featured_apis, my_clients, portal_api, portal_sign_up, search_portal_apis, signup_organizations,
};
use app::domain::catalog::{ContractStatus, PolicyLevel, PolicyOwner};
use app::domain::portal::SignupTarget;
use app::domain::refs::VersionRef;
use app::domain::roles::Role;
use app::error::AppError;
use sqlx::PgPool;

fn s(v: &str) -> String {
    v.to_string()
}

/// Signs up for STRINGER's Echo 1.0 on plan Gold 1.0.
async fn sign_up_for_echo(
    target: SignupTarget,
) -> Result<app::domain::portal::SignupResult, AppError> {
    portal_sign_up(
        s("STRINGER"),
        s("Echo"),
        s("1.0"),
        s("Gold"),
        s("1.0"),
        target,
    )
    .await
}

fn new_client(org: Option<&str>, name: &str) -> SignupTarget {
    SignupTarget::New {
        org: org.map(s),
        name: s(name),
        version: s("1.0"),
    }
}

/// STRINGER publishes Echo (private, plan Gold with approval), Open (public), and has Draft
/// (unpublished) and Lonely (published, public, no plan). pat is a portal-only Owner of PAT.
async fn world(pool: &PgPool) {
    common::user(pool, "david", false, false).await;
    common::user(pool, "pat", false, true).await;
    let _o = common::as_user(pool, "david").await;
    create_organization(s("STRINGER"), s("Stringer"), String::new())
        .await
        .expect("org");
    create_organization(s("PAT"), s("Pat's"), String::new())
        .await
        .expect("org");
    common::join(pool, "PAT", "pat", Role::Owner).await;
    create_plan(s("STRINGER"), s("Gold"), s("Gold"), s("1.0"), String::new())
        .await
        .expect("plan");
    lock_plan(s("STRINGER"), s("Gold"), s("1.0"))
        .await
        .expect("lock");
    for (api, public, plans, publish) in [
        ("Echo", false, true, true),
        ("Open", true, false, true),
        ("Draft", false, true, false),
        ("Lonely", true, false, true),
    ] {
        let offer: &[(&str, bool)] = if plans { &[("Gold", true)] } else { &[] };
        common::api_offered(
            "STRINGER",
            api,
            "http://127.0.0.1:9/",
            public,
            offer,
            publish,
        )
        .await;
    }
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn portal_only_users_are_refused_every_console_function(pool: PgPool) {
    world(&pool).await;
    let _o = common::as_user(&pool, "pat").await;
    let org = || s("PAT");
    let results: Vec<(&str, Result<(), AppError>)> = vec![
        (
            "get_organization",
            get_organization(org()).await.map(|_| ()),
        ),
        (
            "search_organizations",
            search_organizations(common::all()).await.map(|_| ()),
        ),
        (
            "create_organization",
            create_organization(s("X"), s("X"), String::new())
                .await
                .map(|_| ()),
        ),
        (
            "create_plan",
            create_plan(org(), s("P"), s("P"), s("1"), String::new())
                .await
                .map(|_| ()),
        ),
        (
            "list_plans",
            list_plans(org(), common::all()).await.map(|_| ()),
        ),
        (
            "create_api",
            create_api(org(), s("A"), s("A"), s("1"), String::new())
                .await
                .map(|_| ()),
        ),
        (
            "list_apis",
            list_apis(org(), common::all()).await.map(|_| ()),
        ),
        (
            "create_client",
            create_client(org(), s("C"), s("C"), s("1"), String::new())
                .await
                .map(|_| ()),
        ),
        (
            "list_clients",
            list_clients(org(), common::all()).await.map(|_| ()),
        ),
        (
            "approval_requests",
            approval_requests(common::all()).await.map(|_| ()),
        ),
        (
            "list_policies",
            list_policies(PolicyOwner {
                level: PolicyLevel::Plan,
                org: s("STRINGER"),
                entity: s("Gold"),
                version: s("1.0"),
            })
            .await
            .map(|_| ()),
        ),
        (
            "create_contract",
            create_contract(
                VersionRef::new(org(), "C", "1"),
                VersionRef::new("STRINGER", "Echo", "1.0"),
                s("Gold"),
                s("1.0"),
            )
            .await
            .map(|_| ()),
        ),
    ];
    for (name, result) in results {
        assert_eq!(result, Err(AppError::Forbidden), "{name}");
    }
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn the_portal_shows_only_published_apis_that_can_be_used(pool: PgPool) {
    world(&pool).await;
    let _o = common::as_user(&pool, "pat").await;
    let names: Vec<String> = search_portal_apis(common::all())
        .await
        .expect("search")
        .items
        .into_iter()
        .map(|c| c.api_id)
        .collect();
    assert_eq!(names, ["Echo", "Lonely", "Open"], "Draft is not published");
    assert!(
        featured_apis(common::all())
            .await
            .expect("featured")
            .items
            .is_empty()
    );
    let found: Vec<String> = search_portal_apis(common::filtered("ech"))
        .await
        .expect("search")
        .items
        .into_iter()
        .map(|c| c.api_id)
        .collect();
    assert_eq!(found, ["Echo"]);
    assert!(matches!(
        portal_api(s("STRINGER"), s("Draft"), String::new()).await,
        Err(AppError::NotFound(_))
    ));
    let echo = portal_api(s("STRINGER"), s("Echo"), String::new())
        .await
        .expect("details");
    assert_eq!(echo.plans.len(), 1);
    assert!(echo.plans[0].requires_approval);
    let _o = common::act_as(&pool, None);
    assert_eq!(
        search_portal_apis(common::all()).await,
        Err(AppError::Unauthenticated)
    );
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn portal_sign_up_creates_what_is_missing_in_one_go(pool: PgPool) {
    world(&pool).await;
    common::user(&pool, "newbie", false, true).await;
    {
        let _o = common::as_user(&pool, "newbie").await;
        assert!(
            signup_organizations(common::all())
                .await
                .expect("orgs")
                .items
                .is_empty()
        );
        let result = sign_up_for_echo(new_client(None, "My App"))
            .await
            .expect("sign up");
        assert_eq!(result.status, ContractStatus::AwaitingApproval);
        assert_eq!(result.api_key, None);
        assert_eq!(result.client_org, "newbie-personal");
        let mine = my_clients(common::all()).await.expect("mine").items;
        assert_eq!(mine[0].versions[0].api_key, None);
        // A bad new client changes nothing: no second client, no contract.
        let refused = sign_up_for_echo(new_client(Some("newbie-personal"), "  ")).await;
        assert!(
            matches!(refused, Err(AppError::Field(ref fe)) if fe.field == "name"),
            "{refused:?}"
        );
        // Someone else's organization is refused.
        let foreign = sign_up_for_echo(new_client(Some("STRINGER"), "Sneaky")).await;
        assert_eq!(foreign.map(|_| ()), Err(AppError::Forbidden));
    }
    let (clients,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM clients WHERE org_id = 'newbie-personal'")
            .fetch_one(&pool)
            .await
            .expect("count");
    assert_eq!(clients, 1);

    // david may edit STRINGER's plans: his sign-up is active and registered at once.
    let _o = common::as_user(&pool, "david").await;
    create_client(
        s("STRINGER"),
        s("Spring"),
        s("Spring"),
        s("1.0"),
        String::new(),
    )
    .await
    .expect("client");
    let result = sign_up_for_echo(SignupTarget::Existing {
        org: s("STRINGER"),
        client: s("Spring"),
        version: s("1.0"),
    })
    .await
    .expect("sign up");
    assert_eq!(result.status, ContractStatus::Active);
    assert_eq!(result.api_key.as_deref().map(str::len), Some(43));
    assert_eq!(result.endpoint_path, "/gateway/STRINGER/Echo/1.0");
}
