use app::domain::keys::KeyLife;
use app::domain::policy::StoredPolicy;
use app::store::gateway_feed::KeyRow;
use sqlx::types::Json;

use super::*;

fn builder() -> Builder {
    Builder::new(Trust::empty().expect("trust"))
}

fn client_row(id: i64, policies: serde_json::Value) -> ClientRow {
    let key = format!("key-{id}");
    let keys = [KeyRow {
        id: id * 10,
        api_key: &key,
        life: KeyLife::default(),
    }];
    let mut row = ClientRow::new(id, &format!("O/c{id}/1.0"), true, &keys);
    row.registered_policies = Some(Json(serde_json::from_value(policies).expect("snapshot")));
    row
}

fn contract(client: i64, api: i64, plan: i64) -> ContractRow {
    ContractRow {
        client_version_id: client,
        api_version_id: api,
        plan_version_id: plan,
    }
}

fn plan(id: i64) -> PlanRow {
    PlanRow {
        id,
        plan_id: format!("P{id}"),
        version: "1.0".into(),
    }
}

fn policy(id: i64, owner: i64) -> PolicyRow {
    PolicyRow {
        owner_id: owner,
        policy: Json(StoredPolicy::new(
            id,
            "IgnoredResourcesPolicy",
            &serde_json::json!({"rules": []}),
        )),
    }
}

fn api_row(id: i64, status: ApiStatus, ca: Option<&str>) -> ApiRow {
    ApiRow {
        id,
        org_id: "O".into(),
        api_id: format!("A{id}"),
        version: "1.0".into(),
        status,
        public: false,
        endpoint: "http://127.0.0.1:9/echo".into(),
        upstream_ca_pem: ca.map(str::to_string),
    }
}

#[test]
fn digests_are_sixteen_bytes_and_tell_keys_apart() {
    assert_eq!(digest("abc"), digest("abc"));
    assert_ne!(digest("abc"), digest("abd"));
    assert_ne!(digest(""), digest(" "));
}

#[test]
fn clients_on_the_same_contracts_share_one_list_and_plan_chains_are_compiled_once() {
    let mut b = builder();
    b.add_plans(&[plan(10), plan(11)], &[policy(1, 10), policy(2, 10)]);
    let none = serde_json::json!([]);
    let one = b.client(&client_row(1, none.clone()), &[contract(1, 100, 10)]);
    let two = b.client(&client_row(2, none.clone()), &[contract(2, 100, 10)]);
    let other = b.client(&client_row(3, none), &[contract(3, 100, 11)]);
    assert!(Arc::ptr_eq(&one.contracts, &two.contracts));
    assert!(!Arc::ptr_eq(&one.contracts, &other.contracts));
    let c = one.contracts.get(&100).expect("contract");
    assert_eq!(c.plan, "P10 1.0");
    assert_eq!(c.policies.len(), 2);
    assert!(one.contracts.get(&101).is_none());
    assert!(Arc::ptr_eq(&one.policies, &two.policies), "one empty chain");
    assert_eq!(&*one.name, "O/c1/1.0");
}

#[test]
fn a_client_keeps_its_own_registered_policies() {
    let mut b = builder();
    let snapshot = serde_json::json!([
        {"id": 7, "type": "IgnoredResourcesPolicy", "config": {"rules": []}},
        {"id": 8, "type": "IgnoredResourcesPolicy", "config": {"rules": []}},
    ]);
    let c = b.client(&client_row(1, snapshot), &[]);
    let ids: Vec<i64> = c.policies.iter().map(|p| p.id).collect();
    assert_eq!(ids, [7, 8]);
}

#[test]
fn a_contract_through_an_unknown_plan_is_left_out() {
    let mut b = builder();
    b.add_plans(&[plan(10)], &[]);
    let c = b.client(
        &client_row(1, serde_json::json!([])),
        &[contract(1, 100, 10), contract(1, 200, 99)],
    );
    assert!(c.contracts.contains_key(&100));
    assert!(!c.contracts.contains_key(&200));
}

#[test]
fn a_new_version_leaves_the_one_requests_hold_untouched() {
    let mut b = builder();
    let mut first = Registry::default();
    let entry = b.client(&client_row(1, serde_json::json!([])), &[]);
    first.add_client(&entry);
    let mut second = first.clone();
    let entry = b.client(&client_row(2, serde_json::json!([])), &[]);
    second.add_client(&entry);
    second.remove_client(1, [digest("key-1")]);
    assert!(first.client("key-1").is_some() && first.client("key-2").is_none());
    assert!(second.client("key-1").is_none() && second.client("key-2").is_some());
    assert_eq!((first.key_count(), second.key_count()), (1, 1));
}

#[test]
fn apis_get_their_own_policies_and_a_bad_ca_is_not_served() {
    let b = builder();
    let rows = [
        api_row(1, ApiStatus::Published, None),
        api_row(2, ApiStatus::Retired, None),
        api_row(3, ApiStatus::Published, Some("not a certificate")),
    ];
    let built = b.apis(&rows, &[policy(1, 1), policy(2, 3), policy(3, 1)]);
    let names: Vec<&str> = built.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["O/A1/1.0", "O/A2/1.0", "O/A3/1.0"]);
    let ids: Vec<i64> = built[0].1.policies.iter().map(|p| p.id).collect();
    assert_eq!(ids, [1, 3]);
    assert!(built[1].1.retired && !built[0].1.retired);
    assert!(built[0].1.upstream.is_some());
    assert!(built[2].1.upstream.is_none(), "fail closed");
}

#[test]
fn contracts_of_finds_exactly_one_clients_rows() {
    let mut rows = vec![
        contract(3, 1, 1),
        contract(1, 2, 1),
        contract(2, 1, 1),
        contract(1, 1, 1),
        contract(5, 1, 1),
    ];
    rows.sort_unstable();
    assert_eq!(
        contracts_of(&rows, 1),
        [contract(1, 1, 1), contract(1, 2, 1)]
    );
    assert_eq!(contracts_of(&rows, 2), [contract(2, 1, 1)]);
    assert!(contracts_of(&rows, 4).is_empty());
    assert!(contracts_of(&rows, 0).is_empty());
    assert!(contracts_of(&rows, 9).is_empty());
}

#[test]
fn a_client_is_served_under_each_of_its_keys_and_removed_under_all() {
    let mut b = builder();
    let ended = KeyLife {
        expires_at: Some(5),
        revoked: false,
    };
    let revoked = KeyLife {
        expires_at: None,
        revoked: true,
    };
    let keys = [
        KeyRow {
            id: 1,
            api_key: "old",
            life: ended,
        },
        KeyRow {
            id: 2,
            api_key: "gone",
            life: revoked,
        },
        KeyRow {
            id: 3,
            api_key: "new",
            life: KeyLife::default(),
        },
    ];
    let entry = b.client(&ClientRow::new(7, "O/c7/1.0", true, &keys), &[]);
    let mut r = Registry::default();
    r.add_client(&entry);
    assert_eq!(r.key_count(), 3);
    let found =
        |r: &Registry, k: &str| r.client(k).map(|e| (e.client.id, e.key().id, e.key().life));
    assert_eq!(found(&r, "old"), Some((7, 1, ended)));
    assert_eq!(found(&r, "gone"), Some((7, 2, revoked)));
    assert_eq!(found(&r, "new"), Some((7, 3, KeyLife::default())));
    // A later version of the client without "old" (forgotten): one key it still has finds the
    // old entry, and all three stop being served.
    r.remove_client(7, [digest("new")]);
    assert_eq!(r.key_count(), 0);
    // Another client's id never removes this one.
    r.add_client(&entry);
    r.remove_client(8, [digest("new")]);
    assert_eq!(r.key_count(), 3);
}
