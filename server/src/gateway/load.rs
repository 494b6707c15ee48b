//! Reading the registry from Postgres: whole (at start, on reconnect, on a missed change) or
//! one change at a time. Both run on the registry thread (`feed.rs`), never on a runtime that
//! serves connections.

use app::domain::lifecycle::ApiStatus;
use app::store::gateway_feed::{self as store, Change, ContractRow, Target};
use sqlx::{PgConnection, PgPool};

use super::registry::{Builder, Registry, contracts_of, digest};

/// Why the registry could not be read or followed.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("the registry thread could not start its runtime: {0}")]
    Runtime(#[from] std::io::Error),
    #[error("the database connection was lost")]
    Lost,
    #[error("the database failed: {0}")]
    Store(#[from] app::error::AppError),
    #[error("the database failed: {0}")]
    Database(#[from] sqlx::Error),
    /// A row a change names is gone: only a full load can tell what to drop.
    #[error("{0:?} is no longer in the database")]
    Gone(Target),
}

/// Everything, from one consistent snapshot: O(n log n) in the number of registered clients
/// (rows streamed, contracts found by binary search), each client's entry built once.
pub async fn full(pool: &PgPool, builder: &mut Builder) -> Result<Registry, FeedError> {
    builder.reset();
    let mut tx = store::snapshot(pool).await?;
    let mut registry = Registry::default();
    registry.seq = store::sequence(&mut tx).await?;
    let apis = store::apis(&mut tx).await?;
    let api_policies = store::api_policies(&mut tx, None).await?;
    for (name, entry) in builder.apis(&apis, &api_policies) {
        registry.set_api(name, Some(entry));
    }
    let mut contracts = store::contracts(&mut tx).await?;
    contracts.sort_unstable();
    let mut plan_ids: Vec<i64> = contracts.iter().map(|k| k.plan_version_id).collect();
    plan_ids.sort_unstable();
    plan_ids.dedup();
    add_plans(&mut tx, builder, &plan_ids).await?;
    store::each_client(&mut tx, |row| {
        let entry = builder.client(&row, contracts_of(&contracts, row.id));
        registry.add_client(&entry);
    })
    .await?;
    tx.commit().await?;
    Ok(registry)
}

/// `current` with one change applied: only the rows of the client or API version it names are
/// read, and only the entries they make are replaced.
pub async fn delta(
    pool: &PgPool,
    builder: &mut Builder,
    current: &Registry,
    change: Change,
) -> Result<Registry, FeedError> {
    let mut next = current.clone();
    let mut tx = store::snapshot(pool).await?;
    match change.target() {
        target @ Target::ClientVersion(id) => {
            let row = store::client(&mut tx, id)
                .await?
                .ok_or(FeedError::Gone(target))?;
            // Keys are only added or ended while a client is registered, never all removed,
            // so one of its keys now finds its old entry and with it the keys to stop serving.
            next.remove_client(id, row.keys().map(|k| digest(k.api_key)));
            if row.registered {
                let mut contracts = store::client_contracts(&mut tx, id).await?;
                contracts.sort_unstable();
                add_missing_plans(&mut tx, builder, &contracts).await?;
                next.add_client(&builder.client(&row, &contracts));
            }
        }
        target @ Target::ApiVersion(id) => {
            let row = store::api(&mut tx, id)
                .await?
                .ok_or(FeedError::Gone(target))?;
            let served = matches!(row.status, ApiStatus::Published | ApiStatus::Retired);
            let policies = store::api_policies(&mut tx, Some(id)).await?;
            let built = builder.apis(std::slice::from_ref(&row), &policies);
            for (name, entry) in built {
                next.set_api(name, served.then_some(entry));
            }
        }
    }
    tx.commit().await?;
    next.seq = change.seq;
    Ok(next)
}

async fn add_missing_plans(
    conn: &mut PgConnection,
    builder: &mut Builder,
    contracts: &[ContractRow],
) -> Result<(), FeedError> {
    let missing: Vec<i64> = contracts
        .iter()
        .map(|k| k.plan_version_id)
        .filter(|id| !builder.has_plan(*id))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    add_plans(conn, builder, &missing).await
}

async fn add_plans(
    conn: &mut PgConnection,
    builder: &mut Builder,
    ids: &[i64],
) -> Result<(), FeedError> {
    let plans = store::plans(conn, ids).await?;
    let policies = store::plan_policies(conn, ids).await?;
    builder.add_plans(&plans, &policies);
    Ok(())
}
