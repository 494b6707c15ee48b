//! Every list comes in pages with a filter, its limits are enforced at their boundaries, and My
//! Clients runs a fixed number of queries however many clients there are (issue 11, item 9).

mod common;

use std::cell::Cell;
use std::sync::Once;

use app::api::apis::list_apis;
use app::api::clients::create_client;
use app::api::orgs::create_organization;
use app::api::portal::my_clients;
use app::domain::paging::{MAX_FILTER_CHARS, MAX_LIMIT, MAX_OFFSET, PageRequest};
use app::error::AppError;
use sqlx::PgPool;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

fn s(v: &str) -> String {
    v.to_string()
}

async fn world(pool: &PgPool, apis: usize) {
    common::user(pool, "david", false, false).await;
    let _o = common::as_user(pool, "david").await;
    create_organization(s("STRINGER"), s("Stringer"), String::new())
        .await
        .expect("org");
    for n in 0..apis {
        app::api::apis::create_api(
            s("STRINGER"),
            format!("Api{n:02}"),
            format!("API {n:02}"),
            s("1.0"),
            String::new(),
        )
        .await
        .expect("api");
    }
}

fn names(page: &app::domain::paging::Page<app::domain::catalog::ApiSummary>) -> Vec<String> {
    page.items.iter().map(|a| a.name.clone()).collect()
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn lists_come_in_pages_and_filter_literally(pool: PgPool) {
    world(&pool, 30).await;
    let _o = common::as_user(&pool, "david").await;
    let first = list_apis(s("STRINGER"), PageRequest::default())
        .await
        .expect("first");
    assert_eq!((first.items.len(), first.total), (25, 30));
    assert_eq!(first.items[0].name, "API 00");
    let second = list_apis(s("STRINGER"), PageRequest::new("", 25, 0))
        .await
        .expect("second");
    assert_eq!(
        names(&second),
        ["API 25", "API 26", "API 27", "API 28", "API 29"]
    );
    let filtered = list_apis(s("STRINGER"), PageRequest::new(" api 1", 0, 3))
        .await
        .expect("filtered");
    assert_eq!((names(&filtered).len(), filtered.total), (3, 10));
    // Wildcards match themselves only.
    for literal in ["%", "_", "\\"] {
        let none = list_apis(s("STRINGER"), PageRequest::new(literal, 0, 0))
            .await
            .expect("literal");
        assert_eq!(none.total, 0, "{literal}");
    }
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn page_limits_are_refused_past_their_boundaries(pool: PgPool) {
    world(&pool, 1).await;
    let _o = common::as_user(&pool, "david").await;
    let ok = |filter: String, offset, limit| PageRequest::new(filter, offset, limit);
    for good in [
        ok(s(""), 0, MAX_LIMIT),
        ok(s(""), MAX_OFFSET, 1),
        ok("a".repeat(MAX_FILTER_CHARS), 0, 0),
    ] {
        assert!(
            list_apis(s("STRINGER"), good.clone()).await.is_ok(),
            "{good:?}"
        );
    }
    for bad in [
        ok(s(""), 0, MAX_LIMIT + 1),
        ok(s(""), MAX_OFFSET + 1, 1),
        ok("a".repeat(MAX_FILTER_CHARS + 1), 0, 0),
        ok(s("a\u{202E}b"), 0, 0),
        ok(s("a\u{0}b"), 0, 0),
    ] {
        assert!(
            matches!(list_apis(s("STRINGER"), bad.clone()).await,
                     Err(AppError::Field(ref f)) if f.field == "filter"),
            "{bad:?}"
        );
    }
}

thread_local! {
    /// Statements sqlx ran on this thread while `COUNTING` was on.
    static STATEMENTS: Cell<usize> = const { Cell::new(0) };
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

/// Counts sqlx's statement events on the threads that asked for it. Installed as the global
/// subscriber: a subscriber scoped to one thread lost events while other tests of this binary ran
/// queries on their own threads (tracing caches which callsites are of interest process-wide).
struct Statements;

impl<S: tracing::Subscriber> Layer<S> for Statements {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() == "sqlx::query" && COUNTING.with(Cell::get) {
            STATEMENTS.with(|n| n.set(n.get() + 1));
        }
    }
}

async fn statements_for_my_clients() -> (usize, usize) {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        tracing::subscriber::set_global_default(tracing_subscriber::registry().with(Statements))
            .expect("the only global subscriber of this test binary");
    });
    STATEMENTS.with(|n| n.set(0));
    COUNTING.with(|c| c.set(true));
    let page = my_clients(common::all()).await.expect("mine");
    COUNTING.with(|c| c.set(false));
    (STATEMENTS.with(Cell::get), page.items.len())
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn my_clients_runs_the_same_queries_for_one_client_or_forty(pool: PgPool) {
    world(&pool, 0).await;
    let _o = common::as_user(&pool, "david").await;
    create_client(s("STRINGER"), s("C0"), s("C0"), s("1.0"), String::new())
        .await
        .expect("client");
    let (one, shown) = statements_for_my_clients().await;
    assert_eq!(shown, 1);
    for n in 1..40 {
        create_client(
            s("STRINGER"),
            format!("C{n}"),
            format!("C{n}"),
            s("1.0"),
            String::new(),
        )
        .await
        .expect("client");
    }
    let (forty, shown) = statements_for_my_clients().await;
    assert_eq!(shown, 40);
    assert!(one > 0, "the counter sees sqlx's statements");
    assert_eq!(one, forty, "statements for 1 client vs 40");
}
