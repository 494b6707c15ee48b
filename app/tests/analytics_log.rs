//! The Log Analyzer against Postgres: paging by cursor, every filter, hostile input, who may
//! read what, and log rows written by COPY read back exactly.

mod analytics_world;
mod common;

use analytics_world::{Logged, Parties, echo, hour_range, ids, log, row, s, t0, world};
use app::api::analytics::{api_log, org_log};
use app::domain::analytics::log::{Cursor, LogPage, LogQuery};
use app::domain::analytics::window::Range;
use app::error::AppError;
use chrono::Duration;
use sqlx::PgPool;

async fn all_pages(api: app::domain::refs::VersionRef, query: LogQuery) -> Vec<LogPage> {
    let mut pages = Vec::new();
    let mut after: Option<Cursor> = None;
    loop {
        let page = api_log(api.clone(), hour_range(), query.clone(), after)
            .await
            .expect("page");
        after = page.next;
        pages.push(page);
        if after.is_none() {
            return pages;
        }
    }
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn pages_follow_the_cursor_without_gaps_or_duplicates(pool: PgPool) {
    world(&pool).await;
    let i = ids(&pool).await;
    let who = Parties {
        api: i.echo,
        client: Some(i.app),
        plan: Some(i.gold),
    };
    // 130 rows on 10 instants: pages end in the middle of equal timestamps.
    let rows: Vec<Logged> = (0..130).map(|n| row(n % 10, who, "/x", 200)).collect();
    let mut written = log(&pool, &rows).await;
    log(
        &pool,
        &[row(61, who, "/late", 200), row(-1, who, "/early", 200)],
    )
    .await;
    let other = Parties { api: i.pay, ..who };
    let pay_rows: Vec<Logged> = (0..60).map(|n| row(n % 10, other, "/pay", 200)).collect();
    let pay_ids = log(&pool, &pay_rows).await;
    let stranger = Parties {
        api: i.other,
        client: None,
        plan: None,
    };
    log(&pool, &[row(5, stranger, "/other", 200)]).await;
    let _o = common::as_user(&pool, "viewer").await;
    let pages = all_pages(echo(), LogQuery::default()).await;
    let sizes: Vec<usize> = pages.iter().map(|p| p.rows.len()).collect();
    assert_eq!(sizes, vec![50, 50, 30]);
    let seen: Vec<(chrono::DateTime<chrono::Utc>, i64)> = pages
        .iter()
        .flat_map(|p| p.rows.iter().map(|r| (r.at, r.id)))
        .collect();
    let mut expected: Vec<_> = written
        .drain(..)
        .zip(&rows)
        .map(|(id, r)| (r.at, id))
        .collect();
    expected.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, expected, "newest first, each row once");
    let first = &pages[0].rows[0];
    assert_eq!(first.api, "ACME/echo/1.0");
    assert_eq!(first.client.as_deref(), Some("CONS/app/1.0"));
    assert_eq!(first.plan.as_deref(), Some("Gold 1.0"));
    assert_eq!(first.latency_ms, 1.5);
    assert_eq!(first.client_ip.as_deref(), Some("10.0.0.1"));
    // The organization's log merges both APIs' rows, again each once and in order.
    let mut org_seen = Vec::new();
    let mut after = None;
    loop {
        let page = org_log(s("ACME"), hour_range(), LogQuery::default(), after)
            .await
            .expect("org log");
        org_seen.extend(page.rows.iter().map(|r| (r.at, r.id)));
        after = page.next;
        if after.is_none() {
            break;
        }
    }
    expected.extend(pay_ids.into_iter().zip(&pay_rows).map(|(id, r)| (r.at, id)));
    expected.sort_by(|a, b| b.cmp(a));
    assert_eq!(org_seen, expected);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn every_filter_narrows_the_rows(pool: PgPool) {
    world(&pool).await;
    let i = ids(&pool).await;
    let app_who = Parties {
        api: i.echo,
        client: Some(i.app),
        plan: Some(i.gold),
    };
    let web_who = Parties {
        client: Some(i.web),
        plan: None,
        ..app_who
    };
    let mut rows = vec![
        row(1, app_who, "/users/1", 200),
        row(2, app_who, "/users/%", 404),
        row(3, web_who, "/orders_2", 429),
        row(4, web_who, "/ordersX2", 503),
        row(5, app_who, "/a'; DROP TABLE analytics_log; --", 201),
    ];
    rows[2].failure = Some("10005");
    rows[3].method = "POST";
    log(&pool, &rows).await;
    let _o = common::as_user(&pool, "david").await;
    let paths = |q: LogQuery| async move {
        let pages = all_pages(echo(), q).await;
        let mut paths: Vec<String> = pages
            .into_iter()
            .flat_map(|p| p.rows.into_iter().map(|r| r.path))
            .collect();
        paths.sort();
        paths
    };
    let q = |f: fn(&mut LogQuery)| {
        let mut q = LogQuery::default();
        f(&mut q);
        q
    };
    assert_eq!(paths(LogQuery::default()).await.len(), 5);
    let by_client = LogQuery {
        client: Some(i.web),
        ..Default::default()
    };
    assert_eq!(paths(by_client).await, vec!["/ordersX2", "/orders_2"]);
    let by_plan = LogQuery {
        plan: Some(i.gold),
        ..Default::default()
    };
    assert_eq!(paths(by_plan).await.len(), 3);
    assert_eq!(paths(q(|q| q.status = s("404"))).await, vec!["/users/%"]);
    assert_eq!(
        paths(q(|q| q.status = s("4xx"))).await,
        vec!["/orders_2", "/users/%"]
    );
    assert_eq!(paths(q(|q| q.method = s("post"))).await, vec!["/ordersX2"]);
    assert_eq!(
        paths(q(|q| q.failure = s("10005"))).await,
        vec!["/orders_2"]
    );
    assert!(
        paths(q(|q| q.failure = s("1000"))).await.is_empty(),
        "exact"
    );
    // `%` and `_` mean themselves.
    assert_eq!(
        paths(q(|q| q.path_contains = s("%"))).await,
        vec!["/users/%"]
    );
    assert_eq!(
        paths(q(|q| q.path_contains = s("orders_"))).await,
        vec!["/orders_2"]
    );
    assert_eq!(
        paths(q(|q| q.path_contains = s("'; DROP TABLE"))).await,
        vec!["/a'; DROP TABLE analytics_log; --"]
    );
    assert_eq!(paths(LogQuery::default()).await.len(), 5, "table intact");
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn hostile_input_gets_field_errors(pool: PgPool) {
    world(&pool).await;
    let _o = common::as_user(&pool, "david").await;
    let field = |r: Result<LogPage, AppError>| match r {
        Err(AppError::Field(f)) => f.field,
        other => panic!("expected a field error, got {other:?}"),
    };
    let bad = |f: fn(&mut LogQuery)| {
        let mut q = LogQuery::default();
        f(&mut q);
        api_log(echo(), hour_range(), q, None)
    };
    assert_eq!(
        field(bad(|q| q.path_contains = "x".repeat(100_000)).await),
        "path_contains"
    );
    assert_eq!(
        field(bad(|q| q.path_contains = s("/a\u{0}")).await),
        "path_contains"
    );
    assert_eq!(field(bad(|q| q.status = s("200 OR 1=1")).await), "status");
    assert_eq!(field(bad(|q| q.status = s("9999")).await), "status");
    assert_eq!(field(bad(|q| q.method = s("GET; --")).await), "method");
    assert_eq!(field(bad(|q| q.failure = s("' OR ''='")).await), "failure");
    let backwards = Range::Custom {
        from: t0(),
        to: t0() - Duration::hours(1),
    };
    let r = org_log(s("ACME"), backwards, LogQuery::default(), None).await;
    assert_eq!(field(r), "to");
    let huge = Range::Custom {
        from: t0() - Duration::days(4000),
        to: t0(),
    };
    assert!(matches!(
        app::api::analytics::api_metrics(echo(), huge).await,
        Err(AppError::Field(f)) if f.field == "to"
    ));
    let missing = app::domain::refs::VersionRef::new("ACME", "echo", "9.9");
    assert!(matches!(
        api_log(missing, hour_range(), LogQuery::default(), None).await,
        Err(AppError::NotFound(_))
    ));
}

/// The gateway's batches go in with binary COPY: hostile text (tabs, newlines, backslashes,
/// `\N`, quotes, NUL, non-ASCII, a path at its cap), both address families, extreme numbers
/// and microseconds are stored as they were, NULLs stay NULL.
#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn copied_log_rows_read_back_exactly(pool: PgPool) {
    use app::domain::analytics::log::MAX_LOGGED_PATH;
    use app::store::analytics::{copy_log::copy_log, partitions, write::LogEntry};
    let at = t0();
    let nasty = [
        "/a\tb\nc\rd\\e",
        "\\N",
        "/\"quoted\",'x'=cmd|calc",
        "/ü/日本/🦀",
        "/nul\0byte",
    ];
    let long = format!("/{}", "é".repeat((MAX_LOGGED_PATH - 1) / 2));
    let rows: Vec<LogEntry> = nasty
        .iter()
        .copied()
        .chain([long.as_str()])
        .enumerate()
        .map(|(i, path)| LogEntry {
            at: at + Duration::microseconds(i as i64),
            api: 1,
            client: (i % 2 == 0).then_some(2),
            plan: None,
            method: "POST",
            path: path.to_string(),
            status: 502,
            latency_us: 7 + i as i64,
            bytes_in: 1,
            bytes_out: i64::MAX - i as i64,
            client_ip: match i {
                0 => Some("2001:db8::1".parse().expect("ip")),
                2 => Some("203.0.113.9".parse().expect("ip")),
                _ => None,
            },
            key_hint: Some(format!("k\t{i}")),
            failure: (i == 1).then(|| "Upstream\\Error".to_string()),
        })
        .collect();
    let mut tx = pool.begin().await.expect("tx");
    partitions::ensure(&mut tx, at.date_naive())
        .await
        .expect("partition");
    copy_log(&mut tx, &rows).await.expect("copy");
    tx.commit().await.expect("commit");
    type Row = (
        chrono::DateTime<chrono::Utc>,
        String,
        Option<i64>,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
        i16,
        i64,
        i64,
        i64,
    );
    let back: Vec<Row> = sqlx::query_as(
        "SELECT at, path, client_version_id, host(client_ip), key_hint, failure,
                method, status, latency_us, bytes_in, bytes_out
         FROM analytics_log ORDER BY at",
    )
    .fetch_all(&pool)
    .await
    .expect("rows");
    let expected: Vec<Row> = rows
        .iter()
        .map(|r| {
            (
                r.at,
                r.path.replace('\0', "\u{fffd}"),
                r.client,
                r.client_ip.map(|ip| ip.to_string()),
                r.key_hint.clone(),
                r.failure.clone(),
                r.method.to_string(),
                r.status as i16,
                r.latency_us,
                r.bytes_in,
                r.bytes_out,
            )
        })
        .collect();
    assert_eq!(back, expected);
}
