//! Command line and environment configuration. A bad value stops start-up with a message
//! that names the setting.

use std::net::SocketAddr;

use clap::{Args, Parser, Subcommand};

use crate::gateway::client_addr::TrustedProxies;

#[derive(Parser, Debug)]
#[command(
    name = "gatehouse",
    version,
    about = "Gatehouse API management: console, portal and gateway"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub db: DbArgs,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the console, the portal and the gateway (the default).
    Serve,
    /// Serve only the gateway (and /metrics), for scale-out behind a load balancer.
    Gateway,
    /// Apply database migrations and exit.
    Migrate,
    /// Create a user account.
    CreateUser(CreateUserArgs),
}

#[derive(Args, Debug, Clone)]
pub struct DbArgs {
    /// Postgres connection URL.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/gatehouse",
        global = true,
        value_parser = parse_database_url
    )]
    pub database_url: String,
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "GATEHOUSE_ADDR", default_value = "127.0.0.1:3000", global = true, value_parser = parse_addr)]
    pub addr: SocketAddr,
    /// Password of the `admin` account created on first start; generated and printed if unset.
    #[arg(long, env = "GATEHOUSE_ADMIN_PASSWORD", hide_env_values = true, global = true, value_parser = parse_admin_password)]
    pub admin_password: Option<String>,
    /// Seed the tutorial's demo world on an empty database ("0" turns it off).
    #[arg(long, env = "GATEHOUSE_DEMO", default_value = "1", global = true, action = clap::ArgAction::Set, value_parser = parse_flag)]
    pub demo: bool,
    /// Password of the demo user `david`.
    #[arg(
        long,
        env = "GATEHOUSE_DEMO_PASSWORD",
        hide_env_values = true,
        global = true,
        value_parser = parse_demo_password
    )]
    pub demo_password: Option<String>,
    /// Let visitors create their own Developer Portal accounts ("0" turns it off).
    #[arg(long, env = "GATEHOUSE_SELF_SIGNUP", default_value = "1", global = true, action = clap::ArgAction::Set, value_parser = parse_flag)]
    pub self_signup: bool,
    /// Redis for rate limit counters shared by several gateway processes.
    #[arg(long, env = "REDIS_URL", global = true)]
    pub redis_url: Option<String>,
    /// How long the gateway waits to connect to an upstream, in milliseconds.
    #[arg(
        long,
        env = "GATEHOUSE_UPSTREAM_CONNECT_TIMEOUT_MS",
        default_value = "5000",
        global = true
    )]
    pub upstream_connect_timeout_ms: u64,
    /// How long the gateway waits for an upstream's response head, in milliseconds.
    #[arg(
        long,
        env = "GATEHOUSE_UPSTREAM_READ_TIMEOUT_MS",
        default_value = "30000",
        global = true
    )]
    pub upstream_read_timeout_ms: u64,
    /// HTTP worker threads, each with its own single-threaded runtime (0: one per core).
    #[arg(long, env = "GATEHOUSE_WORKERS", default_value = "0", global = true, value_parser = clap::value_parser!(u16).range(0..=256))]
    pub workers: u16,
    /// Address of the gateway's own listener (its own origin: never the console's).
    #[arg(long, env = "GATEHOUSE_GATEWAY_ADDR", default_value = "127.0.0.1:8080", global = true, value_parser = parse_addr)]
    pub gateway_addr: SocketAddr,
    /// The gateway's public base URL, shown in every managed endpoint (default: http:// and
    /// the gateway's address).
    #[arg(long, env = "GATEHOUSE_GATEWAY_URL", global = true, value_parser = parse_gateway_url)]
    pub gateway_url: Option<String>,
    /// Address of the Prometheus /metrics listener (keep it private).
    #[arg(long, env = "GATEHOUSE_METRICS_ADDR", default_value = "127.0.0.1:9464", global = true, value_parser = parse_addr)]
    pub metrics_addr: SocketAddr,
    /// Networks (CIDRs, comma-separated) that upstreams may be in even though the upstream
    /// guard refuses them (link-local, cloud metadata, the gateway's own listeners).
    #[arg(long, env = "GATEHOUSE_UPSTREAM_ALLOW", value_delimiter = ',', global = true, value_parser = parse_upstream_allow)]
    pub upstream_allow: Vec<ipnet::IpNet>,
    #[command(flatten)]
    pub limits: LimitArgs,
    #[command(flatten)]
    pub analytics: AnalyticsArgs,
    /// Directory with the compiled front end (pkg/ with wasm, js and css).
    #[arg(
        long,
        env = "LEPTOS_SITE_ROOT",
        default_value = "target/site",
        global = true
    )]
    pub site_root: String,
    /// Proxies in front of the gateway whose X-Forwarded-For/-Proto are believed: comma-separated
    /// CIDRs or addresses (none by default: the socket peer is the client).
    #[arg(long, env = "GATEHOUSE_TRUSTED_PROXIES", default_value = "", global = true, value_parser = parse_trusted_proxies)]
    pub trusted_proxies: TrustedProxies,
    /// Local rate-limit and quota buckets kept at most; beyond it new subjects go uncounted.
    #[arg(long, env = "GATEHOUSE_RATE_LIMIT_MAX_BUCKETS", default_value = "1000000", global = true, value_parser = parse_max_buckets)]
    pub rate_limit_max_buckets: usize,
    /// How long a Redis counter call may take before the local count is used, in milliseconds.
    #[arg(long, env = "GATEHOUSE_REDIS_TIMEOUT_MS", default_value = "50", global = true, value_parser = parse_redis_timeout)]
    pub redis_timeout_ms: u64,
}

/// What one connection may take, on every listener.
#[derive(Args, Debug, Clone)]
pub struct LimitArgs {
    /// Seconds a client has to send a whole request head, from its first byte (or from
    /// connecting).
    #[arg(long, env = "GATEHOUSE_HEADER_READ_TIMEOUT_SECS", default_value = "10", global = true, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_read_timeout_secs: u64,
    /// Seconds an idle kept-alive connection stays open waiting for its next request.
    #[arg(long, env = "GATEHOUSE_KEEPALIVE_TIMEOUT_SECS", default_value = "60", global = true, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub keepalive_timeout_secs: u64,
    /// Seconds a request in flight may go without a byte moving either way (a stalled upload,
    /// a client that stops reading); keep it above the upstream read timeout.
    #[arg(long, env = "GATEHOUSE_BODY_TIMEOUT_SECS", default_value = "60", global = true, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub body_timeout_secs: u64,
    /// Largest request head (request line and headers) in bytes; larger ones get 431.
    #[arg(long, env = "GATEHOUSE_MAX_HEADER_BYTES", default_value = "32768", global = true, value_parser = clap::value_parser!(u64).range(1024..=1_048_576))]
    pub max_header_bytes: u64,
    /// Open connections the process accepts on all listeners together; beyond it new ones get
    /// 503 and are closed. Lowered to what the open-file limit allows.
    #[arg(long, env = "GATEHOUSE_MAX_CONNECTIONS", default_value = "10000", global = true, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections: u64,
    /// Largest request body of a console or portal request in bytes (413 beyond). The gateway
    /// streams its bodies and has no such cap.
    #[arg(long, env = "GATEHOUSE_MAX_BODY_BYTES", default_value = "2097152", global = true, value_parser = clap::value_parser!(u64).range(1024..=1_073_741_824))]
    pub max_body_bytes: u64,
}

#[derive(Args, Debug, Clone)]
pub struct CreateUserArgs {
    #[arg(long)]
    pub username: String,
    #[arg(long, env = "GATEHOUSE_NEW_USER_PASSWORD", hide_env_values = true)]
    pub password: String,
    #[arg(long)]
    pub display_name: Option<String>,
    #[arg(long, default_value = "")]
    pub email: String,
    #[arg(long)]
    pub admin: bool,
    #[arg(long)]
    pub portal_only: bool,
}

/// Gateway analytics: recording, batching and retention (README: "Analytics").
#[derive(Args, Debug, Clone)]
pub struct AnalyticsArgs {
    /// Record gateway requests for the Metrics tabs and the Log Analyzer ("0" turns it off).
    #[arg(long = "analytics", env = "GATEHOUSE_ANALYTICS", default_value = "1", global = true, action = clap::ArgAction::Set, value_parser = parse_flag)]
    pub enabled: bool,
    /// Milliseconds between two batches written to the database.
    #[arg(long = "analytics-flush-ms", env = "GATEHOUSE_ANALYTICS_FLUSH_MS", default_value = "2000", global = true, value_parser = clap::value_parser!(u64).range(100..=60_000))]
    pub flush_ms: u64,
    /// Records waiting to be written at most (per process); beyond it they are dropped and
    /// counted.
    #[arg(long = "analytics-buffer", env = "GATEHOUSE_ANALYTICS_BUFFER", default_value = "200000", global = true, value_parser = clap::value_parser!(u64).range(1_000..=10_000_000))]
    pub buffer: u64,
    /// Days the request log is kept.
    #[arg(long = "analytics-log-days", env = "GATEHOUSE_ANALYTICS_LOG_DAYS", default_value = "7", global = true, value_parser = clap::value_parser!(i64).range(1..=3650))]
    pub log_days: i64,
    /// Days the minute rollups are kept.
    #[arg(long = "analytics-minute-days", env = "GATEHOUSE_ANALYTICS_MINUTE_DAYS", default_value = "30", global = true, value_parser = clap::value_parser!(i64).range(1..=400))]
    pub minute_days: i64,
    /// Days the hour rollups are kept.
    #[arg(long = "analytics-hour-days", env = "GATEHOUSE_ANALYTICS_HOUR_DAYS", default_value = "400", global = true, value_parser = clap::value_parser!(i64).range(1..=3650))]
    pub hour_days: i64,
}

fn parse_flag(value: &str) -> Result<bool, String> {
    match value {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        other => Err(format!("'{other}' is not 0 or 1")),
    }
}

fn parse_addr(value: &str) -> Result<SocketAddr, String> {
    value.parse().map_err(|_| {
        format!("GATEHOUSE_ADDR / --addr: '{value}' is not an address like 127.0.0.1:3000")
    })
}

fn parse_upstream_allow(value: &str) -> Result<ipnet::IpNet, String> {
    let value = value.trim();
    value
        .parse::<ipnet::IpNet>()
        .or_else(|_| value.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| {
            format!("GATEHOUSE_UPSTREAM_ALLOW: '{value}' is not a network like 169.254.169.254/32")
        })
}

fn parse_gateway_url(value: &str) -> Result<String, String> {
    let bad = |why: &str| format!("GATEHOUSE_GATEWAY_URL: '{value}' {why}");
    let url = url::Url::parse(value)
        .map_err(|_| bad("is not an absolute URL like https://api.example.com"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(bad("must be an http:// or https:// URL with a host"));
    }
    if url.query().is_some() || url.fragment().is_some() || url.username() != "" {
        return Err(bad("must not carry a query, a fragment or credentials"));
    }
    Ok(value.trim_end_matches('/').to_string())
}

fn parse_database_url(value: &str) -> Result<String, String> {
    if value.starts_with("postgres://") || value.starts_with("postgresql://") {
        Ok(value.to_string())
    } else {
        Err(format!(
            "DATABASE_URL / --database-url: '{value}' is not a postgres:// URL"
        ))
    }
}

fn parse_demo_password(value: &str) -> Result<String, String> {
    password_setting("GATEHOUSE_DEMO_PASSWORD", value)
}

fn parse_admin_password(value: &str) -> Result<String, String> {
    password_setting("GATEHOUSE_ADMIN_PASSWORD", value)
}

/// The same rules as for passwords typed in the console.
fn password_setting(name: &str, value: &str) -> Result<String, String> {
    app::domain::text::validate_password(name, value)
        .map(|_| value.to_string())
        .map_err(|e| format!("{name}: {}", e.message))
}

fn parse_trusted_proxies(value: &str) -> Result<TrustedProxies, String> {
    TrustedProxies::parse(value)
}

fn parse_max_buckets(value: &str) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!(
            "GATEHOUSE_RATE_LIMIT_MAX_BUCKETS: '{value}' is not a number of buckets of at least 1"
        )),
    }
}

fn parse_redis_timeout(value: &str) -> Result<u64, String> {
    match value.parse::<u64>() {
        Ok(n) if (1..=10_000).contains(&n) => Ok(n),
        _ => Err(format!(
            "GATEHOUSE_REDIS_TIMEOUT_MS: '{value}' is not a number of milliseconds from 1 to 10000"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_values_name_their_setting() {
        assert!(
            parse_addr("nonsense")
                .unwrap_err()
                .contains("GATEHOUSE_ADDR")
        );
        assert!(
            parse_database_url("mysql://x")
                .unwrap_err()
                .contains("DATABASE_URL")
        );
        assert!(
            parse_admin_password("short")
                .unwrap_err()
                .contains("GATEHOUSE_ADMIN_PASSWORD")
        );
        assert!(
            parse_demo_password("short")
                .unwrap_err()
                .contains("GATEHOUSE_DEMO_PASSWORD")
        );
        assert!(parse_addr("127.0.0.1:8080").is_ok());
        for bad in [
            "gateway.example.com",
            "ftp://gw.example.com",
            "https://gw.example.com/?x=1",
            "https://u:p@gw.example.com",
        ] {
            assert!(
                parse_gateway_url(bad)
                    .unwrap_err()
                    .contains("GATEHOUSE_GATEWAY_URL"),
                "{bad}"
            );
        }
        assert_eq!(
            parse_gateway_url("https://gw.example.com/base/").as_deref(),
            Ok("https://gw.example.com/base")
        );
        assert!(
            parse_trusted_proxies("10.0.0.0/8,bogus")
                .unwrap_err()
                .contains("GATEHOUSE_TRUSTED_PROXIES")
        );
        assert!(parse_max_buckets("0").unwrap_err().contains("MAX_BUCKETS"));
        assert_eq!(parse_max_buckets("1"), Ok(1));
        assert!(
            parse_redis_timeout("0")
                .unwrap_err()
                .contains("REDIS_TIMEOUT")
        );
        assert!(parse_redis_timeout("10001").is_err());
        assert_eq!(parse_redis_timeout("10000"), Ok(10_000));
    }

    #[test]
    fn analytics_settings_have_defaults_and_bounds() {
        let parse = |args: &[&str]| {
            let mut all = vec!["gatehouse"];
            all.extend_from_slice(args);
            Cli::try_parse_from(all).map(|c| c.serve.analytics)
        };
        let a = parse(&[]).expect("defaults");
        assert!(a.enabled);
        assert_eq!((a.flush_ms, a.buffer), (2000, 200_000));
        assert_eq!((a.log_days, a.minute_days, a.hour_days), (7, 30, 400));
        assert!(!parse(&["--analytics", "0"]).expect("off").enabled);
        // The other on/off flags take their value the same way.
        let cli =
            Cli::try_parse_from(["gatehouse", "--demo", "0", "--self-signup", "0"]).expect("flags");
        assert!(!cli.serve.demo && !cli.serve.self_signup);
        for (flag, low, high) in [
            ("--analytics-flush-ms", "100", "60000"),
            ("--analytics-buffer", "1000", "10000000"),
            ("--analytics-log-days", "1", "3650"),
            ("--analytics-minute-days", "1", "400"),
            ("--analytics-hour-days", "1", "3650"),
        ] {
            assert!(parse(&[flag, low]).is_ok(), "{flag} {low}");
            assert!(parse(&[flag, high]).is_ok(), "{flag} {high}");
            let below = (low.parse::<u64>().unwrap() - 1).to_string();
            let above = (high.parse::<u64>().unwrap() + 1).to_string();
            for bad in [below.as_str(), above.as_str(), "x", "-1"] {
                assert!(parse(&[flag, bad]).is_err(), "{flag} {bad}");
            }
        }
    }

    #[test]
    fn serve_is_the_default_command() {
        let cli = Cli::try_parse_from(["gatehouse"]).expect("parses");
        assert!(cli.command.is_none());
        let cli =
            Cli::try_parse_from(["gatehouse", "serve", "--addr", "0.0.0.0:9000"]).expect("parses");
        assert!(matches!(cli.command, Some(Command::Serve)));
        assert_eq!(cli.serve.addr.port(), 9000);
    }
}
