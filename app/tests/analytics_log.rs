//! The Log Analyzer and its CSV export against Postgres: paging by cursor, every filter,
//! hostile input, quoting and formula injection, and who may read what.

mod analytics_world;
mod common;

use analytics_world::{Logged, Parties, echo, hour_range, ids, log, pay, s, t0, world};
use app::api::analytics::export::{Params, export};
use app::api::analytics::{api_log, org_log};
use app::domain::analytics::log::{Cursor, LogFilter, LogPage, LogQuery};
use app::domain::analytics::window::Range;
use app::error::AppError;
use app::state::AppState;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use chrono::Duration;
use sqlx::PgPool;

fn row(at_min: i64, who: Parties, path: &str, status: i16) -> Logged {
    Logged {
        at: t0() + Duration::minutes(at_min),
        who,
        method: "GET",
        path: path.to_string(),
        status,
        failure: None,
    }
}

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

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn the_store_export_stops_at_its_cap(pool: PgPool) {
    world(&pool).await;
    let i = ids(&pool).await;
    let who = Parties {
        api: i.echo,
        client: None,
        plan: None,
    };
    let rows: Vec<Logged> = (0..7).map(|n| row(n, who, "/x", 200)).collect();
    log(&pool, &rows).await;
    let window = hour_range().window(chrono::Utc::now(), 30).expect("window");
    let scope = app::store::analytics::Scope::Api(i.echo);
    let filter = LogFilter::default();
    let search = (&scope, &window, &filter);
    let mut got = Vec::new();
    let result = app::store::analytics::log::export(&pool, search, 5, |r| {
        got.push(r.id);
        async { true }
    })
    .await;
    assert_eq!(result, Ok((5, true)));
    assert_eq!(got.len(), 5);
    let result = app::store::analytics::log::export(&pool, search, 7, |_| async { true }).await;
    assert_eq!(result, Ok((7, false)));
    let stopped = app::store::analytics::log::export(&pool, search, 7, |_| async { false }).await;
    assert_eq!(
        stopped,
        Ok((0, false)),
        "a reader that went away stops the query"
    );
}

/// Calls the export handler as the holder of `token` with `query`; returns status, headers
/// and body.
async fn download(
    pool: &PgPool,
    token: Option<&str>,
    query: &str,
) -> (StatusCode, HeaderMap, String) {
    let uri: Uri = format!("/api/analytics/export.csv?{query}")
        .parse()
        .expect("uri");
    let Query(params) = Query::<Params>::try_from_uri(&uri).expect("query");
    let mut headers = HeaderMap::new();
    if let Some(t) = token {
        let cookie = format!("gatehouse_session={t}").parse().expect("cookie");
        headers.insert(header::COOKIE, cookie);
    }
    let response = export(State(AppState::new(pool.clone())), headers, Query(params)).await;
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.expect("body");
    (
        parts.status,
        parts.headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn the_csv_export_quotes_defuses_and_checks_who_asks(pool: PgPool) {
    world(&pool).await;
    let i = ids(&pool).await;
    let who = Parties {
        api: i.echo,
        client: Some(i.app),
        plan: Some(i.gold),
    };
    log(
        &pool,
        &[
            row(1, who, "=HYPERLINK(\"http://evil\")", 200),
            row(2, who, "/a,b", 404),
            row(3, Parties { api: i.pay, ..who }, "/pay", 200),
        ],
    )
    .await;
    let from = t0().to_rfc3339().replace('+', "%2B");
    let to = (t0() + Duration::hours(1)).to_rfc3339().replace('+', "%2B");
    let range = format!("range=custom&from={from}&to={to}");
    let api = format!("scope=api&org=ACME&api=echo&version=1.0&{range}");
    let viewer = common::session(&pool, "viewer").await;
    let (status, headers, body) = download(&pool, Some(&viewer), &api).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    let disposition = headers[header::CONTENT_DISPOSITION].to_str().expect("text");
    assert!(
        disposition.starts_with("attachment; filename=\"gatehouse-log-ACME-echo-1.0-"),
        "{disposition}"
    );
    let lines: Vec<&str> = body.split("\r\n").collect();
    assert_eq!(lines.len(), 4, "{body}");
    assert!(lines[0].starts_with("time,id,api,client,plan,method,path,status"));
    assert!(lines[1].contains(",\"/a,b\",404,"), "{}", lines[1]);
    assert!(
        lines[2].contains(",\"'=HYPERLINK(\"\"http://evil\"\")\",200,"),
        "{}",
        lines[2]
    );
    assert!(lines[2].contains(",ACME/echo/1.0,CONS/app/1.0,Gold 1.0,GET,"));
    let (_, _, org_body) =
        download(&pool, Some(&viewer), &format!("scope=org&org=ACME&{range}")).await;
    assert_eq!(org_body.split("\r\n").count(), 5, "both APIs: {org_body}");
    let (_, _, filtered) =
        download(&pool, Some(&viewer), &format!("{api}&status=4xx&path=%2Fa")).await;
    assert_eq!(filtered.split("\r\n").count(), 3, "{filtered}");

    let outsider = common::session(&pool, "outsider").await;
    let other = common::session(&pool, "other").await;
    let pat = common::session(&pool, "pat").await;
    let admin = common::session(&pool, "admin").await;
    for (token, expected) in [
        (None, StatusCode::UNAUTHORIZED),
        (Some("forged"), StatusCode::UNAUTHORIZED),
        (Some(outsider.as_str()), StatusCode::NOT_FOUND),
        (Some(other.as_str()), StatusCode::NOT_FOUND),
        (Some(pat.as_str()), StatusCode::FORBIDDEN),
        (Some(admin.as_str()), StatusCode::OK),
    ] {
        let (status, _, body) = download(&pool, token, &api).await;
        assert_eq!(status, expected, "{token:?}: {body}");
        if status != StatusCode::OK {
            assert!(!body.contains("HYPERLINK"), "{body}");
        }
    }
    for (query, field) in [
        (format!("{api}&status=abc"), "status"),
        (format!("{api}&client=1%20OR%201"), "client"),
        (format!("{api}&method=BREW"), "method"),
        (format!("{api}&path={}", "x".repeat(5000)), "path_contains"),
        (
            s("scope=api&org=ACME&api=echo&version=1.0&range=2y"),
            "range",
        ),
        (s("scope=org&org=ACME&range=custom&from=nope"), "from"),
        (
            format!("scope=org&org=ACME&range=custom&from={to}&to={from}"),
            "to",
        ),
        (format!("scope=all&org=ACME&{range}"), "scope"),
        (s("scope=org"), "org"),
    ] {
        let (status, _, body) = download(&pool, Some(&viewer), &query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert!(body.starts_with(&format!("{field}: ")), "{query}: {body}");
    }
    let (status, _, _) = download(
        &pool,
        Some(&viewer),
        &format!("scope=api&org=ACME&api=echo&version=9&{range}"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let _ = pay();
}

/// The gateway's batches go in with COPY: hostile text (tabs, newlines, backslashes, `\N`,
/// quotes, NUL, non-ASCII, a path at its cap) is stored as it was, NULLs stay NULL.
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
            latency_us: 7,
            bytes_in: 1,
            bytes_out: 2,
            client_ip: (i == 0).then(|| "2001:db8::1".parse().expect("ip")),
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
        String,
        Option<i64>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let back: Vec<Row> = sqlx::query_as(
        "SELECT path, client_version_id, host(client_ip), key_hint, failure
         FROM analytics_log ORDER BY at",
    )
    .fetch_all(&pool)
    .await
    .expect("rows");
    let expected: Vec<Row> = rows
        .iter()
        .map(|r| {
            (
                r.path.replace('\0', "\u{fffd}"),
                r.client,
                r.client_ip.map(|ip| ip.to_string()),
                r.key_hint.clone(),
                r.failure.clone(),
            )
        })
        .collect();
    assert_eq!(back, expected);
}
