//! The Metrics tabs, the organization overview and the portal's Usage page through the server
//! functions, against rollups written with plain SQL: charts add up exactly, windows read the
//! rollup they pick, rankings order and label what they rank.

mod analytics_world;
mod common;

use std::sync::Arc;

use analytics_world::{Parties, Rollups, client, echo, hour_range, ids, pay, rollup, s, t0, world};
use app::api::analytics::{api_metrics, client_metrics, log_choices, my_usage, org_metrics};
use app::api::clients::delete_client;
use app::domain::analytics::report::{LimitUse, Point, Share, StatusCount};
use app::domain::analytics::window::{Range, Source};
use app::state::{AppState, LimitProbe};
use chrono::{Duration, Utc};
use leptos::prelude::provide_context;
use sqlx::PgPool;

fn shares(list: &[Share]) -> Vec<(&str, Option<&str>, i64, i64)> {
    list.iter()
        .map(|s| (s.label.as_str(), s.href.as_deref(), s.requests, s.errors))
        .collect()
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn charts_add_up_exactly_and_fill_empty_minutes_with_zeros(pool: PgPool) {
    world(&pool).await;
    let i = ids(&pool).await;
    let who = Parties {
        api: i.echo,
        client: Some(i.app),
        plan: Some(i.gold),
    };
    let m = |n| t0() + Duration::minutes(n);
    for (at, status, n) in [
        (m(0), 200, 5),
        (m(0), 201, 2),
        (m(0) + Duration::seconds(30), 200, 1),
        (m(7), 302, 3),
        (m(7), 404, 4),
        (m(59), 500, 6),
        // Outside the window, and another API: neither counts.
        (m(60), 200, 100),
        (m(-1), 200, 100),
    ] {
        rollup(&pool, Rollups::Both, at, who, (status, n, 2_000)).await;
    }
    let pay_who = Parties { api: i.pay, ..who };
    rollup(&pool, Rollups::Both, m(3), pay_who, (200, 50, 2_000)).await;
    let _o = common::as_user(&pool, "viewer").await;
    let metrics = api_metrics(echo(), hour_range()).await.expect("metrics");
    let t = &metrics.traffic;
    assert_eq!((t.window.step_secs, t.window.source), (60, Source::Minutes));
    assert_eq!(t.points.len(), 60);
    assert_eq!(t.points[0].at, t0());
    let per_minute: Vec<i64> = t.points.iter().map(Point::requests).collect();
    let mut expected = vec![0; 60];
    (expected[0], expected[7], expected[59]) = (8, 7, 6);
    assert_eq!(per_minute, expected);
    assert_eq!(t.points[7].by_class, [0, 3, 4, 0, 0]);
    assert_eq!(t.points[59].by_class, [0, 0, 0, 6, 0]);
    assert_eq!(t.points[1].p50_ms, None);
    assert_eq!(t.totals.requests, 21);
    assert_eq!(t.totals.errors, 10);
    assert_eq!((t.totals.bytes_in, t.totals.bytes_out), (210, 2_100));
    let p50 = t.totals.p50_ms.expect("p50");
    assert!((1.4..=2.9).contains(&p50), "{p50}");
    let counts = |v: &[(u16, i64)]| -> Vec<StatusCount> {
        v.iter()
            .map(|&(status, requests)| StatusCount { status, requests })
            .collect()
    };
    assert_eq!(
        t.by_status,
        counts(&[(200, 6), (201, 2), (302, 3), (404, 4), (500, 6)])
    );
    assert_eq!(
        shares(&metrics.plans),
        vec![("Gold 1.0", Some("/orgs/ACME/plans/Gold/1.0"), 21, 10)]
    );
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn short_windows_read_minutes_and_long_ones_hours(pool: PgPool) {
    world(&pool).await;
    let i = ids(&pool).await;
    let who = Parties {
        api: i.echo,
        client: None,
        plan: None,
    };
    // Different numbers in each rollup show which one a chart read.
    let at = t0() + Duration::minutes(5);
    rollup(&pool, Rollups::Minutes, at, who, (200, 7, 500)).await;
    rollup(&pool, Rollups::Hours, at, who, (200, 11, 500)).await;
    let old = Utc::now() - Duration::days(20);
    rollup(&pool, Rollups::Hours, old, who, (503, 13, 500)).await;
    let _o = common::as_user(&pool, "david").await;
    let hour = api_metrics(echo(), hour_range()).await.expect("hour");
    assert_eq!(hour.traffic.window.source, Source::Minutes);
    assert_eq!(hour.traffic.totals.requests, 7);
    let week = Range::Custom {
        from: t0() - Duration::days(7),
        to: t0() + Duration::hours(1),
    };
    let week = api_metrics(echo(), week).await.expect("week");
    assert_eq!(
        (week.traffic.window.source, week.traffic.window.step_secs),
        (Source::Hours, 3_600)
    );
    assert_eq!(week.traffic.points.len(), 169);
    assert_eq!(week.traffic.totals.requests, 11);
    let month = api_metrics(
        echo(),
        Range::Last(app::domain::analytics::window::Preset::Month),
    )
    .await
    .expect("month");
    assert_eq!(month.traffic.window.source, Source::Hours);
    assert_eq!(month.traffic.totals.requests, 24);
    assert_eq!(month.traffic.totals.errors, 13);
    let summed: i64 = month.traffic.points.iter().map(Point::requests).sum();
    assert_eq!(summed, 24, "every request lands in one point");
    assert_eq!(
        shares(&month.top_clients),
        vec![("(no client)", None, 24, 13)]
    );
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn top_clients_come_busiest_first_and_deleted_ones_by_id(pool: PgPool) {
    world(&pool).await;
    let i = ids(&pool).await;
    let gone = {
        let _o = common::as_user(&pool, "rose").await;
        app::api::clients::create_client(s("CONS"), s("gone"), s("gone"), s("1.0"), s(""))
            .await
            .expect("client");
        analytics_world::id_of(&pool, "client_versions", &client("gone")).await
    };
    let at = t0() + Duration::minutes(1);
    for (client, plan, status, n) in [
        (Some(i.app), Some(i.gold), 200, 5),
        (Some(i.web), Some(i.gold), 200, 8),
        (Some(i.web), Some(i.gold), 429, 1),
        (Some(gone), Some(i.gold), 500, 4),
        (None, None, 200, 3),
    ] {
        let who = Parties {
            api: i.echo,
            client,
            plan,
        };
        rollup(&pool, Rollups::Both, at, who, (status, n, 900)).await;
    }
    {
        let _o = common::as_user(&pool, "rose").await;
        delete_client(s("CONS"), s("gone")).await.expect("delete");
    }
    let _o = common::as_user(&pool, "david").await;
    let m = api_metrics(echo(), hour_range()).await.expect("metrics");
    let deleted = format!("#{gone} (deleted)");
    // david is not a member of CONS: its clients are named, not linked.
    assert_eq!(
        shares(&m.top_clients),
        vec![
            ("CONS/web/1.0", None, 9, 1),
            ("CONS/app/1.0", None, 5, 0),
            (deleted.as_str(), None, 4, 4),
            ("(no client)", None, 3, 0),
        ]
    );
    assert_eq!(
        shares(&m.plans),
        vec![
            ("Gold 1.0", Some("/orgs/ACME/plans/Gold/1.0"), 18, 5),
            ("(no plan)", None, 3, 0)
        ]
    );
    let choices = log_choices(Some(echo()), s("ACME")).await.expect("choices");
    assert_eq!(
        choices.clients,
        vec![(i.app, s("CONS/app/1.0")), (i.web, s("CONS/web/1.0"))]
    );
    assert_eq!(choices.plans, vec![(i.gold, s("Gold 1.0"))]);
    let _o = common::as_user(&pool, "admin").await;
    let m = api_metrics(echo(), hour_range()).await.expect("metrics");
    assert_eq!(
        m.top_clients[0].href.as_deref(),
        Some("/orgs/CONS/clients/web/1.0")
    );
    assert_eq!(m.top_clients[2].href, None, "a deleted version has no page");
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn the_organization_overview_covers_its_own_apis_only(pool: PgPool) {
    world(&pool).await;
    let i = ids(&pool).await;
    let at = t0() + Duration::minutes(2);
    for (api, n) in [(i.echo, 3), (i.pay, 9), (i.other, 1000)] {
        let who = Parties {
            api,
            client: Some(i.app),
            plan: None,
        };
        rollup(&pool, Rollups::Both, at, who, (200, n, 900)).await;
    }
    let _o = common::as_user(&pool, "viewer").await;
    let m = org_metrics(s("ACME"), hour_range()).await.expect("org");
    assert_eq!(m.traffic.totals.requests, 12);
    assert_eq!(
        shares(&m.top_apis),
        vec![
            ("ACME/pay/1.0", Some("/orgs/ACME/apis/pay/1.0"), 9, 0),
            ("ACME/echo/1.0", Some("/orgs/ACME/apis/echo/1.0"), 3, 0),
        ]
    );
    assert_eq!(shares(&m.top_clients), vec![("CONS/app/1.0", None, 12, 0)]);
    let choices = log_choices(None, s("ACME")).await.expect("choices");
    assert_eq!(choices.clients, vec![(i.app, s("CONS/app/1.0"))]);
    assert!(choices.plans.is_empty());
}

/// Says every contract uses 3 of a limit of 10 per day.
struct FakeProbe;

impl LimitProbe for FakeProbe {
    fn limits(
        &self,
        client_version_id: i64,
        api_version_id: i64,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Vec<LimitUse>> + Send + '_>> {
        Box::pin(async move {
            vec![LimitUse {
                policy: format!("Quota {client_version_id}/{api_version_id}"),
                level: s("plan Gold 1.0"),
                period: s("per day"),
                limit: 10,
                used: 3,
                remaining: 7,
                resets_at: Utc::now(),
            }]
        })
    }
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn client_metrics_list_contracts_and_called_apis_with_their_limits(pool: PgPool) {
    world(&pool).await;
    let i = ids(&pool).await;
    let at = t0() + Duration::minutes(4);
    for (api, n) in [(i.echo, 6), (i.pay, 2)] {
        let who = Parties {
            api,
            client: Some(i.app),
            plan: Some(i.gold),
        };
        rollup(&pool, Rollups::Both, at, who, (200, n, 900)).await;
    }
    let _o = common::as_user(&pool, "rose").await;
    provide_context(AppState::new(pool.clone()).with_limits(Arc::new(FakeProbe)));
    let m = client_metrics(client("app"), hour_range())
        .await
        .expect("client");
    type Usage<'a> = (&'a str, Option<&'a str>, Option<&'a str>, i64, usize);
    let rows: Vec<Usage> = m
        .apis
        .iter()
        .map(|a| {
            let plan = a.plan.as_deref();
            let n = a.traffic.totals.requests;
            (a.api.as_str(), a.href.as_deref(), plan, n, a.limits.len())
        })
        .collect();
    // rose is not a member of ACME: no links to its pages. pay was called without a contract.
    assert_eq!(
        rows,
        vec![
            ("ACME/echo/1.0", None, Some("Gold 1.0"), 6, 1),
            ("ACME/pay/1.0", None, None, 2, 0),
        ]
    );
    assert_eq!(
        m.apis[0].limits[0].policy,
        format!("Quota {}/{}", i.app, i.echo)
    );
    assert_eq!(m.apis[0].traffic.points.len(), 60);
    // A contract without traffic is listed too, with an empty chart.
    let web = client_metrics(client("web"), hour_range())
        .await
        .expect("web");
    assert_eq!(web.apis.len(), 1);
    assert_eq!(web.apis[0].traffic.totals.requests, 0);
    assert_eq!(web.apis[0].traffic.points.len(), 60);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn the_usage_page_shows_the_callers_own_clients_only(pool: PgPool) {
    world(&pool).await;
    let i = ids(&pool).await;
    let who = Parties {
        api: i.echo,
        client: Some(i.web),
        plan: Some(i.gold),
    };
    rollup(&pool, Rollups::Both, t0(), who, (200, 4, 900)).await;
    for user in ["rose", "pat"] {
        let _o = common::as_user(&pool, user).await;
        let usage = my_usage(hour_range()).await.expect("usage");
        let names: Vec<&str> = usage.iter().map(|c| c.client.as_str()).collect();
        assert_eq!(names, vec!["CONS/app/1.0", "CONS/web/1.0"], "{user}");
        let web = &usage[1].apis[0];
        assert_eq!(web.api, "ACME/echo/1.0");
        assert_eq!(
            web.href.as_deref(),
            Some("/portal/apis/ACME/echo?version=1.0")
        );
        assert_eq!(web.traffic.totals.requests, 4);
        assert!(web.limits.is_empty(), "no gateway in this process");
    }
    for user in ["outsider", "david", "admin"] {
        let _o = common::as_user(&pool, user).await;
        assert_eq!(my_usage(hour_range()).await, Ok(vec![]), "{user}");
    }
    let _o = common::act_as(&pool, None);
    assert_eq!(
        my_usage(hour_range()).await,
        Err(app::error::AppError::Unauthenticated)
    );
    let _ = pay();
}
