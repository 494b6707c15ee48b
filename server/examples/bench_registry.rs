//! The database and client half of `scripts/bench-registry.sh`, against a database holding the
//! demo world (`gatehouse serve` with GATEHOUSE_DEMO=1 seeds it).
//!
//! ```text
//! DATABASE_URL=postgres://… bench_registry seed TOTAL
//!     tops the registered client versions up to TOTAL, each with one active contract on
//!     PrivateEchoAPI 1.0 through Silver 1.0 (SQL, 100,000 rows a transaction), and prints the
//!     API key of the last one.
//! DATABASE_URL=postgres://… bench_registry measure GATEWAY_ADDR
//!     registers 20 clients one after the other through the store (as the console does) and
//!     times each from the commit to its key answering 200 on GATEWAY_ADDR; then registers 50
//!     more, one every 200 ms, while a GET /healthz on a new connection every 10 ms is timed.
//!     Prints "median_ms max_ms healthz_max_ms probes".
//! DATABASE_URL=postgres://… bench_registry burst GATEWAY_ADDR
//!     only the 50 registrations in 10 s (while the script measures throughput).
//! ```

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use app::api;
use app::domain::refs::VersionRef;
use app::store::{self, PgPool};
use axum::body::Body;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ORG: &str = "STRINGER";
const USER: &str = "david";
const API: &str = "PrivateEchoAPI";
const PLAN: &str = "Silver";
const BATCH: i64 = 100_000;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let url = std::env::var("DATABASE_URL").context("DATABASE_URL is not set")?;
    let pool = PgPool::connect(&url).await?;
    match args.as_slice() {
        [cmd, total] if cmd == "seed" => seed(&pool, total.parse()?).await,
        [cmd, addr] if cmd == "measure" => measure(&pool, addr.parse()?).await,
        [cmd, addr] if cmd == "burst" => {
            let http: Http = Client::builder(TokioExecutor::new()).build_http();
            burst(&pool, &http, addr.parse()?, "loaded").await
        }
        _ => bail!(
            "usage: bench_registry seed TOTAL | measure GATEWAY_ADDR | burst GATEWAY_ADDR (with DATABASE_URL set)"
        ),
    }
}

async fn seed(pool: &PgPool, total: i64) -> anyhow::Result<()> {
    let (api, plan): (i64, i64) = sqlx::query_as(
        "SELECT av.id, pv.id FROM api_versions av, plan_versions pv
         WHERE av.org_id = $1 AND av.api_id = $2 AND av.version = '1.0'
           AND pv.org_id = $1 AND pv.plan_id = $3 AND pv.version = '1.0'",
    )
    .bind(ORG)
    .bind(API)
    .bind(PLAN)
    .fetch_one(pool)
    .await
    .context("the demo world is missing (GATEHOUSE_DEMO=1)")?;
    let (mut have,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM client_versions WHERE client_id LIKE 'seed-%'")
            .fetch_one(pool)
            .await?;
    let started = Instant::now();
    while have < total {
        let to = (have + BATCH).min(total);
        let mut tx = pool.begin().await?;
        sqlx::query(
            "INSERT INTO clients (org_id, id, name, created_by)
             SELECT $1, 'seed-' || g, 'seed-' || g, $2 FROM generate_series($3::BIGINT, $4) g",
        )
        .bind(ORG)
        .bind(USER)
        .bind(have + 1)
        .bind(to)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "WITH v AS (
                 INSERT INTO client_versions
                     (org_id, client_id, version, status, registered_at, created_by)
                 SELECT $1, 'seed-' || g, '1.0', 'Registered', now(), $2
                 FROM generate_series($3::BIGINT, $4) g
                 RETURNING id, client_id),
             k AS (
                 INSERT INTO client_keys (client_version_id, api_key, created_by)
                 SELECT v.id, md5('a' || v.client_id) || md5('b' || v.client_id), $2 FROM v)
             INSERT INTO contracts
                 (client_version_id, api_version_id, plan_version_id, status, requested_by, registered)
             SELECT v.id, $5, $6, 'Active', $2, TRUE FROM v",
        )
        .bind(ORG)
        .bind(USER)
        .bind(have + 1)
        .bind(to)
        .bind(api)
        .bind(plan)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        have = to;
        eprintln!(
            "  {have} seeded clients ({:.0} s)",
            started.elapsed().as_secs_f64()
        );
    }
    sqlx::query("ANALYZE").execute(pool).await?;
    let (key,): (String,) = sqlx::query_as(
        "SELECT k.api_key FROM client_keys k JOIN client_versions v ON v.id = k.client_version_id
             WHERE v.client_id = 'seed-' || $1",
    )
    .bind(total)
    .fetch_one(pool)
    .await?;
    println!("{key}");
    Ok(())
}

/// Registers a new client through the store, as the console does; returns its key once the
/// registration has committed.
async fn register(pool: &PgPool, name: &str) -> anyhow::Result<String> {
    let new = store::versioned::NewEntity {
        org: ORG,
        id: name,
        name,
        description: "",
        version: "1.0",
    };
    api::clients::service::create(pool, USER, &new).await?;
    let c = api::contracts::service::NewContract {
        client: VersionRef::new(ORG, name, "1.0"),
        api: VersionRef::new(ORG, API, "1.0"),
        plan: VersionRef::new(ORG, PLAN, "1.0"),
    };
    api::contracts::service::create(pool, USER, &c, true).await?;
    // Read before registering (a registration keeps the key): timing starts at the commit.
    let (api_key,): (String,) = sqlx::query_as(
        "SELECT k.api_key FROM client_keys k JOIN client_versions v ON v.id = k.client_version_id
         WHERE v.org_id = $1 AND v.client_id = $2 AND v.version = '1.0'",
    )
    .bind(ORG)
    .bind(name)
    .fetch_one(pool)
    .await?;
    api::clients::service::register(pool, USER, &VersionRef::new(ORG, name, "1.0")).await?;
    Ok(api_key)
}

type Http = Client<hyper_util::client::legacy::connect::HttpConnector, Body>;

/// Polls until the key answers 200 (every millisecond, over a kept-alive connection).
async fn served(http: &Http, gateway: SocketAddr, key: &str) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let url = format!("http://{gateway}/gateway/{ORG}/{API}/1.0/");
    while started.elapsed() < Duration::from_secs(30) {
        let request = axum::http::Request::get(&url)
            .header("X-API-Key", key)
            .body(Body::empty())?;
        if http.request(request).await?.status() == 200 {
            return Ok(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    bail!("a registered key was not served within 30 s")
}

/// GET /healthz on a new connection: the time until the whole answer is in.
async fn healthz(gateway: SocketAddr) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let mut s = tokio::net::TcpStream::connect(gateway).await?;
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
        .await?;
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).await?;
    if !answer.starts_with(b"HTTP/1.1 200") {
        bail!("/healthz did not answer 200");
    }
    Ok(started.elapsed())
}

/// 50 registrations, one every 200 ms; returns once all are served.
async fn burst(pool: &PgPool, http: &Http, gateway: SocketAddr, what: &str) -> anyhow::Result<()> {
    let tag = std::process::id();
    let started = Instant::now();
    let mut keys = Vec::new();
    for i in 0..50u32 {
        tokio::time::sleep_until((started + Duration::from_millis(200) * i).into()).await;
        keys.push(register(pool, &format!("burst-{what}-{tag}-{i}")).await?);
    }
    for key in &keys {
        served(http, gateway, key).await?;
    }
    Ok(())
}

async fn measure(pool: &PgPool, gateway: SocketAddr) -> anyhow::Result<()> {
    let http: Http = Client::builder(TokioExecutor::new()).build_http();
    let tag = std::process::id();
    let mut waits = Vec::new();
    for i in 0..20 {
        let key = register(pool, &format!("reg-{tag}-{i}")).await?;
        waits.push(served(&http, gateway, &key).await?);
    }
    waits.sort();
    let median = (waits[9] + waits[10]) / 2;
    let max = waits[19];

    let stop = Arc::new(AtomicBool::new(false));
    let prober = tokio::spawn({
        let stop = Arc::clone(&stop);
        async move {
            let (mut longest, mut probes) = (Duration::ZERO, 0u32);
            while !stop.load(Ordering::Relaxed) {
                longest = longest.max(healthz(gateway).await?);
                probes += 1;
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            anyhow::Ok((longest, probes))
        }
    });
    burst(pool, &http, gateway, "probed").await?;
    stop.store(true, Ordering::Relaxed);
    let (longest, probes) = prober.await??;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{:.1} {:.1} {:.1} {probes}",
        ms(median),
        ms(max),
        ms(longest)
    );
    Ok(())
}
