//! Every mutating server function refuses anonymous callers, non-members, Viewers and
//! portal-only users, and changes nothing when it refuses.

mod common;

use app::api::members::{add_member, cancel_invitation, change_member_role, remove_member};
use app::api::orgs::{
    create_organization, delete_organization, get_organization, update_organization,
};
use app::api::users::{create_user, reset_password, set_user_disabled, set_user_portal_only};
use app::domain::roles::Role;
use app::error::AppError;
use sqlx::PgPool;

async fn world(pool: &PgPool) {
    for (name, admin, portal) in [
        ("david", false, false),
        ("viewer", false, false),
        ("outsider", false, false),
        ("portal", false, true),
        ("admin", true, false),
    ] {
        common::user(pool, name, admin, portal).await;
    }
    let _o = common::as_user(pool, "david").await;
    create_organization("STRINGER".into(), "Stringer".into(), "original".into())
        .await
        .expect("create");
    common::join(pool, "STRINGER", "viewer", Role::Viewer).await;
    common::join(pool, "STRINGER", "portal", Role::Owner).await;
    app::api::members::service::invite(pool, "david", "STRINGER", "invited", Role::Viewer)
        .await
        .expect("invite");
}

/// Runs every organization-level mutation and returns their results.
async fn org_mutations() -> Vec<(&'static str, Result<(), AppError>)> {
    let org = || "STRINGER".to_string();
    vec![
        (
            "update_organization",
            update_organization(org(), "Hacked".into(), String::new()).await,
        ),
        ("delete_organization", delete_organization(org()).await),
        (
            "add_member",
            add_member(org(), "outsider".into(), Role::Owner)
                .await
                .map(|_| ()),
        ),
        (
            "change_member_role",
            change_member_role(org(), "david".into(), Role::Viewer).await,
        ),
        ("remove_member", remove_member(org(), "david".into()).await),
        (
            "cancel_invitation",
            cancel_invitation(org(), "invited".into()).await,
        ),
    ]
}

async fn admin_mutations() -> Vec<(&'static str, Result<(), AppError>)> {
    vec![
        (
            "create_user",
            create_user(
                "mallory".into(),
                "Mallory".into(),
                String::new(),
                "pass-word-1".into(),
                false,
                true,
            )
            .await,
        ),
        (
            "set_user_portal_only",
            set_user_portal_only("david".into(), true).await,
        ),
        (
            "set_user_disabled",
            set_user_disabled("david".into(), true).await,
        ),
        (
            "reset_password",
            reset_password("david".into(), "new-password-1".into()).await,
        ),
    ]
}

async fn assert_unchanged(pool: &PgPool) {
    let (name, members): (String, i64) = sqlx::query_as(
        "SELECT o.name, (SELECT count(*) FROM memberships m WHERE m.org_id = o.id)
         FROM organizations o WHERE o.id = 'STRINGER'",
    )
    .fetch_one(pool)
    .await
    .expect("org still there");
    assert_eq!(name, "Stringer");
    assert_eq!(members, 3);
    let (users, disabled): (i64, i64) =
        sqlx::query_as("SELECT count(*), count(*) FILTER (WHERE disabled OR portal_only AND username = 'david') FROM users")
            .fetch_one(pool)
            .await
            .expect("users");
    assert_eq!((users, disabled), (5, 0));
    let (invitations,): (i64,) = sqlx::query_as("SELECT count(*) FROM invitations")
        .fetch_one(pool)
        .await
        .expect("invitations");
    assert_eq!(invitations, 1, "refused callers neither invite nor cancel");
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn anonymous_callers_are_asked_to_sign_in(pool: PgPool) {
    world(&pool).await;
    let _o = common::act_as(&pool, None);
    for (name, result) in org_mutations()
        .await
        .into_iter()
        .chain(admin_mutations().await)
    {
        assert_eq!(result, Err(AppError::Unauthenticated), "{name}");
    }
    assert_eq!(
        create_organization("X".into(), "X".into(), String::new()).await,
        Err(AppError::Unauthenticated)
    );
    assert_eq!(
        get_organization("STRINGER".into()).await.map(|_| ()),
        Err(AppError::Unauthenticated)
    );
    assert_unchanged(&pool).await;
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn non_members_viewers_and_portal_users_are_not_allowed(pool: PgPool) {
    world(&pool).await;
    for who in ["outsider", "viewer", "portal"] {
        let _o = common::as_user(&pool, who).await;
        for (name, result) in org_mutations()
            .await
            .into_iter()
            .chain(admin_mutations().await)
        {
            assert_eq!(result, Err(AppError::Forbidden), "{who} calling {name}");
        }
        assert_unchanged(&pool).await;
    }
    let _o = common::as_user(&pool, "outsider").await;
    // Non-members see no data, and cannot tell a hidden organization from a missing one.
    let hidden = get_organization("STRINGER".into()).await.map(|_| ());
    let missing = get_organization("NOPE".into()).await.map(|_| ());
    assert!(matches!(hidden, Err(AppError::NotFound(_))), "{hidden:?}");
    assert_eq!(
        hidden.map_err(|e| e.to_string().replace("STRINGER", "X")),
        missing.map_err(|e| e.to_string().replace("NOPE", "X"))
    );
    let _o = common::as_user(&pool, "portal").await;
    assert_eq!(
        create_organization("X".into(), "X".into(), String::new()).await,
        Err(AppError::Forbidden)
    );
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn administrators_manage_users(pool: PgPool) {
    world(&pool).await;
    let _o = common::as_user(&pool, "admin").await;
    for (name, result) in admin_mutations().await {
        assert_eq!(result, Ok(()), "{name}");
    }
    match create_user(
        "mallory".into(),
        "M".into(),
        String::new(),
        "pass-word-1".into(),
        false,
        false,
    )
    .await
    {
        Err(AppError::Field(fe)) => assert_eq!(fe.field, "username"),
        other => panic!("expected a taken username, got {other:?}"),
    }
    match create_user(
        "eve".into(),
        "Eve".into(),
        String::new(),
        "weak".into(),
        false,
        false,
    )
    .await
    {
        Err(AppError::Field(fe)) => assert_eq!(fe.field, "password"),
        other => panic!("expected a weak password, got {other:?}"),
    }
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn add_policy_checks_the_caller_before_reading_the_form(pool: PgPool) {
    use app::api::policies::add_policy;
    use app::domain::catalog::{PolicyLevel, PolicyOwner};
    use app::domain::policy::PolicyType;
    world(&pool).await;
    let owner = PolicyOwner {
        level: PolicyLevel::Api,
        org: "STRINGER".into(),
        entity: "Nope".into(),
        version: "1.0".into(),
    };
    // A form that would fail validation (and one that would be Argon2-hashed): either way the
    // anonymous caller hears "sign in", not what is wrong with the form.
    let mut bad = PolicyType::BasicAuth.default_form();
    bad.insert("identities".into(), "alice:pass-word-1\n::::".into());
    for who in [None, Some("viewer")] {
        let token = match who {
            Some(name) => Some(common::session(&pool, name).await),
            None => None,
        };
        let _o = common::act_as(&pool, token.as_deref());
        let result = add_policy(owner.clone(), PolicyType::BasicAuth, bad.clone()).await;
        let expected = if who.is_none() {
            AppError::Unauthenticated
        } else {
            AppError::Forbidden
        };
        assert_eq!(result, Err(expected), "{who:?}");
    }
}
