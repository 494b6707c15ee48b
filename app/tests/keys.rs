//! API keys with a lifecycle through the server functions, against real Postgres: Rotate with a
//! grace period, Revoke, the caps, who may do what, the audit trail and what gateways hear.

mod common;

use app::api::clients::{create_client, get_client_version, register_client, retire_client};
use app::api::contracts::create_contract;
use app::api::keys::{list_client_keys, revoke_key, rotate_key};
use app::api::orgs::create_organization;
use app::api::plans::{create_plan, lock_plan};
use app::domain::client::ClientStatus;
use app::domain::keys::{ClientKeys, ENDED_KEYS_KEPT, KeyState, MAX_KEYS_IN_USE};
use app::domain::refs::VersionRef;
use app::domain::roles::Role;
use app::error::AppError;
use chrono::{Duration, Utc};
use sqlx::PgPool;

fn s(v: &str) -> String {
    v.to_string()
}

/// STRINGER (david) offers PrivateEchoAPI 1.0 through Gold; its client App 1.0 is registered
/// with a contract. "viewer" and "apidev" are members who may not edit clients; "outsider" is
/// not a member; "portal" is a portal-only owner of STRINGER.
async fn world(pool: &PgPool) {
    for name in ["david", "viewer", "apidev", "outsider"] {
        common::user(pool, name, false, false).await;
    }
    common::user(pool, "portal", false, true).await;
    let _o = common::as_user(pool, "david").await;
    create_organization(s("STRINGER"), s("Stringer"), String::new())
        .await
        .expect("org");
    common::join(pool, "STRINGER", "viewer", Role::Viewer).await;
    common::join(pool, "STRINGER", "apidev", Role::ApiDeveloper).await;
    common::join(pool, "STRINGER", "portal", Role::Owner).await;
    create_plan(s("STRINGER"), s("Gold"), s("Gold"), s("1.0"), String::new())
        .await
        .expect("plan");
    lock_plan(s("STRINGER"), s("Gold"), s("1.0"))
        .await
        .expect("lock");
    common::api_offered(
        "STRINGER",
        "PrivateEchoAPI",
        "http://127.0.0.1:9/echo",
        false,
        &[("Gold", false)],
        true,
    )
    .await;
    create_client(s("STRINGER"), s("App"), s("App"), s("1.0"), String::new())
        .await
        .expect("client");
    create_contract(
        VersionRef::new("STRINGER", "App", "1.0"),
        VersionRef::new("STRINGER", "PrivateEchoAPI", "1.0"),
        s("Gold"),
        s("1.0"),
    )
    .await
    .expect("contract");
    register_client(s("STRINGER"), s("App"), s("1.0"))
        .await
        .expect("register");
}

async fn keys() -> ClientKeys {
    list_client_keys(s("STRINGER"), s("App"), s("1.0"))
        .await
        .expect("keys")
}

async fn rotate(hours: i64) -> Result<(), AppError> {
    rotate_key(s("STRINGER"), s("App"), s("1.0"), hours).await
}

async fn revoke(id: i64) -> Result<(), AppError> {
    revoke_key(s("STRINGER"), s("App"), s("1.0"), id).await
}

fn states(k: &ClientKeys) -> Vec<KeyState> {
    k.keys.iter().map(|k| k.state).collect()
}

/// Registry changes announced so far, by kind.
async fn announced(pool: &PgPool) -> i64 {
    let (seq,): (i64,) = sqlx::query_as("SELECT seq FROM registry_sequence")
        .fetch_one(pool)
        .await
        .expect("seq");
    seq
}

async fn audit_actions(pool: &PgPool) -> Vec<(String, serde_json::Value)> {
    sqlx::query_as("SELECT action, data FROM audit_entries WHERE action LIKE 'key_%' ORDER BY id")
        .fetch_all(pool)
        .await
        .expect("audit")
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn rotate_keeps_the_old_key_for_its_grace_and_revoke_ends_one(pool: PgPool) {
    world(&pool).await;
    let _o = common::as_user(&pool, "david").await;
    let first = keys().await;
    assert!(first.can_manage);
    assert_eq!(states(&first), [KeyState::Active]);
    let old = first.keys[0].clone();
    let old_key = old.key.clone().expect("an editor sees the whole key");
    assert_eq!(old.created_by, "david");
    assert!(old.last_used_at.is_none());

    // Rotate with a 1-hour grace: a new Active key, the old one Expiring an hour from now.
    let seq = announced(&pool).await;
    rotate(1).await.expect("rotate");
    assert_eq!(announced(&pool).await, seq + 1, "gateways are told");
    let now = keys().await;
    assert_eq!(states(&now), [KeyState::Active, KeyState::Expiring]);
    let (new, old_now) = (&now.keys[0], &now.keys[1]);
    assert_eq!(old_now.id, old.id);
    assert_eq!(
        old_now.key.as_deref(),
        Some(old_key.as_str()),
        "still usable"
    );
    let ends = old_now.expires_at.expect("an end");
    let expected = Utc::now() + Duration::hours(1);
    assert!((ends - expected).num_seconds().abs() < 60, "{ends}");
    assert!(new.expires_at.is_none());
    let new_key = new.key.clone().expect("whole");
    assert_ne!(new_key, old_key);
    // The client page's one key is the newest Active one.
    let view = get_client_version(s("STRINGER"), s("App"), s("1.0"))
        .await
        .expect("view");
    assert_eq!(view.api_key.as_deref(), Some(new_key.as_str()));
    assert_eq!(
        view.status,
        ClientStatus::Registered,
        "no re-registration needed"
    );

    // A second rotation with a longer grace does not lengthen the first one's.
    rotate(720).await.expect("rotate again");
    let now = keys().await;
    assert_eq!(
        states(&now),
        [KeyState::Active, KeyState::Expiring, KeyState::Expiring]
    );
    assert_eq!(now.keys[2].expires_at, Some(ends), "kept its earlier end");
    let later = now.keys[1].expires_at.expect("end");
    assert!(later > ends + Duration::days(29));

    // Revoke the oldest: Revoked at once, with who did it; whole keys are no longer shown.
    revoke(old.id).await.expect("revoke");
    let now = keys().await;
    let revoked = now.keys.iter().find(|k| k.id == old.id).expect("kept");
    assert_eq!(revoked.state, KeyState::Revoked);
    assert_eq!(revoked.revoked_by.as_deref(), Some("david"));
    assert_eq!(revoked.key, None, "an ended key shows only its hint");
    assert_eq!(revoked.hint, format!("{}…", &old_key[..4]));
    assert!(
        matches!(revoke(old.id).await, Err(AppError::Conflict(m)) if m.contains("already revoked"))
    );
    assert!(matches!(revoke(-1).await, Err(AppError::NotFound(_))));
    // Another client's key id, named through this client, is not found and stays as it was.
    create_client(
        s("STRINGER"),
        s("Other"),
        s("Other"),
        s("1.0"),
        String::new(),
    )
    .await
    .expect("other client");
    let (other,): (i64,) = sqlx::query_as(
        "SELECT k.id FROM client_keys k JOIN client_versions v ON v.id = k.client_version_id
         WHERE v.client_id = 'Other'",
    )
    .fetch_one(&pool)
    .await
    .expect("other key");
    assert!(matches!(revoke(other).await, Err(AppError::NotFound(_))));
    let (revoked,): (bool,) =
        sqlx::query_as("SELECT revoked_at IS NOT NULL FROM client_keys WHERE id = $1")
            .bind(other)
            .fetch_one(&pool)
            .await
            .expect("still there");
    assert!(!revoked);

    // Expired: an end in the past (as time passing makes it).
    sqlx::query("UPDATE client_keys SET expires_at = now() - interval '1 second' WHERE id = $1")
        .bind(now.keys[1].id)
        .execute(&pool)
        .await
        .expect("age");
    let now = keys().await;
    assert_eq!(now.keys[1].state, KeyState::Expired);
    assert!(
        matches!(revoke(now.keys[1].id).await, Err(AppError::Conflict(m)) if m.contains("expired"))
    );

    // Audited, with shortened keys only.
    let audit = audit_actions(&pool).await;
    let actions: Vec<&str> = audit.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(actions, ["key_rotated", "key_rotated", "key_revoked"]);
    assert_eq!(audit[0].1["grace_hours"], 1);
    assert_eq!(audit[0].1["previous"][0], format!("{}…", &old_key[..4]));
    let text = serde_json::to_string(&audit).expect("json");
    assert!(!text.contains(&old_key) && !text.contains(&new_key));
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn bad_grace_periods_and_the_caps_are_refused_and_change_nothing(pool: PgPool) {
    world(&pool).await;
    let _o = common::as_user(&pool, "david").await;
    let before = keys().await;
    for bad in [0, -1, 721, i64::MAX, i64::MIN] {
        match rotate(bad).await {
            Err(AppError::Field(e)) => assert_eq!(e.field, "grace_hours", "{bad}"),
            other => panic!("{bad}: {other:?}"),
        }
    }
    assert_eq!(keys().await, before, "nothing changed");

    // At most MAX_KEYS_IN_USE keys in use: the 10th rotation would make 11.
    for _ in 1..MAX_KEYS_IN_USE {
        rotate(1).await.expect("rotate");
    }
    assert_eq!(keys().await.keys.len(), MAX_KEYS_IN_USE);
    let at_cap = keys().await;
    assert!(matches!(rotate(1).await, Err(AppError::Conflict(m)) if m.contains("10 keys in use")));
    assert_eq!(keys().await, at_cap, "nothing changed");

    // Ended keys beyond ENDED_KEYS_KEPT are forgotten, oldest first.
    for _ in 0..(ENDED_KEYS_KEPT + 5) {
        let oldest_in_use = keys()
            .await
            .keys
            .iter()
            .rev()
            .find(|k| k.state.in_use())
            .map(|k| k.id)
            .expect("one in use");
        revoke(oldest_in_use).await.expect("revoke");
        rotate(1).await.expect("rotate");
    }
    let now = keys().await;
    let ended = now.keys.iter().filter(|k| !k.state.in_use()).count();
    let in_use = now.keys.iter().filter(|k| k.state.in_use()).count();
    assert_eq!((ended, in_use), (ENDED_KEYS_KEPT, MAX_KEYS_IN_USE));
    let ids: Vec<i64> = now.keys.iter().map(|k| k.id).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first");
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn only_those_who_may_edit_the_client_manage_its_keys(pool: PgPool) {
    world(&pool).await;
    let key_id = {
        let _o = common::as_user(&pool, "david").await;
        keys().await.keys[0].id
    };
    for member in ["viewer", "apidev"] {
        let _o = common::as_user(&pool, member).await;
        let seen = keys().await;
        assert!(!seen.can_manage, "{member}");
        assert!(
            seen.keys.iter().all(|k| k.key.is_none()),
            "{member} sees hints only"
        );
        assert_eq!(rotate(24).await, Err(AppError::Forbidden), "{member}");
        assert_eq!(revoke(key_id).await, Err(AppError::Forbidden), "{member}");
    }
    {
        let _o = common::as_user(&pool, "outsider").await;
        assert!(matches!(
            list_client_keys(s("STRINGER"), s("App"), s("1.0")).await,
            Err(AppError::NotFound(_))
        ));
        assert!(matches!(rotate(24).await, Err(AppError::NotFound(_))));
        assert!(matches!(revoke(key_id).await, Err(AppError::NotFound(_))));
    }
    {
        let _o = common::act_as(&pool, None);
        assert!(rotate(24).await.is_err(), "signed out");
    }
    // A portal-only owner manages the keys of their organization's client.
    {
        let _o = common::as_user(&pool, "portal").await;
        let seen = keys().await;
        assert!(seen.can_manage);
        assert!(seen.keys[0].key.is_some());
        rotate(24).await.expect("portal owner rotates");
        revoke(key_id).await.expect("portal owner revokes");
    }
    let _o = common::as_user(&pool, "david").await;
    assert_eq!(states(&keys().await), [KeyState::Active, KeyState::Revoked]);
    // A retired client's keys no longer change.
    retire_client(s("STRINGER"), s("App"), s("1.0"))
        .await
        .expect("retire");
    assert!(!keys().await.can_manage);
    assert!(matches!(rotate(24).await, Err(AppError::Conflict(m)) if m.contains("retired")));
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn rotations_at_once_leave_one_active_key(pool: PgPool) {
    use app::api::keys::service;
    use app::domain::keys::Grace;
    world(&pool).await;
    // A pool of its own, so that the rotations really run side by side. The client version's
    // row lock serialises them: each ends the keys the one before made.
    let wide = sqlx::postgres::PgPoolOptions::new()
        .max_connections(5)
        .connect_with((*pool.connect_options()).clone())
        .await
        .expect("pool");
    let app = VersionRef::new("STRINGER", "App", "1.0");
    let grace = Grace::hours(24).expect("grace");
    let all = futures_util::future::join_all(
        (0..5).map(|_| service::rotate(&wide, "david", &app, grace)),
    )
    .await;
    assert!(all.iter().all(Result::is_ok), "{all:?}");
    let _o = common::as_user(&pool, "david").await;
    let states: Vec<KeyState> = keys().await.keys.iter().map(|k| k.state).collect();
    assert_eq!(states.len(), 6);
    assert_eq!(states[0], KeyState::Active);
    assert!(
        states[1..].iter().all(|s| *s == KeyState::Expiring),
        "{states:?}"
    );
}
