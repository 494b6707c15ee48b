//! The demo world of the tutorial (seed 000), created on an empty database at first start:
//! David Stringer owns organization STRINGER with the plans Gold, Silver and Bronze and the
//! published, featured PrivateEchoAPI whose upstream is the built-in echo service.
//! Everything goes through the console's use cases, so the same rules apply as in the console.

use std::net::SocketAddr;

use app::api;
use app::auth::password;
use app::domain::catalog::PlanOffer;
use app::domain::lifecycle::ApiAction;
use app::domain::policy::{PolicyConfig, PolicyType};
use app::domain::refs::VersionRef;
use app::store::versioned::NewEntity;
use app::store::{self, PgPool};

use crate::bootstrap::anyhow_app;

pub const DEMO_USER: &str = "david";
const ORG: &str = "STRINGER";
const API: &str = "PrivateEchoAPI";

/// (plan, requests per day, requires approval)
const PLANS: [(&str, u64, bool); 3] = [
    ("Gold", 10_000, true),
    ("Silver", 1_000, false),
    ("Bronze", 100, false),
];

const DOCS: &str = "# PrivateEchoAPI\n\nAnswers every request with what it received: method, path, query, \
headers and body, as JSON. Use it to try out plans, API keys and policies.\n\n\
```\ncurl -H 'X-API-Key: YOUR-KEY' https://gateway/STRINGER/PrivateEchoAPI/1.0/hello?x=1\n```\n";

/// Whether the database holds nothing yet (no organization, no user but the administrator).
async fn is_empty(pool: &PgPool) -> anyhow::Result<bool> {
    let (orgs, users): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM organizations), (SELECT count(*) FROM users WHERE username <> 'admin')",
    )
    .fetch_one(pool)
    .await?;
    Ok(orgs == 0 && users == 0)
}

/// The demo user's password.
pub struct Password {
    pub value: String,
    /// Not configured, so the caller prints it once.
    pub generated: bool,
}

impl Password {
    /// The configured password, or else a random one, as for the administrator: no deployment
    /// starts with a password that is printed in a public README.
    pub fn choose(configured: Option<&str>) -> Password {
        match configured {
            Some(value) => Password {
                value: value.to_string(),
                generated: false,
            },
            None => Password {
                value: app::auth::token::new_token(),
                generated: true,
            },
        }
    }
}

/// Seeds the demo world when the database is empty; returns whether it did.
pub async fn seed(pool: &PgPool, addr: SocketAddr, demo_password: &str) -> anyhow::Result<bool> {
    if !is_empty(pool).await? {
        return Ok(false);
    }
    seed_owner(pool, demo_password).await?;
    let offers = seed_plans(pool).await?;
    seed_api(pool, addr, &offers).await?;
    Ok(true)
}

/// David and his organization.
async fn seed_owner(pool: &PgPool, demo_password: &str) -> anyhow::Result<()> {
    let hash = password::hash(demo_password.to_string())
        .await
        .map_err(anyhow_app)?;
    let david = store::users::NewUser {
        username: DEMO_USER,
        display_name: "David Stringer",
        email: "david.stringer@example.com",
        password_hash: &hash,
        is_admin: false,
        portal_only: false,
    };
    api::users::service::create(pool, "demo", david)
        .await
        .map_err(anyhow_app)?;
    api::orgs::service::create(pool, DEMO_USER, ORG, ORG, "David Stringer's APIs")
        .await
        .map_err(anyhow_app)?;
    Ok(())
}

/// The plans, each locked with its rate limit; returns them as the API offers them.
async fn seed_plans(pool: &PgPool) -> anyhow::Result<Vec<PlanOffer>> {
    let mut offers = Vec::new();
    for (plan, per_day, approval) in PLANS {
        let description = format!(
            "{} requests per day",
            app::domain::policy::group_thousands(per_day)
        );
        let new = NewEntity {
            org: ORG,
            id: plan,
            name: plan,
            description: &description,
            version: "1.0",
        };
        api::plans::service::create(pool, DEMO_USER, &new)
            .await
            .map_err(anyhow_app)?;
        let mut form = PolicyType::RateLimiting.default_form();
        form.insert("limit".into(), per_day.to_string());
        form.insert("period".into(), "Day".into());
        form.insert("granularity".into(), "Client".into());
        let config = PolicyConfig::from_form(PolicyType::RateLimiting, &form)
            .map_err(|e| anyhow::anyhow!("demo policy: {}", e.message))?;
        let mut tx = pool.begin().await?;
        let (id, _) = store::plans::lock_version(&mut tx, &VersionRef::new(ORG, plan, "1.0"))
            .await
            .map_err(anyhow_app)?;
        store::policies::add(&mut tx, store::policies::Owner::Plan(id), &config)
            .await
            .map_err(anyhow_app)?;
        tx.commit().await?;
        api::plans::service::lock(pool, DEMO_USER, &VersionRef::new(ORG, plan, "1.0"))
            .await
            .map_err(anyhow_app)?;
        offers.push(PlanOffer {
            plan_id: plan.to_string(),
            version: "1.0".to_string(),
            requires_approval: approval,
        });
    }
    Ok(offers)
}

/// The API upstream of the built-in echo service at `addr`, documented, offering the plans,
/// published.
async fn seed_api(pool: &PgPool, addr: SocketAddr, offers: &[PlanOffer]) -> anyhow::Result<()> {
    use api::apis::service;
    let description = "Echoes every request back as JSON.";
    let new = NewEntity {
        org: ORG,
        id: API,
        name: API,
        description,
        version: "1.0",
    };
    service::create(pool, DEMO_USER, &new)
        .await
        .map_err(anyhow_app)?;
    let host = if addr.ip().is_unspecified() {
        "127.0.0.1".to_string()
    } else {
        addr.ip().to_string()
    };
    let endpoint = format!("http://{host}:{}/echo", addr.port());
    let version = &VersionRef::new(ORG, API, "1.0");
    let implementation = store::apis::Implementation {
        endpoint: &endpoint,
        upstream_ca_pem: None,
        public: false,
    };
    service::set_implementation(pool, DEMO_USER, version, &implementation)
        .await
        .map_err(anyhow_app)?;
    let details = store::apis::Details {
        description,
        markdown: DOCS,
        featured: true,
    };
    service::update_details(pool, DEMO_USER, version, &details)
        .await
        .map_err(anyhow_app)?;
    service::set_plans(pool, DEMO_USER, version, offers)
        .await
        .map_err(anyhow_app)?;
    service::transition(pool, DEMO_USER, version, ApiAction::Publish)
        .await
        .map_err(anyhow_app)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::lifecycle::ApiStatus;

    fn addr() -> SocketAddr {
        SocketAddr::from(([0, 0, 0, 0], 3000))
    }

    #[sqlx::test(migrator = "app::store::MIGRATOR")]
    async fn seeds_the_tutorial_world_once(pool: PgPool) {
        assert!(seed(&pool, addr(), "demo-pass-1").await.expect("seed"));
        let api = store::apis::view(&pool, &VersionRef::new(ORG, API, "1.0"))
            .await
            .expect("view")
            .expect("api exists");
        assert_eq!(api.status, ApiStatus::Published);
        assert!(!api.public && api.featured);
        assert_eq!(api.endpoint, "http://127.0.0.1:3000/echo");
        let offered: Vec<(&str, bool)> = api
            .plans
            .iter()
            .map(|p| (p.plan_id.as_str(), p.requires_approval))
            .collect();
        assert_eq!(
            offered,
            [("Gold", true), ("Silver", false), ("Bronze", false)]
        );
        let all = app::domain::paging::PageRequest::all_first()
            .check()
            .expect("page");
        let plans = store::plans::list(&pool, ORG, &all).await.expect("plans");
        assert_eq!(plans.items.len(), 3);
        assert!(
            plans
                .items
                .iter()
                .all(|p| p.latest_status.as_str() == "Locked")
        );
        let (_, ok) = sqlx::query_as::<_, (String, String)>(
            "SELECT username, password_hash FROM users WHERE username = 'david'",
        )
        .fetch_one(&pool)
        .await
        .expect("david");
        assert!(password::verify("demo-pass-1".into(), ok).await);

        // A second start finds data and leaves it alone.
        assert!(
            !seed(&pool, addr(), "demo-pass-1")
                .await
                .expect("second seed")
        );
    }

    #[test]
    fn the_demo_password_is_random_unless_configured() {
        let (a, b) = (Password::choose(None), Password::choose(None));
        assert!(a.generated && b.generated);
        assert_ne!(a.value, b.value);
        assert!(a.value.len() >= 20, "{}", a.value);
        let set = Password::choose(Some("chosen-pass-1"));
        assert_eq!(
            (set.value.as_str(), set.generated),
            ("chosen-pass-1", false)
        );
    }

    #[sqlx::test(migrator = "app::store::MIGRATOR")]
    async fn a_database_in_use_is_not_seeded(pool: PgPool) {
        sqlx::query("INSERT INTO users (username, display_name, password_hash) VALUES ('rose', 'Rose', 'x')")
            .execute(&pool)
            .await
            .expect("user");
        assert!(!seed(&pool, addr(), "demo-pass-1").await.expect("seed"));
    }
}
