use super::*;
use crate::gateway::{proxy, split};
use app::domain::policy::{IgnoredResourcesConfig, IgnoredRule, Matcher, PolicyConfig, Verb};
use axum::http::{Method, Uri};
use proptest::prelude::*;

#[test]
fn canonical_paths_are_borrowed() {
    for p in [
        "",
        "/",
        "/a",
        "/a/",
        "/a/b.json",
        "/a;x=1/b",
        "/~user/a-b_c",
        "/a/.x/..y",
    ] {
        assert!(
            matches!(normalise(p), Ok(Cow::Borrowed(s)) if s == p),
            "{p} is canonical"
        );
    }
}

#[test]
fn spellings_become_one_path() {
    let cases = [
        ("//admin", "/admin"),
        ("/x/../admin", "/admin"),
        ("/./admin/.", "/admin/"),
        ("/%61dmin", "/admin"),
        ("/a/%2e%2e/admin", "/admin"),
        ("/a/b/..", "/a/"),
        ("/a//b//", "/a/b/"),
        ("/a%20b%c3%a9", "/a%20b%C3%A9"),
        ("/a b", "/a%20b"),
        ("/caf\u{e9}", "/caf%C3%A9"),
        ("/%3f%25", "/%3F%25"),
        ("/a/..", "/"),
        ("/.", "/"),
    ];
    for (raw, canonical) in cases {
        assert_eq!(normalise(raw).as_deref(), Ok(canonical), "{raw}");
    }
}

#[test]
fn unsafe_paths_are_refused() {
    let cases = [
        ("/a%2Fb", PathError::EncodedSlash),
        ("/a%2fb", PathError::EncodedSlash),
        ("/a\\b", PathError::Backslash),
        ("/a%5cb", PathError::Backslash),
        ("/a%00", PathError::Nul),
        ("/a\0", PathError::Nul),
        ("/a%", PathError::BadEscape),
        ("/a%2", PathError::BadEscape),
        ("/a%zz", PathError::BadEscape),
        ("/..", PathError::AboveRoot),
        ("/%2e%2e/", PathError::AboveRoot),
        ("/a/../..", PathError::AboveRoot),
        ("/a/..;/b", PathError::DotWithParameters),
        ("/.;x/b", PathError::DotWithParameters),
    ];
    for (raw, error) in cases {
        assert_eq!(normalise(raw), Err(error), "{raw}");
    }
}

/// A path segment from characters that matter to the attacks.
fn piece() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("/"),
            Just("."),
            Just(".."),
            Just("%2e"),
            Just("%2E"),
            Just("%2f"),
            Just("%5c"),
            Just("\\"),
            Just("%"),
            Just(";"),
            Just("%25"),
            Just("%2"),
            Just("a"),
            Just("%61"),
            Just("admin"),
            Just("%00"),
            Just(" "),
            Just("\u{e9}"),
        ],
        0..24,
    )
    .prop_map(|parts| parts.concat())
}

/// Whether `path` (an upstream path) has a dot segment, Tomcat's `..;` included.
fn has_dot_segment(path: &str) -> bool {
    path.split('/').any(|s| dot_segment(s).is_some())
        || path.contains("%2F")
        || path.contains("%5C")
        || path.contains('\\')
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn no_path_leaves_the_endpoint_base(rest in piece(), noise in "[ -~]{0,12}") {
        for rest in [rest.clone(), format!("{rest}{noise}"), format!("{noise}{rest}")] {
            let full = format!("ORG/Api/1.0/{rest}");
            let Some((api, below)) = split(&full) else { continue };
            prop_assert_eq!(api, "ORG/Api/1.0");
            let Ok(canonical) = normalise(below) else { continue };
            prop_assert_eq!(normalise(&canonical), Ok(Cow::Borrowed(&*canonical)), "idempotent");
            let endpoint: Uri = "http://up:8080/base/v1".parse().expect("uri");
            let target = proxy::target(&endpoint, &canonical, None);
            let target = target.expect("a canonical path always makes a URI");
            let path = target.path();
            prop_assert!(path == "/base/v1" || path.starts_with("/base/v1/"), "{}", path);
            prop_assert!(!has_dot_segment(path), "{}", path);
        }
    }

    #[test]
    fn no_spelling_of_admin_escapes_a_rule_on_it(
        letters in prop::collection::vec(0u8..3, 5),
        before in prop::collection::vec(0u8..4, 0..4),
        middle in 0u8..4,
        tail in "[a-z0-9]{0,8}",
    ) {
        let rule = PolicyConfig::IgnoredResources(IgnoredResourcesConfig {
            rules: vec![IgnoredRule { verb: Verb::Any, path_pattern: "/admin/.*".into() }],
        });
        let Ok(Matcher::Ignored(rule)) = rule.compile() else { panic!("compiles") };
        let separator = |k: u8| match k {
            0 => "/",
            1 => "//",
            2 => "/./",
            _ => "/zz/../",
        };
        let mut path: String = before.iter().map(|&k| separator(k)).collect();
        path.push('/');
        for (c, how) in "admin".chars().zip(&letters) {
            match how {
                0 => path.push(c),
                1 => path.push_str(&format!("%{:02x}", c as u32)),
                _ => path.push_str(&format!("%{:02X}", c as u32)),
            }
        }
        path.push_str(separator(middle));
        path.push_str(&tail);
        // A refused spelling (400) is not a bypass either.
        if let Ok(canonical) = normalise(&path) {
            prop_assert!(rule.ignores(&Method::GET, &canonical), "{} -> {}", path, canonical);
        }
    }
}
