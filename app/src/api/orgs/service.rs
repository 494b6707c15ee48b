//! The organization use cases: each owns its transaction and records the change.

use sqlx::PgConnection;

use crate::error::AppResult;
use crate::store::PgPool;
use crate::store::audit::Subject;
use crate::store::orgs;

fn subject<'a>(actor: &'a str, id: &'a str) -> Subject<'a> {
    Subject {
        actor,
        org_id: id,
        entity_type: "organization",
        entity_id: id,
    }
}

/// Creates the organization and makes its creator the Owner.
pub async fn create(
    pool: &PgPool,
    actor: &str,
    id: &str,
    name: &str,
    description: &str,
) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    create_in(&mut tx, actor, id, name, description).await?;
    tx.commit().await?;
    Ok(())
}

/// Creates the organization inside the caller's transaction.
pub async fn create_in(
    conn: &mut PgConnection,
    actor: &str,
    id: &str,
    name: &str,
    description: &str,
) -> AppResult<()> {
    orgs::insert(conn, actor, id, name, description).await?;
    subject(actor, id)
        .record(
            conn,
            "created",
            serde_json::json!({"name": name, "description": description}),
        )
        .await
}

pub async fn update(
    pool: &PgPool,
    actor: &str,
    id: &str,
    name: &str,
    description: &str,
) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    orgs::update(&mut tx, id, name, description).await?;
    subject(actor, id)
        .record(
            &mut tx,
            "updated",
            serde_json::json!({"name": name, "description": description}),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes an empty organization (the store refuses one that still holds anything).
pub async fn delete(pool: &PgPool, actor: &str, id: &str) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    orgs::delete(&mut tx, id).await?;
    subject(actor, id)
        .record(&mut tx, "deleted", serde_json::json!({}))
        .await?;
    tx.commit().await?;
    Ok(())
}
