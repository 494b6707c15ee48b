//! API documentation: Markdown stored as written, rendered and sanitised on the server for pages
//! and for the editor's preview, within the 20,000-character limit.

mod common;

use app::api::apis::{get_api_version, preview_markdown, update_api_details};
use app::error::AppError;
use sqlx::PgPool;

const ORG: &str = "STRINGER";

fn s(v: &str) -> String {
    v.to_string()
}

async fn world(pool: &PgPool) {
    common::user(pool, "david", false, false).await;
    common::user(pool, "pat", false, true).await;
    let _o = common::as_user(pool, "david").await;
    common::org_with_api(ORG, "Echo").await;
}

fn refused_at_markdown(result: Result<impl std::fmt::Debug, AppError>) {
    match result {
        Err(AppError::Field(fe)) => {
            assert_eq!(fe.field, "markdown");
            assert!(fe.message.contains("20,000"), "{}", fe.message);
        }
        other => panic!("expected a refusal at the markdown field, got {other:?}"),
    }
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn pages_receive_sanitised_html_and_editors_the_source(pool: PgPool) {
    world(&pool).await;
    let _o = common::as_user(&pool, "david").await;
    let source = "# Usage\n\n[bad](javascript:alert(1)) <img src=x onerror=alert(1)>";
    update_api_details(s(ORG), s("Echo"), s("1.0"), s("Echo"), s(source), false)
        .await
        .expect("save");
    let view = get_api_version(s(ORG), s("Echo"), s("1.0"))
        .await
        .expect("view");
    assert_eq!(view.markdown, source);
    assert!(
        view.markdown_html.contains("<h1>Usage</h1>"),
        "{}",
        view.markdown_html
    );
    assert!(
        !view.markdown_html.contains("javascript:"),
        "{}",
        view.markdown_html
    );
    assert!(
        !view.markdown_html.contains("<img"),
        "{}",
        view.markdown_html
    );
    let preview = preview_markdown(s(source)).await.expect("preview");
    assert_eq!(preview, view.markdown_html);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn documentation_is_at_most_20000_characters(pool: PgPool) {
    world(&pool).await;
    let _o = common::as_user(&pool, "david").await;
    // Characters, not bytes: 20,000 two-byte letters pass.
    let longest = "é".repeat(20_000);
    assert!(preview_markdown(longest.clone()).await.is_ok());
    update_api_details(
        s(ORG),
        s("Echo"),
        s("1.0"),
        s("Echo"),
        longest.clone(),
        false,
    )
    .await
    .expect("20,000 characters");
    let too_long = "é".repeat(20_001);
    refused_at_markdown(preview_markdown(too_long.clone()).await);
    refused_at_markdown(
        update_api_details(s(ORG), s("Echo"), s("1.0"), s("Echo"), too_long, false).await,
    );
    let view = get_api_version(s(ORG), s("Echo"), s("1.0"))
        .await
        .expect("view");
    assert_eq!(
        view.markdown, longest,
        "a refused save leaves the stored text"
    );
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn only_console_users_may_ask_for_a_preview(pool: PgPool) {
    world(&pool).await;
    let _anonymous = common::act_as(&pool, None);
    assert!(matches!(
        preview_markdown(s("# Hi")).await,
        Err(AppError::Unauthenticated)
    ));
    drop(_anonymous);
    let _pat = common::as_user(&pool, "pat").await;
    assert!(matches!(
        preview_markdown(s("# Hi")).await,
        Err(AppError::Forbidden)
    ));
}
