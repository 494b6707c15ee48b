//! Policies of API and plan versions, kept in chain order by `position`.

use sqlx::PgConnection;
use sqlx::types::Json;

use crate::domain::catalog::PolicyView;
use crate::domain::policy::{PolicyConfig, PolicyType, StoredPolicy, Unusable};
use crate::error::{AppError, AppResult};

/// The version a policy chain belongs to, by row id.
#[derive(Debug, Clone, Copy)]
pub enum Owner {
    Api(i64),
    Plan(i64),
    Client(i64),
}

impl Owner {
    fn column(self) -> &'static str {
        match self {
            Owner::Api(_) => "api_version_id",
            Owner::Plan(_) => "plan_version_id",
            Owner::Client(_) => "client_version_id",
        }
    }

    fn id(self) -> i64 {
        match self {
            Owner::Api(id) | Owner::Plan(id) | Owner::Client(id) => id,
        }
    }
}

/// A policy row as one JSON value, read as a [`StoredPolicy`] (the registration snapshot's shape).
pub(crate) const POLICY_JSON: &str =
    "jsonb_build_object('id', id, 'type', policy_type, 'config', config)";

/// A policy of a type this version does not know is an internal error here (the gateway
/// refuses its API's requests instead).
fn unknown_type(reason: &Unusable) -> AppError {
    AppError::internal("policy type", reason)
}

pub async fn list(conn: &mut PgConnection, owner: Owner) -> AppResult<Vec<PolicyView>> {
    let sql = format!(
        "SELECT {POLICY_JSON} FROM policies WHERE {} = $1 ORDER BY position, id",
        owner.column()
    );
    let rows: Vec<Json<StoredPolicy>> = sqlx::query_scalar(&sql)
        .bind(owner.id())
        .fetch_all(conn)
        .await?;
    rows.into_iter()
        .map(|Json(p)| {
            let (policy_type, form, summary) = match p.config {
                Ok(c) => (c.policy_type(), c.to_form(), c.summary()),
                Err(Unusable::Invalid(t, e)) => (
                    t,
                    t.default_form(),
                    format!("Invalid configuration: {}", e.message),
                ),
                Err(unknown) => return Err(unknown_type(&unknown)),
            };
            Ok(PolicyView {
                id: p.id,
                policy_type,
                form,
                summary,
            })
        })
        .collect()
}

pub async fn add(conn: &mut PgConnection, owner: Owner, config: &PolicyConfig) -> AppResult<i64> {
    let sql = format!(
        "INSERT INTO policies ({col}, policy_type, config, position)
         VALUES ($1, $2, $3, (SELECT coalesce(max(position), -1) + 1 FROM policies WHERE {col} = $1))
         RETURNING id",
        col = owner.column()
    );
    let (id,): (i64,) = sqlx::query_as(&sql)
        .bind(owner.id())
        .bind(config.policy_type())
        .bind(Json(config))
        .fetch_one(conn)
        .await?;
    Ok(id)
}

/// The stored configuration of one policy of this owner.
pub async fn get(
    conn: &mut PgConnection,
    owner: Owner,
    policy_id: i64,
) -> AppResult<(PolicyType, Option<PolicyConfig>)> {
    let sql = format!(
        "SELECT {POLICY_JSON} FROM policies WHERE id = $1 AND {} = $2",
        owner.column()
    );
    let row: Option<Json<StoredPolicy>> = sqlx::query_scalar(&sql)
        .bind(policy_id)
        .bind(owner.id())
        .fetch_optional(conn)
        .await?;
    let Json(p) =
        row.ok_or_else(|| AppError::not_found("That policy does not exist (any more)."))?;
    match p.config {
        Ok(c) => Ok((c.policy_type(), Some(c))),
        Err(Unusable::Invalid(t, _)) => Ok((t, None)),
        Err(unknown) => Err(unknown_type(&unknown)),
    }
}

pub async fn update(
    conn: &mut PgConnection,
    owner: Owner,
    policy_id: i64,
    config: &PolicyConfig,
) -> AppResult<()> {
    let sql = format!(
        "UPDATE policies SET config = $3 WHERE id = $1 AND {} = $2",
        owner.column()
    );
    let done = sqlx::query(&sql)
        .bind(policy_id)
        .bind(owner.id())
        .bind(Json(config))
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::not_found(
            "That policy does not exist (any more).",
        ));
    }
    Ok(())
}

pub async fn remove(conn: &mut PgConnection, owner: Owner, policy_id: i64) -> AppResult<()> {
    let sql = format!(
        "DELETE FROM policies WHERE id = $1 AND {} = $2",
        owner.column()
    );
    let done = sqlx::query(&sql)
        .bind(policy_id)
        .bind(owner.id())
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::not_found(
            "That policy does not exist (any more).",
        ));
    }
    Ok(())
}

/// Moves a policy one place earlier (`up`) or later in the chain.
pub async fn shift(
    conn: &mut PgConnection,
    owner: Owner,
    policy_id: i64,
    up: bool,
) -> AppResult<()> {
    let mut ids: Vec<i64> = list(conn, owner).await?.into_iter().map(|p| p.id).collect();
    let Some(i) = ids.iter().position(|id| *id == policy_id) else {
        return Err(AppError::not_found(
            "That policy does not exist (any more).",
        ));
    };
    let j = if up {
        i.checked_sub(1)
    } else {
        Some(i + 1).filter(|j| *j < ids.len())
    };
    let Some(j) = j else { return Ok(()) };
    ids.swap(i, j);
    for (position, id) in ids.iter().enumerate() {
        sqlx::query("UPDATE policies SET position = $2 WHERE id = $1")
            .bind(id)
            .bind(position as i32)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Copies a whole chain, keeping its order (used by New Version).
pub async fn copy(conn: &mut PgConnection, from: Owner, to: Owner) -> AppResult<()> {
    let sql = format!(
        "INSERT INTO policies ({to_col}, policy_type, config, position)
         SELECT $2, policy_type, config, position FROM policies WHERE {from_col} = $1",
        to_col = to.column(),
        from_col = from.column()
    );
    sqlx::query(&sql)
        .bind(from.id())
        .bind(to.id())
        .execute(conn)
        .await?;
    Ok(())
}

/// The Rate Limiting and Quota policies a contract runs, with where each is set ("client",
/// "plan", "API"), in chain order: for the limits a consumer sees on their usage pages.
pub async fn limits_of_contract(
    pool: &sqlx::PgPool,
    client_version_id: i64,
    api_version_id: i64,
) -> AppResult<Vec<(String, Json<StoredPolicy>)>> {
    let sql = format!(
        "SELECT level, policy FROM (
             SELECT 'client' AS level, 0 AS chain, position, id, {POLICY_JSON} AS policy, policy_type
             FROM policies WHERE client_version_id = $1
             UNION ALL
             SELECT 'plan', 1, p.position, p.id, {POLICY_JSON_P}, p.policy_type
             FROM policies p JOIN contracts c ON c.plan_version_id = p.plan_version_id
             WHERE c.client_version_id = $1 AND c.api_version_id = $2
             UNION ALL
             SELECT 'API', 2, position, id, {POLICY_JSON}, policy_type
             FROM policies WHERE api_version_id = $2
         ) chain
         WHERE policy_type = ANY($3)
         ORDER BY chain, position, id",
        POLICY_JSON_P = "jsonb_build_object('id', p.id, 'type', p.policy_type, 'config', p.config)",
    );
    Ok(sqlx::query_as(&sql)
        .bind(client_version_id)
        .bind(api_version_id)
        .bind([PolicyType::RateLimiting, PolicyType::Quota])
        .fetch_all(pool)
        .await?)
}
