//! The end-to-end crawler (end2end/tests/crawl.spec.ts) opens every route listed in
//! end2end/routes.json, loaded directly by URL, as every kind of user. This test keeps that list
//! equal to the router's own: adding a route to app/src/ui/app.rs fails `cargo test` until the
//! route is listed, and from then on the crawler visits it without further work (it fills path
//! parameters by name). Comparing against the router that the server itself mounts
//! (`generate_route_list`) is more robust than parsing app.rs, whose nesting builds the paths.

#![recursion_limit = "256"]

use std::collections::BTreeSet;

const ROUTES_JSON: &str = include_str!("../../end2end/routes.json");

#[tokio::test]
async fn the_crawler_lists_every_route_of_the_router() {
    let router: BTreeSet<String> = leptos_axum::generate_route_list(app::App)
        .iter()
        .map(|r| r.path().to_string())
        .collect();
    let listed: Vec<String> = serde_json::from_str(ROUTES_JSON).expect("routes.json is a list");
    let crawled: BTreeSet<String> = listed.iter().cloned().collect();
    assert_eq!(
        listed.len(),
        crawled.len(),
        "routes.json lists a route twice"
    );
    let missing: Vec<_> = router.difference(&crawled).collect();
    let stale: Vec<_> = crawled.difference(&router).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "end2end/routes.json must list exactly the router's paths.\n\
         Add (the crawler does not visit them yet): {missing:?}\n\
         Remove (no longer routes): {stale:?}"
    );
}
