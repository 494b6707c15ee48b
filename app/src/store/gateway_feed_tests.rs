//! Unit tests of `store::gateway_feed`: change messages and folding key rows into clients.

use super::*;

fn keyed(id: i64, key: Option<(i64, &str)>) -> KeyedRow {
    KeyedRow {
        id,
        name: format!("O/c{id}/1.0"),
        registered: true,
        registered_policies: None,
        key_id: key.map(|k| k.0),
        api_key: key.map(|k| k.1.to_string()),
        key_end: key.filter(|k| k.0 == 10).map(|_| 99),
        key_revoked: key.is_some_and(|k| k.0 == 11),
    }
}

#[test]
fn rows_of_one_version_fold_into_one_client_with_its_keys_in_order() {
    let rows = [
        keyed(1, Some((10, "a"))),
        keyed(1, Some((11, "b"))),
        keyed(2, None),
        keyed(3, Some((12, "c"))),
    ];
    let mut folder = Folder::default();
    let mut out: Vec<ClientRow> = rows.into_iter().filter_map(|r| folder.push(r)).collect();
    out.extend(folder.finish());
    type Keys = Vec<(i64, String, KeyLife)>;
    let seen: Vec<(i64, Keys)> = out
        .iter()
        .map(|c| {
            let keys = c
                .keys()
                .map(|k| (k.id, k.api_key.to_string(), k.life))
                .collect();
            (c.id, keys)
        })
        .collect();
    let life = |expires_at, revoked| KeyLife {
        expires_at,
        revoked,
    };
    assert_eq!(
        seen,
        [
            (
                1,
                vec![
                    (10, "a".into(), life(Some(99), false)),
                    (11, "b".into(), life(None, true))
                ]
            ),
            (2, vec![]),
            (3, vec![(12, "c".into(), life(None, false))]),
        ]
    );
    assert!(Folder::default().finish().is_none());
}

#[test]
fn changes_travel_as_json_with_kind_id_and_sequence() {
    let change = Change {
        seq: 7,
        kind: ChangeKind::ContractDeleted,
        id: 42,
    };
    let text = serde_json::to_string(&change).expect("json");
    assert_eq!(text, r#"{"seq":7,"kind":"contract_deleted","id":42}"#);
    assert_eq!(serde_json::from_str::<Change>(&text).expect("back"), change);
    assert!(serde_json::from_str::<Change>(r#"{"seq":7,"kind":"dropped","id":1}"#).is_err());
    assert!(serde_json::from_str::<Change>("").is_err());
}

#[test]
fn client_changes_reread_the_client_and_api_changes_the_api() {
    let of = |kind| {
        Change {
            seq: 1,
            kind,
            id: 5,
        }
        .target()
    };
    for kind in [
        ChangeKind::ClientRegistered,
        ChangeKind::ClientReregistered,
        ChangeKind::ClientRetired,
        ChangeKind::ContractDeleted,
        ChangeKind::KeysChanged,
    ] {
        assert_eq!(of(kind), Target::ClientVersion(5));
    }
    for kind in [ChangeKind::ApiPublished, ChangeKind::ApiRetired] {
        assert_eq!(of(kind), Target::ApiVersion(5));
    }
}
