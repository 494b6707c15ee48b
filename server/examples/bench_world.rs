//! Seeds the world that `scripts/bench-gateway.sh` measures, in an empty database, through the
//! store (so the console's rules apply), and prints the client's API key as the last line.
//!
//! ```text
//! DATABASE_URL=postgres://… cargo run --release -p server --example bench_world -- UPSTREAM_URL \
//!     [TLS_UPSTREAM_URL CA_FILE]
//! ```
//!
//! Organization `BENCH` (owner `bench`, who cannot sign in) gets
//! - API `Null` 1.0: public, no policies, published: the gateway's bare proxy path;
//! - plan `Fast` 1.0: one Rate Limiting policy of 1,000,000,000 per day per client, locked;
//! - API `Full` 1.0: private, offering Fast, published;
//! - client `Load` 1.0: a contract to Full through Fast, registered: key lookup, contract and a
//!   rate limit counter on every request.
//!
//! - API `Tls` 1.0 (when TLS_UPSTREAM_URL and CA_FILE are given): public, no policies, forwarding
//!   over HTTPS and trusting the CA in CA_FILE: the bare proxy path plus TLS to the upstream.
//!
//! `Null` and `Full` forward to UPSTREAM_URL.

use anyhow::{Context, bail};
use app::api;
use app::domain::catalog::PlanOffer;
use app::domain::lifecycle::ApiAction;
use app::domain::policy::{PolicyConfig, PolicyType};
use app::domain::refs::VersionRef;
use app::store::{self, PgPool, policies::Owner};

const USER: &str = "bench";
const ORG: &str = "BENCH";
const VERSION: &str = "1.0";
const PLAN: &str = "Fast";
const CLIENT: &str = "Load";

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (upstream, tls) = match args.as_slice() {
        [upstream] => (upstream, None),
        [upstream, tls, ca_file] => (upstream, Some((tls, ca_file))),
        _ => bail!(
            "usage: bench_world UPSTREAM_URL [TLS_UPSTREAM_URL CA_FILE] (with DATABASE_URL set)"
        ),
    };
    let url = std::env::var("DATABASE_URL").context("DATABASE_URL is not set")?;
    let pool = PgPool::connect(&url)
        .await
        .with_context(|| format!("cannot connect to {url}"))?;
    store::MIGRATOR.run(&pool).await.context("migrations")?;
    let key = seed(&pool, upstream).await?;
    if let Some((endpoint, ca_file)) = tls {
        let pem = std::fs::read_to_string(ca_file).with_context(|| format!("reading {ca_file}"))?;
        api(&pool, "Tls", endpoint, true, &[], Some(&pem)).await?;
    }
    println!("{key}");
    Ok(())
}

async fn seed(pool: &PgPool, upstream: &str) -> anyhow::Result<String> {
    api::users::service::create(
        pool,
        "system",
        store::users::NewUser {
            username: USER,
            display_name: "Benchmark",
            email: "",
            password_hash: "!", // no password hash matches: the account cannot sign in
            is_admin: false,
            portal_only: false,
        },
    )
    .await
    .context("user bench (is the database empty?)")?;
    api::orgs::service::create(pool, USER, ORG, ORG, "Gateway benchmark")
        .await
        .context("organization")?;

    api(pool, "Null", upstream, true, &[], None).await?;

    api::plans::service::create(pool, USER, &first_version(PLAN))
        .await
        .context("plan")?;
    let mut form = PolicyType::RateLimiting.default_form();
    form.insert("limit".into(), "1000000000".into());
    form.insert("period".into(), "Day".into());
    form.insert("granularity".into(), "Client".into());
    let limit = PolicyConfig::from_form(PolicyType::RateLimiting, &form)
        .map_err(|e| anyhow::anyhow!("rate limit policy: {}", e.message))?;
    let mut tx = pool.begin().await?;
    let (plan_id, _) =
        store::plans::lock_version(&mut tx, &VersionRef::new(ORG, PLAN, VERSION)).await?;
    store::policies::add(&mut tx, Owner::Plan(plan_id), &limit).await?;
    tx.commit().await?;
    api::plans::service::lock(pool, USER, &VersionRef::new(ORG, PLAN, VERSION))
        .await
        .context("lock plan")?;

    api(pool, "Full", upstream, false, &[PLAN], None).await?;

    api::clients::service::create(pool, USER, &first_version(CLIENT))
        .await
        .context("client")?;
    let contract = api::contracts::service::NewContract {
        client: VersionRef::new(ORG, CLIENT, VERSION),
        api: VersionRef::new(ORG, "Full", VERSION),
        plan: VersionRef::new(ORG, PLAN, VERSION),
    };
    api::contracts::service::create(pool, USER, &contract, true)
        .await
        .context("contract")?;
    api::clients::service::register(pool, USER, &VersionRef::new(ORG, CLIENT, VERSION))
        .await
        .context("register client")?;
    let client = store::clients::view(pool, &VersionRef::new(ORG, CLIENT, VERSION))
        .await?
        .context("the client just created is gone")?;
    client.api_key.context("the store returns the key")
}

/// Version `VERSION` of `name`, with no description.
fn first_version(name: &str) -> store::versioned::NewEntity<'_> {
    store::versioned::NewEntity {
        org: ORG,
        id: name,
        name,
        description: "",
        version: VERSION,
    }
}

/// Creates API `name` 1.0 forwarding to `endpoint`, offering `plans`, and publishes it.
async fn api(
    pool: &PgPool,
    name: &str,
    endpoint: &str,
    public: bool,
    plans: &[&str],
    upstream_ca_pem: Option<&str>,
) -> anyhow::Result<()> {
    api::apis::service::create(pool, USER, &first_version(name))
        .await
        .with_context(|| format!("API {name}"))?;
    let implementation = store::apis::Implementation {
        endpoint,
        upstream_ca_pem,
        public,
    };
    api::apis::service::set_implementation(
        pool,
        USER,
        &VersionRef::new(ORG, name, VERSION),
        &implementation,
    )
    .await
    .with_context(|| format!("endpoint of {name}"))?;
    let offers: Vec<PlanOffer> = plans
        .iter()
        .map(|p| PlanOffer {
            plan_id: p.to_string(),
            version: VERSION.to_string(),
            requires_approval: false,
        })
        .collect();
    api::apis::service::set_plans(pool, USER, &VersionRef::new(ORG, name, VERSION), &offers)
        .await
        .with_context(|| format!("plans of {name}"))?;
    api::apis::service::transition(
        pool,
        USER,
        &VersionRef::new(ORG, name, VERSION),
        ApiAction::Publish,
    )
    .await
    .with_context(|| format!("publish {name}"))?;
    Ok(())
}
