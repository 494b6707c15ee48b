//! APIs, plans and policies through the server functions, against real Postgres.

mod catalog_world;
mod common;

use app::api::apis::{
    create_api, delete_api, get_api_version, new_api_version, publish_api, retire_api,
    set_api_implementation, set_api_plans, update_api_details,
};
use app::api::plans::{create_plan, get_plan_version, lock_plan, new_plan_version};
use app::api::policies::{add_policy, list_policies, move_policy, remove_policy, update_policy};
use app::domain::lifecycle::{ApiStatus, PlanStatus};
use app::domain::policy::PolicyType;
use app::error::AppError;
use sqlx::PgPool;

use catalog_world::{ORG, offer, plan_owner, rate_limit, s, world};

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn the_tutorial_world_can_be_built_and_published(pool: PgPool) {
    world(&pool).await;
    let _o = common::as_user(&pool, "david").await;
    create_plan(s(ORG), s("Gold"), s("Gold"), s("1.0"), String::new())
        .await
        .expect("plan");
    add_policy(
        plan_owner("Gold", "1.0"),
        PolicyType::RateLimiting,
        rate_limit("10000"),
    )
    .await
    .expect("policy");
    let chain = list_policies(plan_owner("Gold", "1.0"))
        .await
        .expect("chain");
    assert_eq!(
        chain.policies[0].summary,
        "10,000 requests per day per client"
    );
    assert!(chain.editable);

    create_api(
        s(ORG),
        s("PrivateEchoAPI"),
        s("PrivateEchoAPI"),
        s("1.0"),
        String::new(),
    )
    .await
    .expect("api");
    let view = get_api_version(s(ORG), s("PrivateEchoAPI"), s("1.0"))
        .await
        .expect("view");
    assert_eq!(view.status, ApiStatus::Created);
    assert!(!view.readiness.endpoint_set);

    // Offering an unlocked plan is refused, at the plans field.
    match set_api_plans(s(ORG), s("PrivateEchoAPI"), s("1.0"), offer("Gold", true)).await {
        Err(AppError::Field(fe)) => {
            assert_eq!(fe.field, "plans");
            assert!(fe.message.contains("not locked"), "{}", fe.message);
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // Publishing before the checklist is complete is refused.
    assert!(matches!(
        publish_api(s(ORG), s("PrivateEchoAPI"), s("1.0")).await,
        Err(AppError::Conflict(m)) if m.contains("not ready")
    ));

    lock_plan(s(ORG), s("Gold"), s("1.0")).await.expect("lock");
    set_api_plans(s(ORG), s("PrivateEchoAPI"), s("1.0"), offer("Gold", true))
        .await
        .expect("offer");
    match set_api_implementation(
        s(ORG),
        s("PrivateEchoAPI"),
        s("1.0"),
        s("not a url"),
        s(""),
        false,
    )
    .await
    {
        Err(AppError::Field(fe)) => assert_eq!(fe.field, "endpoint"),
        other => panic!("expected an endpoint error, got {other:?}"),
    }
    set_api_implementation(
        s(ORG),
        s("PrivateEchoAPI"),
        s("1.0"),
        s("http://127.0.0.1:9/echo"),
        s(""),
        false,
    )
    .await
    .expect("endpoint");
    let view = get_api_version(s(ORG), s("PrivateEchoAPI"), s("1.0"))
        .await
        .expect("view");
    assert_eq!(view.status, ApiStatus::Ready);
    assert!(view.readiness.is_ready());
    assert!(view.plans[0].requires_approval);

    assert_eq!(
        publish_api(s(ORG), s("PrivateEchoAPI"), s("1.0")).await,
        Ok(ApiStatus::Published)
    );
    // A published private API keeps its plans, endpoint and policies; docs may change.
    assert!(matches!(
        set_api_plans(s(ORG), s("PrivateEchoAPI"), s("1.0"), vec![]).await,
        Err(AppError::Conflict(m)) if m.contains("plans")
    ));
    assert!(matches!(
        set_api_implementation(
            s(ORG),
            s("PrivateEchoAPI"),
            s("1.0"),
            s("http://other.example"),
            s(""),
            true
        )
        .await,
        Err(AppError::Conflict(_))
    ));
    update_api_details(
        s(ORG),
        s("PrivateEchoAPI"),
        s("1.0"),
        s("Echo"),
        s("# Echo"),
        true,
    )
    .await
    .expect("docs stay editable");
    assert!(matches!(
        delete_api(s(ORG), s("PrivateEchoAPI")).await,
        Err(AppError::Conflict(_))
    ));

    // New Version copies endpoint, plans and flags; the copy is Ready at once.
    new_api_version(s(ORG), s("PrivateEchoAPI"), s("1.0"), s("2.0"))
        .await
        .expect("v2");
    let v2 = get_api_version(s(ORG), s("PrivateEchoAPI"), s("2.0"))
        .await
        .expect("v2 view");
    assert_eq!(v2.status, ApiStatus::Ready);
    assert_eq!(v2.endpoint, "http://127.0.0.1:9/echo");
    assert!(v2.featured);
    assert_eq!(v2.plans.len(), 1);

    assert_eq!(
        retire_api(s(ORG), s("PrivateEchoAPI"), s("1.0")).await,
        Ok(ApiStatus::Retired)
    );
    assert!(
        retire_api(s(ORG), s("PrivateEchoAPI"), s("1.0"))
            .await
            .is_err()
    );
    delete_api(s(ORG), s("PrivateEchoAPI"))
        .await
        .expect("delete once nothing is published");
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn a_locked_plan_refuses_policy_changes_and_new_versions_copy_policies(pool: PgPool) {
    world(&pool).await;
    let _o = common::as_user(&pool, "david").await;
    create_plan(s(ORG), s("Silver"), s("Silver"), s("1.0"), String::new())
        .await
        .expect("plan");
    let owner = plan_owner("Silver", "1.0");
    match add_policy(owner.clone(), PolicyType::RateLimiting, rate_limit("-5")).await {
        Err(AppError::Field(fe)) => assert_eq!(fe.field, "limit"),
        other => panic!("expected a limit error, got {other:?}"),
    }
    add_policy(owner.clone(), PolicyType::RateLimiting, rate_limit("1000"))
        .await
        .expect("a");
    add_policy(owner.clone(), PolicyType::Quota, rate_limit("5000"))
        .await
        .expect("b");
    let ids: Vec<i64> = list_policies(owner.clone())
        .await
        .expect("list")
        .policies
        .iter()
        .map(|p| p.id)
        .collect();
    move_policy(owner.clone(), ids[1], true)
        .await
        .expect("move up");
    let chain = list_policies(owner.clone()).await.expect("list");
    assert_eq!(chain.policies[0].policy_type, PolicyType::Quota);
    update_policy(owner.clone(), ids[0], rate_limit("2000"))
        .await
        .expect("update");
    remove_policy(owner.clone(), ids[1]).await.expect("remove");

    lock_plan(s(ORG), s("Silver"), s("1.0"))
        .await
        .expect("lock");
    assert_eq!(
        get_plan_version(s(ORG), s("Silver"), s("1.0"))
            .await
            .expect("view")
            .status,
        PlanStatus::Locked
    );
    let chain = list_policies(owner.clone()).await.expect("list");
    assert!(!chain.editable);
    assert!(chain.read_only_reason.is_some());
    for result in [
        add_policy(owner.clone(), PolicyType::RateLimiting, rate_limit("1")).await,
        update_policy(owner.clone(), ids[0], rate_limit("1")).await,
        remove_policy(owner.clone(), ids[0]).await,
        move_policy(owner.clone(), ids[0], false).await,
    ] {
        assert!(
            matches!(result, Err(AppError::Conflict(ref m)) if m.contains("locked")),
            "{result:?}"
        );
    }
    assert!(matches!(
        lock_plan(s(ORG), s("Silver"), s("1.0")).await,
        Err(AppError::Conflict(_))
    ));

    new_plan_version(s(ORG), s("Silver"), s("1.0"), s("1.1"))
        .await
        .expect("new version");
    let copy = list_policies(plan_owner("Silver", "1.1"))
        .await
        .expect("copy");
    assert!(copy.editable);
    assert_eq!(copy.policies.len(), 1);
    assert_eq!(
        copy.policies[0].summary,
        "2,000 requests per day per client"
    );
    match new_plan_version(s(ORG), s("Silver"), s("1.0"), s("1.1")).await {
        Err(AppError::Field(fe)) => assert_eq!(fe.field, "version"),
        other => panic!("expected a duplicate version, got {other:?}"),
    }
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn offered_plans_keep_their_order(pool: PgPool) {
    world(&pool).await;
    let _o = common::as_user(&pool, "david").await;
    for plan in ["Bronze", "Gold"] {
        create_plan(s(ORG), s(plan), s(plan), s("1.0"), String::new())
            .await
            .expect("plan");
        lock_plan(s(ORG), s(plan), s("1.0")).await.expect("lock");
    }
    create_api(s(ORG), s("Echo"), s("Echo"), s("1.0"), String::new())
        .await
        .expect("api");
    let mut plans = offer("Gold", true);
    plans.extend(offer("Bronze", false));
    set_api_plans(s(ORG), s("Echo"), s("1.0"), plans)
        .await
        .expect("offer");
    let view = get_api_version(s(ORG), s("Echo"), s("1.0"))
        .await
        .expect("view");
    let order: Vec<&str> = view.plans.iter().map(|p| p.plan_id.as_str()).collect();
    assert_eq!(order, ["Gold", "Bronze"]);
    assert!(matches!(
        set_api_plans(s(ORG), s("Echo"), s("1.0"), [offer("Gold", true), offer("Gold", false)].concat()).await,
        Err(AppError::Field(fe)) if fe.message.contains("twice")
    ));
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn endpoints_and_ca_certificates_are_checked_when_saved(pool: PgPool) {
    common::user(&pool, "david", false, false).await;
    let _o = common::as_user(&pool, "david").await;
    common::org_with_api(ORG, "Echo").await;
    let save = |endpoint: &str, pem: &str| {
        set_api_implementation(s(ORG), s("Echo"), s("1.0"), s(endpoint), s(pem), false)
    };
    for refused in [
        "http://169.254.169.254/latest/meta-data",
        "http://[fe80::1]/",
        "http://100.100.100.200/",
        // A name that resolves to a refused address is refused too.
        "http://localhost:8080/",
    ] {
        match save(refused, "").await {
            Err(AppError::Field(fe)) => assert_eq!(fe.field, "endpoint", "{refused}"),
            other => panic!("{refused}: expected an endpoint error, got {other:?}"),
        }
    }
    match save(
        "https://api.example.com",
        "-----BEGIN CERTIFICATE-----\nAAAA",
    )
    .await
    {
        Err(AppError::Field(fe)) => assert_eq!(fe.field, "upstream_ca_pem"),
        other => panic!("expected a CA error, got {other:?}"),
    }
    let view = get_api_version(s(ORG), s("Echo"), s("1.0"))
        .await
        .expect("view");
    assert_eq!(
        view.endpoint, "",
        "refused input left the version as it was"
    );
    // Loopback and private networks are what a gateway fronts: allowed.
    save("http://127.0.0.1:3000/echo", "")
        .await
        .expect("loopback");
    save("http://10.1.2.3/", "").await.expect("private");
}
