//! Helpers for the per-type tests, and checks across the whole catalog.

use super::*;

fn field_names(t: PolicyType) -> Vec<&'static str> {
    t.fields().iter().map(|f| f.name).collect()
}

/// `t`'s default form with `pairs` typed over it.
pub(super) fn filled(t: PolicyType, pairs: &[(&str, &str)]) -> FormValues {
    let mut form = t.default_form();
    for (name, value) in pairs {
        assert!(field_names(t).contains(name), "{t:?} has no field {name}");
        form.insert(name.to_string(), value.to_string());
    }
    form
}

/// Parses a valid form and checks that the configuration survives JSON and the form.
pub(super) fn valid(t: PolicyType, pairs: &[(&str, &str)]) -> PolicyConfig {
    let config = PolicyConfig::from_form(t, &filled(t, pairs))
        .unwrap_or_else(|e| panic!("{t:?} {pairs:?}: {e:?}"));
    assert_eq!(config.policy_type(), t);
    assert_eq!(
        PolicyConfig::from_json(t, &config.to_json()),
        Ok(config.clone())
    );
    let form = config.to_form();
    let mut keys: Vec<&str> = form.keys().map(String::as_str).collect();
    let mut names = field_names(t);
    keys.sort_unstable();
    names.sort_unstable();
    assert_eq!(keys, names, "to_form gives every field of {t:?}");
    assert_eq!(
        PolicyConfig::from_form_keeping(t, &form, Some(&config)),
        Ok(config.clone())
    );
    if t != PolicyType::BasicAuth {
        assert_eq!(PolicyConfig::from_form(t, &form), Ok(config.clone()));
    }
    config
}

fn checked(t: PolicyType, e: FieldError) -> FieldError {
    assert!(
        field_names(t).contains(&e.field.as_str()),
        "{t:?} error at unknown field {e:?}"
    );
    assert!(!e.message.is_empty());
    e
}

/// The error of an invalid form; its field must be one of `t`'s fields.
pub(super) fn error(t: PolicyType, pairs: &[(&str, &str)]) -> FieldError {
    match PolicyConfig::from_form(t, &filled(t, pairs)) {
        Ok(c) => panic!("{t:?} {pairs:?} was accepted: {c:?}"),
        Err(e) => checked(t, e),
    }
}

/// The error of invalid stored JSON; its field must be one of `t`'s fields.
pub(super) fn json_error(t: PolicyType, json: &str) -> FieldError {
    match PolicyConfig::from_json(t, json) {
        Ok(c) => panic!("{t:?} {json} was accepted: {c:?}"),
        Err(e) => checked(t, e),
    }
}

#[test]
fn catalog() {
    for t in PolicyType::ALL {
        assert_eq!(PolicyType::parse(t.id()), Some(t));
        assert_eq!(
            serde_json::to_string(&t).ok(),
            Some(format!("\"{}\"", t.id()))
        );
        assert!(!t.label().is_empty() && t.description().ends_with('.'));
        let names = field_names(t);
        let form = t.default_form();
        assert_eq!(form.keys().count(), names.len(), "{t:?}");
        assert!(form.keys().all(|k| names.contains(&k.as_str())), "{t:?}");
        for field in t.fields() {
            if field.kind == FieldKind::Checkbox {
                assert!(["true", "false"].contains(&form[field.name].as_str()));
            }
            if let FieldKind::Select(options) = &field.kind {
                assert!(options.iter().any(|(v, _)| *v == form[field.name]), "{t:?}");
            }
        }
    }
    assert_eq!(PolicyType::parse("NoSuchPolicy"), None);
}

#[test]
fn every_error_names_a_field_of_its_type() {
    // Empty default forms, garbage JSON and wrongly typed values, for every type.
    for t in PolicyType::ALL {
        if t != PolicyType::ApiKey {
            error(t, &[]);
        }
        for json in ["", "not json", "[]", "null", "{}"] {
            if t != PolicyType::ApiKey || json != "{}" {
                json_error(t, json);
            }
        }
        for field in t.fields() {
            let key: String = field
                .name
                .split('_')
                .enumerate()
                .map(|(i, w)| {
                    let mut c = w.chars();
                    match c.next() {
                        Some(f) if i > 0 => f.to_uppercase().chain(c).collect(),
                        _ => w.to_string(),
                    }
                })
                .collect();
            let json = format!("{{\"{key}\": {{\"wrong\": true}}, \"staticIdentity\": 3}}");
            json_error(t, &json);
        }
    }
}

#[test]
fn unknown_type_json_blames_the_right_field() {
    let e = json_error(
        PolicyType::RateLimiting,
        r#"{"limit":"lots","period":"Day"}"#,
    );
    assert_eq!(e.field, "limit");
    assert!(
        e.message
            .starts_with("Limit: the stored value is not valid"),
        "{e:?}"
    );
    let e = json_error(PolicyType::BasicAuth, r#"{"realm":"E","staticIdentity":5}"#);
    assert_eq!(e.field, "identities");
}

/// Configurations the gateway used to run with silent defaults (a bad time became 00:00, a
/// bad header name became X-API-Key, a bad regex was dropped) are refused when compiled.
#[test]
fn invalid_stored_configurations_do_not_compile() {
    let refused = [
        PolicyConfig::ApiKey(ApiKeyConfig {
            request_header: "bad header".into(),
        }),
        PolicyConfig::TimeRestricted(TimeRestrictedConfig {
            rules: vec![TimeRule {
                time_start: "8am".into(),
                time_end: "18:00".into(),
                day_start: 1,
                day_end: 5,
                path_pattern: "/.*".into(),
            }],
        }),
        PolicyConfig::IgnoredResources(IgnoredResourcesConfig {
            rules: vec![IgnoredRule {
                verb: Verb::Any,
                path_pattern: "/admin/(".into(),
            }],
        }),
        PolicyConfig::IpBlockList(IpListConfig {
            ip_list: vec!["10.0.0.0/33".into()],
            ..IpListConfig::default()
        }),
    ];
    for config in refused {
        let e = config.compile().expect_err("refused");
        assert!(
            field_names(config.policy_type()).contains(&e.field.as_str()) && !e.message.is_empty(),
            "{config:?}: {e:?}"
        );
    }
}

/// A pattern cannot step outside its anchoring: `a)|(b` must not match "a-anything".
#[test]
fn compiled_patterns_match_whole_paths_only() {
    let c = PolicyConfig::IgnoredResources(IgnoredResourcesConfig {
        rules: vec![IgnoredRule {
            verb: Verb::Get,
            path_pattern: "/admin/.*".into(),
        }],
    });
    let Ok(Matcher::Ignored(m)) = c.compile() else {
        panic!("compiles")
    };
    assert!(m.ignores(&http::Method::GET, "/admin/x"));
    assert!(!m.ignores(&http::Method::GET, "/api/admin/x"));
    assert!(!m.ignores(&http::Method::POST, "/admin/x"));
}
