//! Calling server functions the way the server does: with the app state and the request
//! (carrying a session cookie or not) in Leptos context.
#![allow(dead_code)]

use app::auth::{password, token};
use app::state::AppState;
use app::store::{self, PgPool};
use chrono::{Duration, Utc};
use leptos::prelude::{Owner, provide_context};

pub const PASSWORD: &str = "test-password-1";

/// Creates a user with `PASSWORD`.
pub async fn user(pool: &PgPool, username: &str, is_admin: bool, portal_only: bool) {
    let hash = password::hash(PASSWORD.into()).await.expect("hash");
    app::api::users::service::create(
        pool,
        "test",
        store::users::NewUser {
            username,
            display_name: username,
            email: "",
            password_hash: &hash,
            is_admin,
            portal_only,
        },
    )
    .await
    .expect("create user");
}

/// Opens a session for `username` and returns its cookie token.
pub async fn session(pool: &PgPool, username: &str) -> String {
    let t = token::new_token();
    store::sessions::create(
        pool,
        &token::hash(&t),
        username,
        Utc::now() + Duration::hours(1),
    )
    .await
    .expect("session");
    t
}

/// Makes the following server-function calls act as the holder of `token` (or anonymously).
/// Keep the returned owner alive for as long as the calls run.
pub fn act_as(pool: &PgPool, token: Option<&str>) -> Owner {
    let owner = Owner::new();
    owner.set();
    provide_context(AppState::new(pool.clone()));
    let mut req = http::Request::builder().uri("/api/test");
    if let Some(t) = token {
        req = req.header(http::header::COOKIE, format!("gatehouse_session={t}"));
    }
    let (parts, _) = req.body(()).expect("request").into_parts();
    provide_context(parts);
    provide_context(leptos_axum::ResponseOptions::default());
    owner
}

/// Signs `username` in (creating the session) and acts as them.
pub async fn as_user(pool: &PgPool, username: &str) -> Owner {
    let t = session(pool, username).await;
    act_as(pool, Some(&t))
}

/// Creates organization `org` and its API `api` 1.0 (no endpoint yet). Acts as whoever is signed
/// in, who becomes the organization's Owner.
pub async fn org_with_api(org: &str, api: &str) {
    use app::api::{apis::create_api, orgs::create_organization};
    let s = |v: &str| v.to_string();
    create_organization(s(org), s(org), String::new())
        .await
        .expect("org");
    create_api(s(org), s(api), s(api), s("1.0"), String::new())
        .await
        .expect("api");
}

/// Creates API `api` 1.0 of `org` at `endpoint`, offers it through `plans` (plan id, requires
/// approval; each plan 1.0) and publishes it when `publish`. Acts as whoever is signed in.
pub async fn api_offered(
    org: &str,
    api: &str,
    endpoint: &str,
    public: bool,
    plans: &[(&str, bool)],
    publish: bool,
) {
    use app::api::apis::{
        PlanOfferInput, create_api, publish_api, set_api_implementation, set_api_plans,
    };
    let s = |v: &str| v.to_string();
    create_api(s(org), s(api), s(api), s("1.0"), format!("{api} service"))
        .await
        .expect("api");
    set_api_implementation(s(org), s(api), s("1.0"), s(endpoint), s(""), public)
        .await
        .expect("endpoint");
    if !plans.is_empty() {
        let offer = plans
            .iter()
            .map(|(plan, approval)| PlanOfferInput {
                plan_id: s(plan),
                version: s("1.0"),
                requires_approval: *approval,
            })
            .collect();
        set_api_plans(s(org), s(api), s("1.0"), offer)
            .await
            .expect("plans");
    }
    if publish {
        publish_api(s(org), s(api), s("1.0"))
            .await
            .expect("publish");
    }
}

/// The first page of a list, at its largest.
pub fn all() -> app::domain::paging::PageRequest {
    app::domain::paging::PageRequest::all_first()
}

/// The first page of a list filtered by `text`.
pub fn filtered(text: &str) -> app::domain::paging::PageRequest {
    app::domain::paging::PageRequest::new(text, 0, 0)
}

/// Makes `username` a member of `org` with `role` directly in the store: for setting up a
/// world, where how members join is not what is tested.
pub async fn join(pool: &PgPool, org: &str, username: &str, role: app::domain::roles::Role) {
    app::api::members::service::add(pool, "test", org, username, role)
        .await
        .expect("join");
}
