//! Unit tests of `domain::try_it`: paths, parameters, headers, bodies, curl and shown bodies.

use super::*;

fn req(method: &str, path: &str) -> TryRequest {
    TryRequest {
        method: method.into(),
        path: path.into(),
        ..TryRequest::default()
    }
}

#[test]
fn paths_stay_below_the_api_and_are_encoded() {
    let c = check(&req("get", "/pets/7")).expect("ok");
    assert_eq!((c.method, c.target.as_str()), ("GET", "/pets/7"));
    assert_eq!(check(&req("GET", "")).expect("ok").target, "");
    let c = check(&req("GET", "/a b/%2e%2e/ü?x#y")).expect("ok");
    assert_eq!(c.target, "/a%20b/%252e%252e/%C3%BC%3Fx%23y");
    for bad in [
        "/../admin",
        "/a/./b",
        "/a/..",
        "pets",
        "http://evil/x",
        "/a\r\nHost: x",
    ] {
        assert!(check(&req("GET", bad)).is_err(), "{bad}");
    }
    let long = format!("/{}", "a".repeat(MAX_TRY_TARGET_BYTES));
    assert_eq!(check(&req("GET", &long)).expect_err("long").field, "path");
    let exact = format!("/{}", "a".repeat(MAX_TRY_TARGET_BYTES - 1));
    assert!(check(&req("GET", &exact)).is_ok());
}

#[test]
fn path_parameters_fill_their_segment_and_no_more() {
    let mut r = req("GET", "/pets/{petId}/toys/{toy}.json");
    r.path_params = vec![("petId".into(), "7".into()), ("toy".into(), "a/b?c".into())];
    assert_eq!(check(&r).expect("ok").target, "/pets/7/toys/a%2Fb%3Fc.json");
    for bad in ["..", ".", "", "x\ny"] {
        r.path_params = vec![("petId".into(), bad.into()), ("toy".into(), "t".into())];
        assert_eq!(check(&r).expect_err(bad).field, "path", "{bad:?}");
    }
    r.path_params = vec![
        ("petId".into(), "%2e%2e".into()),
        ("toy".into(), "t".into()),
    ];
    assert_eq!(
        check(&r).expect("ok").target,
        "/pets/%252e%252e/toys/t.json"
    );
    r.path_params.pop();
    let e = check(&r).expect_err("missing");
    assert!(e.message.contains("toy"), "{}", e.message);
    // An unclosed brace is text.
    assert_eq!(check(&req("GET", "/a{b")).expect("ok").target, "/a%7Bb");
}

#[test]
fn examples_become_field_values() {
    assert_eq!(field_value("\"rex\""), "rex");
    assert_eq!(field_value("7"), "7");
    assert_eq!(field_value("{\"a\": 1}"), "{\"a\":1}");
    assert_eq!(field_value("not json"), "not json");
}

#[test]
fn methods_queries_headers_and_bodies_are_checked() {
    assert_eq!(check(&req("CONNECT", "/")).expect_err("no").field, "method");
    assert_eq!(check(&req("TRACE", "/")).expect_err("no").field, "method");
    let mut r = req("POST", "/pets");
    r.query = vec![("q".into(), "a&b=c".into()), ("".into(), "skip".into())];
    r.headers = vec![("Content-Type".into(), "application/json".into())];
    r.body = Some("{\"name\":\"Rex\"}".into());
    let c = check(&r).expect("ok");
    assert_eq!(c.target, "/pets?q=a%26b%3Dc");
    assert_eq!(
        c.headers,
        [("content-type".to_string(), "application/json".to_string())]
    );
    for (name, value) in [
        ("Host", "evil"),
        ("X-API-Key", "other"),
        ("Content-Length", "1"),
        ("Bad Name", "x"),
        ("X-A", "a\r\nInjected: 1"),
    ] {
        let mut r = req("GET", "/");
        r.headers = vec![(name.into(), value.into())];
        assert_eq!(check(&r).expect_err(name).field, "headers", "{name}");
    }
    let mut r = req("GET", "/");
    r.headers = (0..=MAX_TRY_HEADERS)
        .map(|i| (format!("x-{i}"), "v".into()))
        .collect();
    assert!(check(&r).is_err());
    r.headers.pop();
    assert!(check(&r).is_ok());
    let mut r = req("POST", "/");
    r.body = Some("x".repeat(MAX_TRY_BODY_BYTES));
    assert!(check(&r).is_ok());
    r.body = Some("x".repeat(MAX_TRY_BODY_BYTES + 1));
    assert_eq!(check(&r).expect_err("big").field, "body");
    let mut r = req("GET", "/");
    r.body = Some("x".into());
    assert_eq!(check(&r).expect_err("get body").field, "body");
}

#[test]
fn curl_quotes_for_the_shell_and_hides_the_key() {
    let mut r = req("POST", "/pets");
    r.headers = vec![("x-note".into(), "it's".into())];
    r.body = Some("{\"a\":\"'\"}".into());
    let c = check(&r).expect("ok");
    let cmd = curl("https://gw/gateway/O/A/1.0/pets", &c, true);
    assert!(
        cmd.starts_with("curl \\\n  -X POST \\\n  'https://gw/gateway/O/A/1.0/pets'"),
        "{cmd}"
    );
    assert!(cmd.contains("-H \"X-API-Key: $API_KEY\""));
    assert!(cmd.contains("-H 'x-note: it'\\''s'"));
    assert!(cmd.contains("--data-raw '{\"a\":\"'\\''\"}'"));
    assert!(!curl("u", &check(&req("GET", "/")).expect("ok"), false).contains("X-API-Key"));
}

#[test]
fn json_bodies_are_pretty_printed() {
    assert_eq!(shown_body(b"{\"a\":1}"), "{\n  \"a\": 1\n}");
    assert_eq!(shown_body(b"plain"), "plain");
    assert_eq!(shown_body(&[0xff, b'a']), "\u{fffd}a");
}

#[test]
fn headers_that_name_a_caller_or_change_the_transport_are_refused() {
    for name in [
        "X-Forwarded-For",
        "x-forwarded-proto",
        "X-Forwarded-Host",
        "Forwarded",
        "X-Real-IP",
        "Via",
        "Connection",
        "Upgrade",
        "TE",
        "Trailer",
        "Keep-Alive",
        "Proxy-Anything",
    ] {
        let mut r = req("GET", "/");
        r.headers = vec![(name.into(), "1.2.3.4".into())];
        let e = check(&r).expect_err(name);
        assert_eq!(e.field, "headers", "{name}");
        assert!(
            e.message.contains("set by the relay"),
            "{name}: {}",
            e.message
        );
    }
    let mut r = req("GET", "/");
    r.headers = vec![("x".repeat(MAX_TRY_HEADER_NAME_BYTES + 1), "v".into())];
    assert_eq!(check(&r).expect_err("long name").field, "headers");
    r.headers = vec![("x".repeat(MAX_TRY_HEADER_NAME_BYTES), "v".into())];
    assert!(check(&r).is_ok());
    r.headers = vec![("x-a".into(), "v".repeat(MAX_TRY_HEADER_BYTES + 1))];
    assert_eq!(check(&r).expect_err("long value").field, "headers");
    r.headers = vec![("x-a".into(), "v".repeat(MAX_TRY_HEADER_BYTES))];
    assert!(check(&r).is_ok());
    r.headers = vec![("x-a".into(), "café".into())];
    assert!(check(&r).expect_err("non-ASCII").message.contains("ASCII"));
}

#[test]
fn head_requests_curl_with_head_and_trace_is_not_offered() {
    let c = check(&req("HEAD", "/")).expect("ok");
    let cmd = curl("https://gw/x", &c, false);
    assert!(cmd.contains("--head") && !cmd.contains("-X HEAD"), "{cmd}");
    assert!(can_send("get") && can_send("PATCH"));
    assert!(!can_send("TRACE") && !can_send("CONNECT"));
}

#[test]
fn deeply_nested_json_is_shown_as_sent_rather_than_indented_many_times_over() {
    // 120 levels around a long array: indented, every zero would get ~240 spaces.
    let zeros = vec!["0"; 100_000].join(",");
    let body = format!("{}[{zeros}]{}", "[".repeat(120), "]".repeat(120));
    assert!(body.len() <= MAX_TRY_RESPONSE_BYTES);
    let shown = shown_body(body.as_bytes());
    assert_eq!(shown, body);
    // Small answers are still pretty.
    assert_eq!(shown_body(b"[[1]]"), "[\n  [\n    1\n  ]\n]");
}
