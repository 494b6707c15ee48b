//! The Log Analyzer's CSV export against Postgres: the store's cap, quoting and formula
//! injection, hostile parameters, and who may download what.

mod analytics_world;
mod common;

use analytics_world::{Logged, Parties, hour_range, ids, log, pay, row, s, t0, world};
use app::api::analytics::export::{Params, export};
use app::domain::analytics::log::LogFilter;
use app::state::AppState;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use chrono::Duration;
use sqlx::PgPool;

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
