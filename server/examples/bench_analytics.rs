//! `scripts/bench-analytics.sh`: seeds an empty database with N logged requests over D days
//! through the gateway's own write path (log rows, minute, hour and per-API rollups, day
//! partitions), then times what the Metrics tabs and the Log Analyzer run, through the same
//! use cases and store functions as the server functions (medians of 5, after a warm-up).
//!
//! ```text
//! DATABASE_URL=postgres://… cargo run --release -p server --example bench_analytics -- N DAYS
//! ```
//!
//! The traffic: organization ANALYTICS with API Shop 1.0, plans Gold, Silver and Bronze 1.0 and
//! 50 clients; statuses mostly 200 with 201, 304, 400, 401, 403, 404, 429, 500 and 502 sprinkled
//! in, four methods, 1,000 paths, latencies from 1 ms to 2 s. Deterministic (seeded PRNG).

use std::time::Instant;

use anyhow::{Context, bail};
use app::api::analytics::service;
use app::domain::analytics::log::{LogFilter, StatusFilter};
use app::domain::analytics::report::StatusClass;
use app::domain::analytics::window::{Preset, Range};
use app::domain::refs::VersionRef;
use app::domain::roles::Actor;
use app::store::analytics::write::{self, LogEntry, RollupKey, Rollups};
use app::store::analytics::{Scope, log, partitions};
use app::store::{self, PgPool};
use chrono::{DurationRound, TimeDelta, Utc};

const ORG: &str = "ANALYTICS";
const USER: &str = "bench";
const CLIENTS: i64 = 50;
/// Requests per written batch (a busy gateway's few seconds).
const BATCH: usize = 50_000;
/// The target of every timed query.
const BUDGET_MS: f64 = 300.0;

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    // The store logs the cause of an internal error; show it.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [n, days] = args.as_slice() else {
        bail!("usage: bench_analytics REQUESTS DAYS (with DATABASE_URL set)");
    };
    let n: usize = n.parse().context("REQUESTS")?;
    let days: i64 = days.parse().context("DAYS")?;
    let url = std::env::var("DATABASE_URL").context("DATABASE_URL is not set")?;
    let pool = PgPool::connect(&url).await.context("database")?;
    store::MIGRATOR.run(&pool).await.context("migrations")?;
    let ids = world(&pool).await?;
    let started = Instant::now();
    seed(&pool, &ids, n, days).await?;
    println!(
        "seeded {n} requests over {days} days in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    sqlx::query("ANALYZE").execute(&pool).await?;
    measure(&pool, &ids).await
}

/// Row ids of the API, plan and client versions.
struct Ids {
    api: i64,
    plans: Vec<i64>,
    clients: Vec<i64>,
}

async fn world(pool: &PgPool) -> anyhow::Result<Ids> {
    use app::api;
    api::users::service::create(
        pool,
        "system",
        store::users::NewUser {
            username: USER,
            display_name: "Benchmark",
            email: "",
            password_hash: "!",
            is_admin: true,
            portal_only: false,
        },
    )
    .await
    .context("user bench (is the database empty?)")?;
    api::orgs::service::create(pool, USER, ORG, ORG, "Analytics benchmark")
        .await
        .context("organization")?;
    fn new(id: &str) -> store::versioned::NewEntity<'_> {
        store::versioned::NewEntity {
            org: ORG,
            id,
            name: id,
            description: "",
            version: "1.0",
        }
    }
    api::apis::service::create(pool, USER, &new("Shop")).await?;
    for plan in ["Gold", "Silver", "Bronze"] {
        api::plans::service::create(pool, USER, &new(plan)).await?;
    }
    for i in 0..CLIENTS {
        let name = format!("app-{i:02}");
        api::clients::service::create(pool, USER, &new(&name)).await?;
    }
    let id = |table: &str| format!("SELECT id FROM {table} WHERE org_id = $1 ORDER BY id");
    let api: i64 = sqlx::query_scalar(&id("api_versions"))
        .bind(ORG)
        .fetch_one(pool)
        .await?;
    let plans = sqlx::query_scalar(&id("plan_versions"))
        .bind(ORG)
        .fetch_all(pool)
        .await?;
    let clients = sqlx::query_scalar(&id("client_versions"))
        .bind(ORG)
        .fetch_all(pool)
        .await?;
    Ok(Ids {
        api,
        plans,
        clients,
    })
}

/// splitmix64: a fixed, seeded sequence, so two runs seed the same traffic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn request(rng: &mut Rng, ids: &Ids, at: chrono::DateTime<Utc>) -> LogEntry {
    const STATUSES: [(u16, u64); 10] = [
        (200, 850),
        (201, 30),
        (304, 20),
        (400, 10),
        (401, 20),
        (403, 10),
        (404, 30),
        (429, 20),
        (500, 5),
        (502, 5),
    ];
    let mut pick = rng.below(1000);
    let status = STATUSES
        .iter()
        .find(|(_, w)| {
            let hit = pick < *w;
            pick = pick.saturating_sub(*w);
            hit
        })
        .map_or(200, |(s, _)| *s);
    let method = [
        "GET", "GET", "GET", "GET", "GET", "GET", "GET", "POST", "POST", "PUT", "DELETE",
    ][rng.below(11) as usize];
    let client = ids.clients[rng.below(ids.clients.len() as u64) as usize];
    let plan = ids.plans[(client as usize) % ids.plans.len()];
    // 1 ms to ~2 s, most of it fast.
    let latency_us = 1_000 + rng.below(20_000) * (1 + rng.below(100) / 95 * 100);
    LogEntry {
        at,
        api: ids.api,
        client: Some(client),
        plan: Some(plan),
        method,
        path: format!("/items/{}", rng.below(1000)),
        status,
        latency_us: latency_us as i64,
        bytes_in: if method == "GET" { 0 } else { 512 },
        bytes_out: 2048,
        client_ip: Some(std::net::IpAddr::from([10, 0, (client % 256) as u8, 1])),
        key_hint: Some("AbCd…".to_string()),
        failure: (status == 429).then(|| "10005".to_string()),
    }
}

async fn seed(pool: &PgPool, ids: &Ids, n: usize, days: i64) -> anyhow::Result<()> {
    let mut rng = Rng(15);
    let end = Utc::now();
    let start = end - TimeDelta::days(days);
    let span_us = (end - start).num_microseconds().context("span")?;
    let mut conn = pool.acquire().await?;
    for day in 0..=days {
        partitions::ensure(&mut conn, (start + TimeDelta::days(day)).date_naive()).await?;
    }
    let mut done = 0;
    while done < n {
        let size = BATCH.min(n - done);
        let mut log = Vec::with_capacity(size);
        let mut minutes = Rollups::new();
        for i in 0..size {
            // In time order, as gateways write them.
            let offset = (i128::from(span_us) * (done + i) as i128 / n as i128) as i64;
            let entry = request(&mut rng, ids, start + TimeDelta::microseconds(offset));
            let key = RollupKey {
                at: entry.at.duration_trunc(TimeDelta::minutes(1))?,
                api: entry.api,
                client: entry.client,
                plan: entry.plan,
                status: entry.status,
                method: entry.method,
            };
            let row = minutes.entry(key).or_default();
            row.requests += 1;
            row.bytes_in += entry.bytes_in;
            row.bytes_out += entry.bytes_out;
            row.latency_us_sum += entry.latency_us;
            row.hist.observe(entry.latency_us as u64);
            log.push(entry);
        }
        let mut tx = pool.begin().await?;
        write::write(&mut tx, &log, &minutes).await?;
        tx.commit().await?;
        done += size;
        if done % 1_000_000 == 0 {
            eprintln!("  {done} requests written");
        }
    }
    Ok(())
}

/// Median milliseconds of 5 runs of `f`, after one warm-up run.
async fn time<F, Fut, T>(mut f: F) -> anyhow::Result<f64>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = app::error::AppResult<T>>,
{
    f().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut runs = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        f().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        runs.push(t.elapsed());
    }
    runs.sort();
    Ok(runs[2].as_secs_f64() * 1000.0)
}

async fn measure(pool: &PgPool, ids: &Ids) -> anyhow::Result<()> {
    let admin = Actor {
        username: USER.to_string(),
        is_admin: true,
        portal_only: false,
    };
    let api = VersionRef::new(ORG, "Shop", "1.0");
    let window = |p| {
        Range::Last(p)
            .window(Utc::now(), 30)
            .map_err(|e| anyhow::anyhow!("{}", e.message))
    };
    let (month, day) = (window(Preset::Month)?, window(Preset::Day)?);
    let scope = Scope::Api(ids.api);
    let filters: [(&str, LogFilter); 5] = [
        ("no filter", LogFilter::default()),
        (
            "status 5xx",
            LogFilter {
                status: Some(StatusFilter::Class(StatusClass::ServerError)),
                ..Default::default()
            },
        ),
        (
            "one client",
            LogFilter {
                client: Some(ids.clients[7]),
                ..Default::default()
            },
        ),
        (
            "path contains /items/42",
            LogFilter {
                path_contains: Some("/items/42".into()),
                ..Default::default()
            },
        ),
        (
            "POST + 404 + client",
            LogFilter {
                method: Some("POST"),
                status: Some(StatusFilter::Code(404)),
                client: Some(ids.clients[3]),
                ..Default::default()
            },
        ),
    ];
    let mut rows: Vec<(String, f64)> = vec![
        (
            "API Metrics tab, 30 d (chart, top clients, plans)".into(),
            time(|| service::api_metrics(pool, &admin, &api, month)).await?,
        ),
        (
            "API Metrics tab, 24 h".into(),
            time(|| service::api_metrics(pool, &admin, &api, day)).await?,
        ),
        (
            "Organization Metrics, 30 d (chart, top APIs, top clients)".into(),
            time(|| service::org_metrics(pool, &admin, ORG, month)).await?,
        ),
    ];
    for (name, filter) in &filters {
        let ms = time(|| log::page(pool, &scope, &month, filter, None)).await?;
        rows.push((format!("Log Analyzer page, 30 d, {name}"), ms));
    }
    println!();
    println!("{:<62} {:>9} {:>6}", "query (median of 5)", "ms", "<=300");
    let mut failed = false;
    for (name, ms) in rows {
        let ok = ms <= BUDGET_MS;
        failed |= !ok;
        println!(
            "{name:<62} {ms:>9.1} {:>6}",
            if ok { "PASS" } else { "FAIL" }
        );
    }
    if failed {
        bail!("some queries took longer than {BUDGET_MS} ms");
    }
    Ok(())
}
