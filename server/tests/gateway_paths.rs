//! Paths below an API on real sockets: one spelling reaches the policies and the upstream, and
//! nothing reaches the upstream outside the endpoint's base path.

mod support;

use app::domain::policy::PolicyType;
use app::store::PgPool;
use support::*;

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn paths_are_normalised_before_policies_and_upstream(pool: PgPool) {
    let up = upstream().await;
    org(&pool).await;
    let ignored = form(PolicyType::IgnoredResources, &[("rules", "* /admin/.*")]);
    let echo = format!("http://{up}/echo");
    api(&pool, "Paths", &echo, true, &[], &[ignored]).await;
    let (_, gw) = gateway(&pool, None).await;
    let http = http();
    let url = |rest: &str| format!("http://{gw}/gateway/{ORG}/Paths/1.0{rest}");

    let forwarded = [
        ("/a/./b//c", "/a/b/c"),
        ("/a/x/../b/", "/a/b/"),
        ("/%7euser/%2E/%c3%a9", "/~user/%C3%A9"),
        ("/adminx/..", "/"),
    ];
    for (rest, upstream_path) in forwarded {
        let answer = get(&http, &url(rest), None).await;
        assert_eq!(answer.status, 200, "{rest}");
        let path = answer.json()["path"].as_str().unwrap_or("").to_string();
        // The echo upstream reports the path below its own base, /echo.
        assert_eq!(path, upstream_path, "{rest}");
    }

    for rest in [
        "/admin/users",
        "//admin/users",
        "/x/../admin/users",
        "/%61dmin/users",
        "/%2e/admin/users",
        "/x/%2e%2e/admin//users",
    ] {
        let answer = get(&http, &url(rest), None).await;
        assert_eq!(answer.status, 404, "{rest} is ignored");
        assert_eq!(answer.header("x-policy-failure-code"), "10007", "{rest}");
    }

    for rest in [
        "/../../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/a%2Fb",
        "/a%5Cb",
        "/a%00b",
        "/a/..;/b",
        "/a%zz",
    ] {
        let answer = get(&http, &url(rest), None).await;
        assert_eq!(answer.status, 400, "{rest} is refused");
        let json = answer.json();
        assert_eq!(json["type"], "GatewayError", "{rest}");
        assert_eq!(json["error"], "BadPath", "{rest}");
    }
}
