//! The Gatehouse server: console, portal and gateway over one Postgres store.
#![recursion_limit = "256"]

pub mod bootstrap;
pub mod config;
pub mod connection;
pub mod cross_site;
pub mod db;
pub mod demo;
pub mod echo;
pub mod gateway;
pub mod http;
pub mod try_relay;
pub mod workers;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use leptos::config::LeptosOptions;

use config::{Cli, Command, CreateUserArgs, ServeArgs};

/// Runs the command line: serve (the default), gateway, migrate or create-user.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let pool = db::connect(&cli.db.database_url).await?;
    db::migrate(&pool).await?;
    match cli.command {
        Some(Command::Migrate) => {
            println!("Migrations applied.");
            Ok(())
        }
        Some(Command::CreateUser(args)) => create_user(&pool, args).await,
        Some(Command::Serve) | None => serve(pool, cli.serve).await,
        Some(Command::Gateway) => serve_gateway(pool, cli.serve).await,
    }
}

pub async fn serve(pool: sqlx::PgPool, args: ServeArgs) -> anyhow::Result<()> {
    if let Some(password) = bootstrap::ensure_admin(&pool, args.admin_password.as_deref()).await? {
        println!("Created the administrator account.");
        println!("  username: {}", bootstrap::ADMIN);
        println!(
            "  password: {password}   (shown once; set GATEHOUSE_ADMIN_PASSWORD to choose it)"
        );
    }
    if args.demo {
        let password = demo::Password::choose(args.demo_password.as_deref());
        if demo::seed(&pool, args.addr, &password.value).await? {
            println!(
                "Seeded the demo world: sign in as {} (organization STRINGER, PrivateEchoAPI).",
                demo::DEMO_USER
            );
            if password.generated {
                println!(
                    "  password: {}   (shown once; set GATEHOUSE_DEMO_PASSWORD to choose it)",
                    password.value
                );
            }
        }
    }
    let options = LeptosOptions::builder()
        .output_name("gatehouse")
        .site_root(args.site_root.as_str())
        .site_addr(args.addr)
        // The release build (`scripts/build.sh --release`) names the site's files after their
        // hashes; cargo-leptos tells the server so when it compiles it.
        .hash_files(option_env!("LEPTOS_HASH_FILES") == Some("true"))
        .build();
    let gateway = gateway::Gateway::start(pool.clone(), gateway_config(&args)).await?;
    let console = listen("GATEHOUSE_ADDR", args.addr).await?;
    let (gateway_listener, metrics) = gateway_listeners(&args).await?;
    let gateway_url = public_gateway_url(&args);
    println!(
        "Gatehouse is running: sign in at http://{}/login",
        args.addr
    );
    println!(
        "  gateway: {gateway_url}/gateway/   metrics: http://{}/metrics",
        args.metrics_addr
    );
    tracing::info!(console = %args.addr, gateway = %args.gateway_addr, metrics = %args.metrics_addr, "listening");
    let console_app = {
        let pool = pool.clone();
        let settings = http::ConsoleSettings {
            self_signup: args.self_signup,
            gateway_url,
            max_body_bytes: usize::try_from(args.limits.max_body_bytes).unwrap_or(usize::MAX),
            upstream_guard: upstream_guard(&args),
            trusted_proxies: args.trusted_proxies.clone(),
            limits: Some(gateway.probe(pool.clone())),
            try_relay: Some(gateway.try_relay()),
            analytics_minute_days: args.analytics.minute_days,
            shared: Default::default(),
        };
        move || http::router(pool.clone(), options.clone(), &settings)
    };
    let sites = vec![
        workers::Site {
            name: "console",
            listener: console,
            app: Box::new(move || workers::App::Router(console_app())),
        },
        gateway_site(&pool, &gateway, gateway_listener),
        metrics_site(&gateway, metrics),
    ];
    workers::serve(sites, worker_count(&args), limits(&args), shutdown_signal()).await?;
    gateway.flush_analytics().await;
    gateway.flush_key_use().await;
    tracing::info!("stopped");
    Ok(())
}

async fn listen(setting: &str, addr: SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("{setting}: cannot listen on {addr}: {e}"))
}

async fn gateway_listeners(
    args: &ServeArgs,
) -> anyhow::Result<(tokio::net::TcpListener, tokio::net::TcpListener)> {
    Ok((
        listen("GATEHOUSE_GATEWAY_ADDR", args.gateway_addr).await?,
        listen("GATEHOUSE_METRICS_ADDR", args.metrics_addr).await?,
    ))
}

/// `GATEHOUSE_GATEWAY_URL`, else the gateway's own address.
fn public_gateway_url(args: &ServeArgs) -> String {
    args.gateway_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", args.gateway_addr))
}

fn gateway_site(
    pool: &sqlx::PgPool,
    gateway: &Arc<gateway::Gateway>,
    listener: tokio::net::TcpListener,
) -> workers::Site {
    let (pool, gateway) = (pool.clone(), Arc::clone(gateway));
    workers::Site {
        name: "gateway",
        listener,
        app: Box::new(move || {
            let front = (gateway.front(), http::health(pool.clone()));
            workers::App::Gateway(Arc::new(front))
        }),
    }
}

fn metrics_site(
    gateway: &Arc<gateway::Gateway>,
    listener: tokio::net::TcpListener,
) -> workers::Site {
    let gateway = Arc::clone(gateway);
    workers::Site {
        name: "metrics",
        listener,
        app: Box::new(move || workers::App::Router(gateway.metrics_router())),
    }
}

fn worker_count(args: &ServeArgs) -> usize {
    match args.workers {
        0 => workers::default_count(),
        n => usize::from(n),
    }
}

/// The connection limits, with the connection cap lowered to what the open-file limit allows
/// (raised first to its hard maximum, as Go and nginx deployments do).
fn limits(args: &ServeArgs) -> workers::Limits {
    let l = &args.limits;
    let wanted = usize::try_from(l.max_connections).unwrap_or(usize::MAX);
    // Room for the database pool, upstream connections and listeners.
    const RESERVE: u64 = 256;
    let max_connections = match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(files) if files > RESERVE => {
            let allowed = usize::try_from(files - RESERVE).unwrap_or(usize::MAX);
            if allowed < wanted {
                tracing::warn!(
                    wanted,
                    allowed,
                    "GATEHOUSE_MAX_CONNECTIONS lowered to fit the open-file limit"
                );
            }
            wanted.min(allowed)
        }
        _ => wanted,
    };
    workers::Limits {
        header_read: Duration::from_secs(l.header_read_timeout_secs),
        keep_alive: Duration::from_secs(l.keepalive_timeout_secs),
        body_idle: Duration::from_secs(l.body_timeout_secs),
        max_header_bytes: usize::try_from(l.max_header_bytes).unwrap_or(usize::MAX),
        max_connections,
    }
}

fn gateway_config(args: &ServeArgs) -> gateway::GatewayConfig {
    gateway::GatewayConfig {
        timeouts: gateway::proxy::Timeouts {
            connect: Duration::from_millis(args.upstream_connect_timeout_ms),
            read: Duration::from_millis(args.upstream_read_timeout_ms),
        },
        redis_url: args.redis_url.clone(),
        upstream_guard: upstream_guard(args),
        trusted_proxies: args.trusted_proxies.clone(),
        counters: gateway::limits::CounterLimits {
            max_buckets: args.rate_limit_max_buckets,
            redis_timeout: Duration::from_millis(args.redis_timeout_ms),
        },
        auth: gateway::chain::AuthLimits::default(),
        analytics: analytics_config(&args.analytics),
    }
}

fn analytics_config(a: &config::AnalyticsArgs) -> gateway::analytics::AnalyticsConfig {
    gateway::analytics::AnalyticsConfig {
        enabled: a.enabled,
        flush_every: Duration::from_millis(a.flush_ms),
        max_buffered: usize::try_from(a.buffer).unwrap_or(usize::MAX),
        write_timeout: gateway::analytics::AnalyticsConfig::default().write_timeout,
        retention: app::store::analytics::partitions::Retention {
            log_days: a.log_days,
            minute_days: a.minute_days,
            hour_days: a.hour_days,
        },
    }
}

/// The upstream address guard: refused networks but those allowed, and our own listeners.
pub fn upstream_guard(args: &ServeArgs) -> app::domain::upstream_guard::UpstreamGuard {
    app::domain::upstream_guard::UpstreamGuard {
        allow: args.upstream_allow.clone(),
        own: vec![args.gateway_addr, args.metrics_addr],
    }
}

/// A gateway-only process (and its metrics), against the same database.
pub async fn serve_gateway(pool: sqlx::PgPool, args: ServeArgs) -> anyhow::Result<()> {
    let gateway = gateway::Gateway::start(pool.clone(), gateway_config(&args)).await?;
    let (listener, metrics) = gateway_listeners(&args).await?;
    println!(
        "Gatehouse gateway is running on http://{}/gateway/ (metrics: http://{}/metrics)",
        args.gateway_addr, args.metrics_addr
    );
    let sites = vec![
        gateway_site(&pool, &gateway, listener),
        metrics_site(&gateway, metrics),
    ];
    workers::serve(sites, worker_count(&args), limits(&args), shutdown_signal()).await?;
    gateway.flush_analytics().await;
    gateway.flush_key_use().await;
    Ok(())
}

async fn create_user(pool: &sqlx::PgPool, args: CreateUserArgs) -> anyhow::Result<()> {
    use app::domain::text;
    let check = |r: Result<(), app::domain::FieldError>| {
        r.map_err(|e| anyhow::anyhow!("--{}: {}", e.field.replace('_', "-"), e.message))
    };
    check(text::validate_username("username", &args.username))?;
    check(text::validate_password("password", &args.password))?;
    check(text::validate_email("email", &args.email))?;
    let hash = app::auth::password::hash(args.password.clone())
        .await
        .map_err(bootstrap::anyhow_app)?;
    let display = args.display_name.unwrap_or_else(|| args.username.clone());
    app::api::users::service::create(
        pool,
        "cli",
        app::store::users::NewUser {
            username: &args.username,
            display_name: &display,
            email: &args.email,
            password_hash: &hash,
            is_admin: args.admin,
            portal_only: args.portal_only,
        },
    )
    .await
    .map_err(bootstrap::anyhow_app)?;
    println!("Created user {}.", args.username);
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM, letting in-flight requests finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
