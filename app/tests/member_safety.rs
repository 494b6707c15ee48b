//! What members may learn and where their clients land: API keys only for those who may edit
//! clients, invitations that reveal no account, personal organizations found by the system's
//! mark and never by name (issue 11, items 5 and 6).

mod common;

use app::api::clients::{create_client, get_client_version};
use app::api::members::{add_member, my_invitations, respond_to_invitation};
use app::api::orgs::create_organization;
use app::api::plans::{create_plan, lock_plan};
use app::api::portal::{my_clients, portal_sign_up};
use app::domain::catalog::ContractStatus;
use app::domain::invitation::MemberAdded;
use app::domain::portal::SignupTarget;
use app::domain::roles::Role;
use app::error::AppError;
use sqlx::PgPool;

fn s(v: &str) -> String {
    v.to_string()
}

/// david owns STRINGER, which publishes Echo with plan Silver (no approval) and has client App
/// 1.0 with an active contract. Members: viewer, apidev, clientdev; pat is a portal-only Owner of
/// STRINGER too; admin is an administrator and no member.
async fn world(pool: &PgPool) {
    for (name, admin, portal) in [
        ("david", false, false),
        ("viewer", false, false),
        ("apidev", false, false),
        ("clientdev", false, false),
        ("pat", false, true),
        ("admin", true, false),
    ] {
        common::user(pool, name, admin, portal).await;
    }
    let _o = common::as_user(pool, "david").await;
    create_organization(s("STRINGER"), s("Stringer"), String::new())
        .await
        .expect("org");
    for (name, role) in [
        ("viewer", Role::Viewer),
        ("apidev", Role::ApiDeveloper),
        ("clientdev", Role::ClientDeveloper),
        ("pat", Role::Owner),
    ] {
        common::join(pool, "STRINGER", name, role).await;
    }
    create_plan(
        s("STRINGER"),
        s("Silver"),
        s("Silver"),
        s("1.0"),
        String::new(),
    )
    .await
    .expect("plan");
    lock_plan(s("STRINGER"), s("Silver"), s("1.0"))
        .await
        .expect("lock");
    common::api_offered(
        "STRINGER",
        "Echo",
        "http://127.0.0.1:9/",
        false,
        &[("Silver", false)],
        true,
    )
    .await;
    create_client(s("STRINGER"), s("App"), s("App"), s("1.0"), String::new())
        .await
        .expect("client");
    let signed = sign_up(SignupTarget::Existing {
        org: s("STRINGER"),
        client: s("App"),
        version: s("1.0"),
    })
    .await
    .expect("contract");
    assert_eq!(signed.status, ContractStatus::Active);
}

async fn sign_up(target: SignupTarget) -> Result<app::domain::portal::SignupResult, AppError> {
    portal_sign_up(
        s("STRINGER"),
        s("Echo"),
        s("1.0"),
        s("Silver"),
        s("1.0"),
        target,
    )
    .await
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn only_client_editors_and_admins_receive_api_keys(pool: PgPool) {
    world(&pool).await;
    // (user, sees the key in the console, sees it in My Clients)
    for (user, console, portal) in [
        ("david", Some(true), true),
        ("clientdev", Some(true), true),
        ("admin", Some(true), false),
        ("viewer", Some(false), false),
        ("apidev", Some(false), false),
        ("pat", None, true),
    ] {
        let _o = common::as_user(&pool, user).await;
        let view = get_client_version(s("STRINGER"), s("App"), s("1.0")).await;
        match console {
            Some(shown) => {
                let key = view.expect(user).api_key;
                assert_eq!(key.is_some(), shown, "{user} in the console");
                if let Some(k) = key {
                    assert_eq!(k.len(), 43);
                }
            }
            // Portal-only users never reach the console at all.
            None => assert!(view.is_err(), "{user}"),
        }
        let mine = my_clients(common::all()).await.expect("mine").items;
        let key = mine
            .iter()
            .find(|c| c.client_id == "App")
            .map(|c| c.versions[0].api_key.is_some());
        // admin is no member of STRINGER, so My Clients does not list its clients.
        let expected = if user == "admin" { None } else { Some(portal) };
        assert_eq!(key, expected, "{user} in My Clients");
    }
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn inviting_says_the_same_whether_or_not_the_account_exists(pool: PgPool) {
    world(&pool).await;
    common::user(&pool, "rose", false, false).await;
    let _o = common::as_user(&pool, "david").await;
    let answers: Vec<_> = [
        "rose",
        "no-such-user",
        "ROSE-BUT-NOT",
        "x".repeat(40).as_str(),
    ]
    .into_iter()
    .map(s)
    .collect();
    for name in answers {
        assert_eq!(
            add_member(s("STRINGER"), name.clone(), Role::Owner).await,
            Ok(MemberAdded::Invited),
            "{name}"
        );
    }
    // Malformed names are refused before anything is looked up, the same for everyone.
    for bad in ["", " ", "a", &"x".repeat(41), "bob smith", "bob\u{202E}"] {
        assert!(
            matches!(add_member(s("STRINGER"), s(bad), Role::Viewer).await,
                     Err(AppError::Field(ref f)) if f.field == "username"),
            "{bad:?}"
        );
    }
    // An administrator adds at once, and may learn that an account is missing: they can list
    // every account anyway.
    let _o = common::as_user(&pool, "admin").await;
    assert!(matches!(
        add_member(s("STRINGER"), s("no-such-user"), Role::Viewer).await,
        Err(AppError::Field(ref f)) if f.message.contains("no user named")
    ));
    assert_eq!(
        add_member(s("STRINGER"), s("rose"), Role::Viewer).await,
        Ok(MemberAdded::Added)
    );
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn an_organization_named_after_you_does_not_catch_your_sign_up(pool: PgPool) {
    world(&pool).await;
    common::user(&pool, "bob", false, true).await;
    common::user(&pool, "mallory", false, false).await;
    {
        // The attack: mallory creates "bob-personal" and makes bob its Owner (an administrator
        // adding him, or bob accepting an invitation he did not read).
        let _o = common::as_user(&pool, "mallory").await;
        create_organization(s("bob-personal"), s("bob (personal)"), String::new())
            .await
            .expect("trap");
        assert_eq!(
            add_member(s("bob-personal"), s("bob"), Role::Owner).await,
            Ok(MemberAdded::Invited)
        );
    }
    {
        let _o = common::as_user(&pool, "bob").await;
        assert_eq!(my_invitations().await.expect("invited").len(), 1);
        respond_to_invitation(s("bob-personal"), true)
            .await
            .expect("accept");
        let first = sign_up(SignupTarget::New {
            org: None,
            name: s("Bob App"),
            version: s("1.0"),
        })
        .await
        .expect("sign up");
        assert_eq!(
            first.client_org, "bob-personal1",
            "not mallory's organization"
        );
        // The second sign-up finds the same personal organization by its mark.
        let second = sign_up(SignupTarget::New {
            org: None,
            name: s("Bob Two"),
            version: s("1.0"),
        })
        .await
        .expect("second");
        assert_eq!(second.client_org, "bob-personal1");
    }
    let (clients_in_trap,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM clients WHERE org_id = 'bob-personal'")
            .fetch_one(&pool)
            .await
            .expect("count");
    assert_eq!(clients_in_trap, 0);
    let (marked,): (Option<String>,) =
        sqlx::query_as("SELECT personal_of FROM organizations WHERE id = 'bob-personal'")
            .fetch_one(&pool)
            .await
            .expect("mark");
    assert_eq!(marked, None, "nobody but the system sets the mark");
}
