//! Keeping the registry current: load it at start, then reload whenever Postgres announces a
//! change on the registry channel (LISTEN/NOTIFY), and every minute as a safety net.

use std::sync::Arc;
use std::time::Duration;

use app::store::gateway_feed;
use sqlx::PgPool;
use sqlx::postgres::PgListener;

use super::Gateway;
use super::registry::Registry;

pub async fn reload(gateway: &Gateway, pool: &PgPool) -> anyhow::Result<()> {
    let feed = gateway_feed::load(pool)
        .await
        .map_err(|e| anyhow::anyhow!("loading the gateway registry failed: {e}"))?;
    let registry = Registry::build(&feed, &gateway.trust);
    tracing::debug!(
        apis = registry.apis.len(),
        clients = registry.clients.len(),
        "registry reloaded"
    );
    gateway.registry.store(Arc::new(registry));
    Ok(())
}

/// Runs for the life of the process.
pub async fn follow(gateway: Arc<Gateway>, pool: PgPool) {
    loop {
        if let Err(e) = listen(&gateway, &pool).await {
            tracing::warn!(error = %e, "registry listener lost; reconnecting");
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

async fn listen(gateway: &Gateway, pool: &PgPool) -> anyhow::Result<()> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(gateway_feed::CHANNEL).await?;
    // Changes made while we were not listening.
    reload(gateway, pool).await?;
    loop {
        match tokio::time::timeout(Duration::from_secs(60), listener.recv()).await {
            Ok(Ok(_)) => reload(gateway, pool).await?,
            Ok(Err(e)) => return Err(e.into()),
            Err(_) => reload(gateway, pool).await?,
        }
    }
}
