//! The `gatehouse` binary: serves the console, the portal and the gateway.

use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info")),
        )
        .init();
    let cli = server::config::Cli::parse();
    if let Err(e) = server::run(cli).await {
        eprintln!("gatehouse: {e:#}");
        std::process::exit(1);
    }
}
