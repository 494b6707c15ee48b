//! The Gatehouse server: console, portal and gateway over one Postgres store.
#![recursion_limit = "256"]

pub mod bootstrap;
pub mod config;
pub mod db;
pub mod demo;
pub mod echo;
pub mod gateway;
pub mod http;
pub mod workers;

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
        let password = args
            .demo_password
            .as_deref()
            .unwrap_or(demo::DEFAULT_DEMO_PASSWORD);
        if demo::seed(&pool, args.addr, password).await? {
            println!(
                "Seeded the demo world: sign in as {} (organization STRINGER, PrivateEchoAPI).",
                demo::DEMO_USER
            );
        }
    }
    let options = LeptosOptions::builder()
        .output_name("gatehouse")
        .site_root(args.site_root.as_str())
        .site_addr(args.addr)
        .build();
    let gateway = gateway::Gateway::start(pool.clone(), gateway_config(&args)).await?;
    let listener = listen(args.addr).await?;
    println!(
        "Gatehouse is running: sign in at http://{}/login",
        args.addr
    );
    tracing::info!(addr = %args.addr, "listening");
    let self_signup = args.self_signup;
    let app = move || http::router(pool.clone(), options.clone(), &gateway, self_signup);
    workers::serve(listener, worker_count(&args), app, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

async fn listen(addr: std::net::SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("GATEHOUSE_ADDR: cannot listen on {addr}: {e}"))
}

fn worker_count(args: &ServeArgs) -> usize {
    match args.workers {
        0 => workers::default_count(),
        n => usize::from(n),
    }
}

fn gateway_config(args: &ServeArgs) -> gateway::GatewayConfig {
    gateway::GatewayConfig {
        timeouts: gateway::proxy::Timeouts {
            connect: std::time::Duration::from_millis(args.upstream_connect_timeout_ms),
            read: std::time::Duration::from_millis(args.upstream_read_timeout_ms),
        },
        redis_url: args.redis_url.clone(),
        trusted_proxies: args.trusted_proxies.clone(),
        counters: gateway::limits::CounterLimits {
            max_buckets: args.rate_limit_max_buckets,
            redis_timeout: std::time::Duration::from_millis(args.redis_timeout_ms),
        },
        auth: gateway::chain::AuthLimits::default(),
    }
}

/// A gateway-only process on its own port, against the same database.
pub async fn serve_gateway(pool: sqlx::PgPool, args: ServeArgs) -> anyhow::Result<()> {
    let gateway = gateway::Gateway::start(pool.clone(), gateway_config(&args)).await?;
    let listener = listen(args.addr).await?;
    println!(
        "Gatehouse gateway is running on http://{}/gateway/",
        args.addr
    );
    let app = move || http::health(pool.clone()).merge(gateway.router());
    workers::serve(listener, worker_count(&args), app, shutdown_signal()).await
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
    app::store::users::create(
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
