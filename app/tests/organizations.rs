//! Organizations and members through the server functions, against real Postgres.

mod common;

use app::api::activity::org_activity;
use app::api::members::{
    add_member, change_member_role, list_invitations, list_members, my_invitations, remove_member,
    respond_to_invitation,
};
use app::api::orgs::{
    create_organization, delete_organization, get_organization, search_organizations,
    update_organization,
};
use app::domain::invitation::MemberAdded;
use app::domain::roles::Role;
use app::error::AppError;
use sqlx::PgPool;

async fn world(pool: &PgPool) {
    common::user(pool, "david", false, false).await;
    common::user(pool, "rose", false, false).await;
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn creator_becomes_owner_and_the_creation_is_audited(pool: PgPool) {
    world(&pool).await;
    let _o = common::as_user(&pool, "david").await;
    let id = create_organization("STRINGER".into(), "Stringer".into(), "David's APIs".into())
        .await
        .expect("create");
    assert_eq!(id, "STRINGER");
    let view = get_organization(id.clone()).await.expect("get");
    assert_eq!(view.org.name, "Stringer");
    assert_eq!(view.my_role, Some(Role::Owner));
    assert!(view.can_edit && view.can_manage_members);
    let members = list_members(id.clone(), common::all())
        .await
        .expect("members")
        .items;
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].role, Role::Owner);
    let activity = org_activity(id, common::all())
        .await
        .expect("activity")
        .items;
    assert_eq!(activity[0].describe(), "Created organization STRINGER");
    assert_eq!(activity[0].actor, "david");
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn taken_or_invalid_ids_are_refused_at_the_id_field(pool: PgPool) {
    world(&pool).await;
    let _o = common::as_user(&pool, "david").await;
    create_organization("STRINGER".into(), "Stringer".into(), String::new())
        .await
        .expect("create");
    for bad in ["stringer", "STRINGER", "has space", ""] {
        match create_organization(bad.into(), "Other".into(), String::new()).await {
            Err(AppError::Field(fe)) => assert_eq!(fe.field, "id", "{bad}"),
            other => panic!("{bad}: expected a field error, got {other:?}"),
        }
    }
    match create_organization("Other".into(), "  ".into(), String::new()).await {
        Err(AppError::Field(fe)) => assert_eq!(fe.field, "name"),
        other => panic!("expected a name error, got {other:?}"),
    }
    let (count,): (i64,) = sqlx::query_as("SELECT count(*) FROM organizations")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(count, 1, "refused creations store nothing");
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn members_can_be_added_changed_and_removed_but_not_the_last_owner(pool: PgPool) {
    world(&pool).await;
    let _o = common::as_user(&pool, "david").await;
    create_organization("STRINGER".into(), "Stringer".into(), String::new())
        .await
        .expect("create");
    let org = || "STRINGER".to_string();
    // An Owner invites: the answer is the same for an account that exists and one that does not.
    for name in ["nobody", "rose"] {
        assert_eq!(
            add_member(org(), name.into(), Role::Viewer).await,
            Ok(MemberAdded::Invited),
            "{name}"
        );
    }
    let pending: Vec<String> = list_invitations(org())
        .await
        .expect("invitations")
        .into_iter()
        .map(|i| i.username)
        .collect();
    assert_eq!(pending, ["nobody", "rose"]);
    {
        let _o = common::as_user(&pool, "rose").await;
        let mine = my_invitations().await.expect("mine");
        assert_eq!((mine.len(), mine[0].role), (1, Role::Viewer));
        respond_to_invitation(org(), true).await.expect("accept");
        assert!(my_invitations().await.expect("none left").is_empty());
        assert!(respond_to_invitation(org(), true).await.is_err(), "used up");
    }
    let _o = common::as_user(&pool, "david").await;
    let members: Vec<String> = list_members(org(), common::all())
        .await
        .expect("members")
        .items
        .into_iter()
        .map(|m| m.username)
        .collect();
    assert_eq!(members, ["david", "rose"]);
    match add_member(org(), "rose".into(), Role::Owner).await {
        Err(AppError::Field(fe)) => assert!(fe.message.contains("already a member")),
        other => panic!("expected duplicate, got {other:?}"),
    }
    assert!(matches!(
        remove_member(org(), "david".into()).await,
        Err(AppError::Conflict(_))
    ));
    assert!(matches!(
        change_member_role(org(), "david".into(), Role::Viewer).await,
        Err(AppError::Conflict(_))
    ));
    change_member_role(org(), "rose".into(), Role::Owner)
        .await
        .expect("promote");
    change_member_role(org(), "david".into(), Role::ApiDeveloper)
        .await
        .expect("demote now that rose owns it");
    // david is no longer allowed to manage members; rose, the new Owner, removes him.
    assert_eq!(
        remove_member(org(), "rose".into()).await,
        Err(AppError::Forbidden)
    );
    let _o = common::as_user(&pool, "rose").await;
    remove_member(org(), "david".into()).await.expect("remove");
    let _o = common::as_user(&pool, "david").await;
    let members = list_members(org(), common::all()).await;
    // david is no longer a member: to him the organization is as missing as an unknown one.
    assert!(matches!(members, Err(AppError::NotFound(_))), "{members:?}");
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn two_owners_removing_each_other_at_once_leave_one_owner(pool: PgPool) {
    world(&pool).await;
    {
        let _o = common::as_user(&pool, "david").await;
        create_organization("STRINGER".into(), "Stringer".into(), String::new())
            .await
            .expect("create");
        common::join(&pool, "STRINGER", "rose", Role::Owner).await;
    }
    let a = app::api::members::service::remove(&pool, "david", "STRINGER", "rose");
    let b = app::api::members::service::remove(&pool, "rose", "STRINGER", "david");
    let (ra, rb) = tokio::join!(a, b);
    assert_eq!(
        ra.is_ok() as u8 + rb.is_ok() as u8,
        1,
        "exactly one removal wins: {ra:?} {rb:?}"
    );
    let (owners,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM memberships WHERE org_id = 'STRINGER' AND role = 'owner'",
    )
    .fetch_one(&pool)
    .await
    .expect("count");
    assert_eq!(owners, 1);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn edit_delete_and_search(pool: PgPool) {
    world(&pool).await;
    let _o = common::as_user(&pool, "david").await;
    create_organization("STRINGER".into(), "Stringer".into(), String::new())
        .await
        .expect("create");
    create_organization("Acme".into(), "ACME Corp.".into(), String::new())
        .await
        .expect("create");
    update_organization("STRINGER".into(), "Stringer Ltd".into(), "New text".into())
        .await
        .expect("update");
    let view = get_organization("STRINGER".into()).await.expect("get");
    assert_eq!(
        (view.org.name.as_str(), view.org.description.as_str()),
        ("Stringer Ltd", "New text")
    );
    let found = search_organizations(common::filtered("string"))
        .await
        .expect("search")
        .items;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, "STRINGER");
    assert_eq!(
        search_organizations(common::all())
            .await
            .expect("all")
            .items
            .len(),
        2
    );
    assert!(
        search_organizations(common::filtered("%"))
            .await
            .expect("literal %")
            .items
            .is_empty()
    );
    delete_organization("Acme".into()).await.expect("delete");
    assert_eq!(
        search_organizations(common::all())
            .await
            .expect("all")
            .items
            .len(),
        1
    );
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn search_shows_only_organizations_the_user_belongs_to(pool: PgPool) {
    world(&pool).await;
    {
        let _o = common::as_user(&pool, "david").await;
        create_organization("STRINGER".into(), "Stringer".into(), String::new())
            .await
            .expect("create");
    }
    let _o = common::as_user(&pool, "rose").await;
    assert!(
        search_organizations(common::all())
            .await
            .expect("search")
            .items
            .is_empty()
    );
}
