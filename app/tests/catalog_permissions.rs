//! Who may change APIs, plans and policies: a Viewer of the organization and a user outside it
//! are refused every change, through the server functions against real Postgres.

mod catalog_world;
mod common;

use app::api::apis::{
    create_api, delete_api, new_api_version, publish_api, retire_api, set_api_implementation,
    set_api_plans, update_api_details,
};
use app::api::plans::{create_plan, lock_plan, new_plan_version};
use app::api::policies::{add_policy, list_policies, move_policy, remove_policy, update_policy};
use app::domain::policy::PolicyType;
use app::error::AppError;
use sqlx::PgPool;

use catalog_world::{ORG, plan_owner, rate_limit, s, world};

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn viewers_and_non_members_cannot_change_apis_plans_or_policies(pool: PgPool) {
    world(&pool).await;
    {
        let _o = common::as_user(&pool, "david").await;
        create_plan(s(ORG), s("Gold"), s("Gold"), s("1.0"), String::new())
            .await
            .expect("plan");
        add_policy(
            plan_owner("Gold", "1.0"),
            PolicyType::RateLimiting,
            rate_limit("10"),
        )
        .await
        .expect("policy");
        create_api(s(ORG), s("Echo"), s("Echo"), s("1.0"), String::new())
            .await
            .expect("api");
    }
    let policy_id = {
        let _o = common::as_user(&pool, "david").await;
        list_policies(plan_owner("Gold", "1.0"))
            .await
            .expect("list")
            .policies[0]
            .id
    };
    for who in ["viewer", "outsider"] {
        let _o = common::as_user(&pool, who).await;
        let results: Vec<(&str, Result<(), AppError>)> = vec![
            (
                "create_plan",
                create_plan(s(ORG), s("X"), s("X"), s("1"), String::new())
                    .await
                    .map(|_| ()),
            ),
            (
                "create_api",
                create_api(s(ORG), s("X"), s("X"), s("1"), String::new())
                    .await
                    .map(|_| ()),
            ),
            ("lock_plan", lock_plan(s(ORG), s("Gold"), s("1.0")).await),
            (
                "new_plan_version",
                new_plan_version(s(ORG), s("Gold"), s("1.0"), s("2")).await,
            ),
            (
                "update_api_details",
                update_api_details(s(ORG), s("Echo"), s("1.0"), s("x"), s("x"), true).await,
            ),
            (
                "set_api_implementation",
                set_api_implementation(
                    s(ORG),
                    s("Echo"),
                    s("1.0"),
                    s("http://x.example"),
                    s(""),
                    true,
                )
                .await,
            ),
            (
                "set_api_plans",
                set_api_plans(s(ORG), s("Echo"), s("1.0"), vec![]).await,
            ),
            (
                "publish_api",
                publish_api(s(ORG), s("Echo"), s("1.0")).await.map(|_| ()),
            ),
            (
                "retire_api",
                retire_api(s(ORG), s("Echo"), s("1.0")).await.map(|_| ()),
            ),
            (
                "new_api_version",
                new_api_version(s(ORG), s("Echo"), s("1.0"), s("2")).await,
            ),
            ("delete_api", delete_api(s(ORG), s("Echo")).await),
            (
                "add_policy",
                add_policy(
                    plan_owner("Gold", "1.0"),
                    PolicyType::RateLimiting,
                    rate_limit("1"),
                )
                .await,
            ),
            (
                "update_policy",
                update_policy(plan_owner("Gold", "1.0"), policy_id, rate_limit("1")).await,
            ),
            (
                "remove_policy",
                remove_policy(plan_owner("Gold", "1.0"), policy_id).await,
            ),
            (
                "move_policy",
                move_policy(plan_owner("Gold", "1.0"), policy_id, true).await,
            ),
        ];
        for (name, result) in results {
            assert_eq!(result, Err(AppError::Forbidden), "{who} calling {name}");
        }
    }
    let (plans, apis, policies): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM plan_versions), (SELECT count(*) FROM api_versions),
                (SELECT count(*) FROM policies)",
    )
    .fetch_one(&pool)
    .await
    .expect("counts");
    assert_eq!(
        (plans, apis, policies),
        (1, 1, 1),
        "refused calls change nothing"
    );
}

/// Every analytics read, as the caller of the moment.
async fn analytics_reads() -> Vec<(&'static str, Result<(), AppError>)> {
    use app::api::analytics::{
        api_log, api_metrics, client_metrics, log_choices, org_log, org_metrics,
    };
    use app::domain::analytics::log::LogQuery;
    use app::domain::analytics::window::Range;
    use app::domain::refs::VersionRef;
    let api = || VersionRef::new(ORG, "Echo", "1.0");
    let range = Range::default;
    vec![
        ("api_metrics", api_metrics(api(), range()).await.map(|_| ())),
        (
            "client_metrics",
            client_metrics(VersionRef::new(ORG, "App", "1.0"), range())
                .await
                .map(|_| ()),
        ),
        (
            "org_metrics",
            org_metrics(s(ORG), range()).await.map(|_| ()),
        ),
        (
            "api_log",
            api_log(api(), range(), LogQuery::default(), None)
                .await
                .map(|_| ()),
        ),
        (
            "org_log",
            org_log(s(ORG), range(), LogQuery::default(), None)
                .await
                .map(|_| ()),
        ),
        (
            "log_choices(api)",
            log_choices(Some(api()), s(ORG)).await.map(|_| ()),
        ),
        (
            "log_choices(org)",
            log_choices(None, s(ORG)).await.map(|_| ()),
        ),
    ]
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn analytics_are_for_members_and_administrators(pool: PgPool) {
    use app::domain::roles::Role;
    world(&pool).await;
    common::user(&pool, "admin", true, false).await;
    common::user(&pool, "portal", false, true).await;
    common::join(&pool, ORG, "portal", Role::Owner).await;
    {
        let _o = common::as_user(&pool, "david").await;
        create_api(s(ORG), s("Echo"), s("Echo"), s("1.0"), String::new())
            .await
            .expect("api");
        app::api::clients::create_client(s(ORG), s("App"), s("App"), s("1.0"), String::new())
            .await
            .expect("client");
    }
    for who in ["david", "viewer", "admin"] {
        let _o = common::as_user(&pool, who).await;
        for (name, result) in analytics_reads().await {
            assert_eq!(result, Ok(()), "{who} calling {name}");
        }
    }
    type Refusal = fn(&AppError) -> bool;
    let cases: [(Option<&str>, Refusal); 3] = [
        (Some("outsider"), |e| matches!(e, AppError::NotFound(_))),
        (Some("portal"), |e| *e == AppError::Forbidden),
        (None, |e| *e == AppError::Unauthenticated),
    ];
    for (who, refused) in cases {
        let _o = match who {
            Some(who) => common::as_user(&pool, who).await,
            None => common::act_as(&pool, None),
        };
        for (name, result) in analytics_reads().await {
            assert!(
                result.as_ref().is_err_and(refused),
                "{who:?} calling {name}: {result:?}"
            );
        }
    }
}
