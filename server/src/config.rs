//! Command line and environment configuration. A bad value stops start-up with a message
//! that names the setting.

use std::net::SocketAddr;

use clap::{Args, Parser, Subcommand};

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
    #[arg(long, env = "GATEHOUSE_DEMO", default_value = "1", global = true, value_parser = parse_flag)]
    pub demo: bool,
    /// Password of the demo user `david`.
    #[arg(
        long,
        env = "GATEHOUSE_DEMO_PASSWORD",
        hide_env_values = true,
        global = true
    )]
    pub demo_password: Option<String>,
    /// Let visitors create their own Developer Portal accounts ("0" turns it off).
    #[arg(long, env = "GATEHOUSE_SELF_SIGNUP", default_value = "1", global = true, value_parser = parse_flag)]
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
    /// Directory with the compiled front end (pkg/ with wasm, js and css).
    #[arg(
        long,
        env = "LEPTOS_SITE_ROOT",
        default_value = "target/site",
        global = true
    )]
    pub site_root: String,
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

fn parse_database_url(value: &str) -> Result<String, String> {
    if value.starts_with("postgres://") || value.starts_with("postgresql://") {
        Ok(value.to_string())
    } else {
        Err(format!(
            "DATABASE_URL / --database-url: '{value}' is not a postgres:// URL"
        ))
    }
}

fn parse_admin_password(value: &str) -> Result<String, String> {
    app::domain::text::validate_password("GATEHOUSE_ADMIN_PASSWORD", value)
        .map(|_| value.to_string())
        .map_err(|e| format!("GATEHOUSE_ADMIN_PASSWORD: {}", e.message))
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
        assert!(parse_addr("127.0.0.1:8080").is_ok());
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
