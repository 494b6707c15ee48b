//! OpenAPI definitions through the server functions and the download route, against real
//! Postgres: checked before stored, fixed once published, copied by New Version, shown in the
//! portal only for versions it lists, downloaded with the gateway as the server.

mod common;

use app::api::apis::{new_api_version, publish_api};
use app::api::definitions::download::{Params, download};
use app::api::definitions::{get_definition, portal_reference, set_definition};
use app::api::orgs::create_organization;
use app::api::plans::{create_plan, lock_plan};
use app::domain::openapi::{DocFormat, MAX_DOCUMENT_BYTES};
use app::domain::roles::Role;
use app::error::AppError;
use app::state::AppState;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use sqlx::PgPool;

fn s(v: &str) -> String {
    v.to_string()
}

const PETS: &str = "openapi: 3.0.3
info: {title: Pets, version: '1.0', description: \"**Pets** <script>alert(1)</script>\"}
servers: [{url: 'http://10.0.0.5:9000'}]
paths:
  /pets:
    get:
      summary: List pets
      responses:
        200: {description: The pets}
";

/// STRINGER (david) has Pets 1.0 (offering Gold, not yet published). "viewer" is a Viewer of
/// STRINGER; "portal" is a portal-only user of no organization.
async fn world(pool: &PgPool) {
    common::user(pool, "david", false, false).await;
    common::user(pool, "viewer", false, false).await;
    common::user(pool, "portal", false, true).await;
    let _o = common::as_user(pool, "david").await;
    create_organization(s("STRINGER"), s("Stringer"), String::new())
        .await
        .expect("org");
    common::join(pool, "STRINGER", "viewer", Role::Viewer).await;
    create_plan(s("STRINGER"), s("Gold"), s("Gold"), s("1.0"), String::new())
        .await
        .expect("plan");
    lock_plan(s("STRINGER"), s("Gold"), s("1.0"))
        .await
        .expect("lock");
    let echo = "http://127.0.0.1:9/echo";
    common::api_offered("STRINGER", "Pets", echo, false, &[("Gold", false)], false).await;
}

async fn set(
    api: &str,
    text: Option<&str>,
) -> Result<Option<app::domain::openapi::Definition>, AppError> {
    set_definition(s("STRINGER"), s(api), s("1.0"), text.map(str::to_string)).await
}

async fn fetch(pool: &PgPool, token: Option<&str>, query: &str) -> (StatusCode, HeaderMap, String) {
    let uri: axum::http::Uri = format!("/api/openapi?{query}").parse().expect("uri");
    let Query(params) = Query::<Params>::try_from_uri(&uri).expect("query");
    let mut headers = HeaderMap::new();
    if let Some(t) = token {
        let cookie = format!("gatehouse_session={t}").parse().expect("cookie");
        headers.insert(header::COOKIE, cookie);
    }
    let state = AppState::new(pool.clone()).with_gateway_url("https://gw.example");
    let response = download(State(state), headers, Query(params)).await;
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.expect("body");
    (
        parts.status,
        parts.headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn a_definition_is_checked_stored_fixed_once_published_and_copied(pool: PgPool) {
    world(&pool).await;
    let _o = common::as_user(&pool, "david").await;
    assert_eq!(
        get_definition(s("STRINGER"), s("Pets"), s("1.0")).await,
        Ok(None)
    );

    // Bad documents are refused at the field, and nothing is stored.
    for (bad, says) in [
        ("swagger: '2.0'\n", "Swagger 2.0"),
        ("openapi: 3.0.3\npaths: {}\n", "Not valid OpenAPI 3.0.3"),
        ("{\"openapi\": ", "JSON syntax error"),
    ] {
        match set("Pets", Some(bad)).await {
            Err(AppError::Field(e)) => {
                assert_eq!(e.field, "definition");
                assert!(e.message.contains(says), "{}", e.message);
            }
            other => panic!("{bad}: {other:?}"),
        }
    }
    let huge = format!("{PETS}#{}", "x".repeat(MAX_DOCUMENT_BYTES));
    assert!(matches!(
        set("Pets", Some(&huge)).await,
        Err(AppError::Field(_))
    ));
    assert_eq!(
        get_definition(s("STRINGER"), s("Pets"), s("1.0")).await,
        Ok(None)
    );

    let stored = set("Pets", Some(PETS)).await.expect("set").expect("some");
    assert_eq!(
        (stored.format, stored.openapi.as_str()),
        (DocFormat::Yaml, "3.0.3")
    );
    assert_eq!((stored.title.as_str(), stored.operations), ("Pets", 1));
    let read = get_definition(s("STRINGER"), s("Pets"), s("1.0"))
        .await
        .expect("get");
    assert_eq!(read.map(|d| d.text), Some(PETS.to_string()));

    // Fixed once published; New Version copies it, and there it may change.
    publish_api(s("STRINGER"), s("Pets"), s("1.0"))
        .await
        .expect("publish");
    match set("Pets", None).await {
        Err(AppError::Conflict(m)) => assert!(m.contains("OpenAPI definition"), "{m}"),
        other => panic!("{other:?}"),
    }
    new_api_version(s("STRINGER"), s("Pets"), s("1.0"), s("2.0"))
        .await
        .expect("v2");
    let copied = get_definition(s("STRINGER"), s("Pets"), s("2.0"))
        .await
        .expect("get");
    assert_eq!(copied.map(|d| d.text), Some(PETS.to_string()));
    set_definition(s("STRINGER"), s("Pets"), s("2.0"), None)
        .await
        .expect("removed");
    assert_eq!(
        get_definition(s("STRINGER"), s("Pets"), s("2.0")).await,
        Ok(None)
    );
    let (actions,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM audit_entries WHERE action = 'definition_updated'")
            .fetch_one(&pool)
            .await
            .expect("audit");
    assert_eq!(actions, 2);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn who_sees_what_and_the_download_names_the_gateway(pool: PgPool) {
    world(&pool).await;
    {
        let _o = common::as_user(&pool, "david").await;
        set("Pets", Some(PETS)).await.expect("set");
    }
    {
        let _o = common::as_user(&pool, "viewer").await;
        assert!(
            get_definition(s("STRINGER"), s("Pets"), s("1.0"))
                .await
                .expect("view")
                .is_some()
        );
        assert_eq!(set("Pets", None).await, Err(AppError::Forbidden));
    }
    let portal = common::session(&pool, "portal").await;
    {
        let _o = common::act_as(&pool, Some(&portal));
        assert!(matches!(
            get_definition(s("STRINGER"), s("Pets"), s("1.0")).await,
            Err(AppError::Forbidden | AppError::NotFound(_))
        ));
        // Not published yet: not in the portal.
        assert!(matches!(
            portal_reference(s("STRINGER"), s("Pets"), s("1.0")).await,
            Err(AppError::NotFound(_))
        ));
    }
    let (status, ..) = fetch(&pool, Some(&portal), "org=STRINGER&api=Pets&version=1.0").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    {
        let _o = common::as_user(&pool, "david").await;
        publish_api(s("STRINGER"), s("Pets"), s("1.0"))
            .await
            .expect("publish");
    }
    {
        let _o = common::act_as(&pool, Some(&portal));
        let r = portal_reference(s("STRINGER"), s("Pets"), s("1.0"))
            .await
            .expect("listed")
            .expect("has one");
        assert_eq!(
            r.operations()
                .map(|o| o.summary.as_str())
                .collect::<Vec<_>>(),
            ["List pets"]
        );
        // Markdown rendered and sanitised by the server.
        assert!(
            r.description.contains("<strong>Pets</strong>"),
            "{}",
            r.description
        );
        assert!(!r.description.contains("<script"), "{}", r.description);
        // The portal's links leave the version out for the newest one.
        let newest = portal_reference(s("STRINGER"), s("Pets"), String::new()).await;
        assert_eq!(newest, Ok(Some(r)));
    }
    let (status, headers, body) =
        fetch(&pool, Some(&portal), "org=STRINGER&api=Pets&version=1.0").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers[header::CONTENT_TYPE], "application/yaml");
    assert!(
        headers[header::CONTENT_DISPOSITION]
            .to_str()
            .expect("ascii")
            .contains("STRINGER-Pets-1.0-openapi.yaml")
    );
    assert!(
        body.contains("https://gw.example/gateway/STRINGER/Pets/1.0"),
        "{body}"
    );
    assert!(!body.contains("10.0.0.5"), "the upstream never shows");
    // Signed out, or a version that is not there.
    assert_eq!(
        fetch(&pool, None, "org=STRINGER&api=Pets&version=1.0")
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        fetch(&pool, Some(&portal), "org=STRINGER&api=Pets&version=9.9")
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        fetch(&pool, Some(&portal), "").await.0,
        StatusCode::NOT_FOUND
    );
}
