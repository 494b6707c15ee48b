//! The `gatehouse` binary: serves the console, the portal and the gateway.

use clap::Parser;
use tracing_subscriber::EnvFilter;

// mimalloc instead of the system allocator: with hyper on both sides of every gateway request,
// glibc's malloc/free took about a tenth of the server's CPU under load (perf, `make bench`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

// The main runtime starts up and accepts connections; HTTP requests run on the workers' runtimes
// (workers.rs) and the registry on its own thread (gateway/feed.rs), so one thread is enough here.
#[tokio::main(flavor = "current_thread")]
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
