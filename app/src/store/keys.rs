//! The API keys of client versions: the SQL only. The rules (grace, caps, states) are in
//! `domain::keys`; the use cases in `api::keys::service`.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use crate::auth::api_key::mask;
use crate::domain::keys::{ClientKey, ENDED_KEYS_KEPT, KeyLife, KeyState};
use crate::error::AppResult;

/// The newest Active key of client version row `v.id`, as a column (NULL when it has none):
/// the key the screens that show one key show.
pub(crate) const CURRENT_KEY_OF_V: &str = "(SELECT k.api_key FROM client_keys k
     WHERE k.client_version_id = v.id AND k.revoked_at IS NULL AND k.expires_at IS NULL
     ORDER BY k.id DESC LIMIT 1)";

#[derive(sqlx::FromRow)]
struct KeyRow {
    id: i64,
    api_key: String,
    created_at: DateTime<Utc>,
    created_by: String,
    expires_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    revoked_by: Option<String>,
    last_used_at: Option<DateTime<Utc>>,
}

impl KeyRow {
    fn life(&self) -> KeyLife {
        KeyLife {
            expires_at: self.expires_at.map(|t| t.timestamp()),
            revoked: self.revoked_at.is_some(),
        }
    }

    fn state(&self, now: DateTime<Utc>) -> KeyState {
        self.life().state(now.timestamp())
    }

    /// The key as listed: whole only while in use and only when `show_keys`.
    fn view(self, now: DateTime<Utc>, show_keys: bool) -> ClientKey {
        let state = self.state(now);
        ClientKey {
            id: self.id,
            hint: mask(&self.api_key),
            key: (show_keys && state.in_use()).then_some(self.api_key),
            state,
            created_at: self.created_at,
            created_by: self.created_by,
            expires_at: self.expires_at,
            revoked_at: self.revoked_at,
            revoked_by: self.revoked_by,
            last_used_at: self.last_used_at,
        }
    }
}

const COLUMNS: &str = "SELECT id, api_key, created_at, created_by, expires_at, revoked_at,
     revoked_by, last_used_at FROM client_keys";

/// Adds key `api_key` to client version `version_id`; returns the key's row id.
pub async fn insert(
    conn: &mut PgConnection,
    version_id: i64,
    api_key: &str,
    actor: &str,
) -> AppResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO client_keys (client_version_id, api_key, created_by) VALUES ($1, $2, $3)
         RETURNING id",
    )
    .bind(version_id)
    .bind(api_key)
    .bind(actor)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// The keys of client version `version_id`, newest first.
pub async fn list(pool: &PgPool, version_id: i64, show_keys: bool) -> AppResult<Vec<ClientKey>> {
    let sql = format!("{COLUMNS} WHERE client_version_id = $1 ORDER BY id DESC");
    let rows: Vec<KeyRow> = sqlx::query_as(&sql)
        .bind(version_id)
        .fetch_all(pool)
        .await?;
    let now = Utc::now();
    Ok(rows.into_iter().map(|r| r.view(now, show_keys)).collect())
}

/// The newest Active key of the client version, if it has one.
pub async fn current(conn: &mut PgConnection, version_id: i64) -> AppResult<Option<String>> {
    let sql = format!("SELECT {CURRENT_KEY_OF_V} FROM client_versions v WHERE v.id = $1");
    let (key,): (Option<String>,) = sqlx::query_as(&sql)
        .bind(version_id)
        .fetch_one(conn)
        .await?;
    Ok(key)
}

/// The keys in use (Active or Expiring) of the client version, shortened, oldest first.
pub async fn in_use(conn: &mut PgConnection, version_id: i64) -> AppResult<Vec<String>> {
    let keys: Vec<(String,)> = sqlx::query_as(
        "SELECT api_key FROM client_keys
         WHERE client_version_id = $1 AND revoked_at IS NULL
           AND (expires_at IS NULL OR expires_at > now())
         ORDER BY id",
    )
    .bind(version_id)
    .fetch_all(conn)
    .await?;
    Ok(keys.into_iter().map(|(k,)| mask(&k)).collect())
}

/// Gives every key in use of the client version the end `end`, unless it ends sooner already
/// (an earlier rotation's grace is not lengthened).
pub async fn end_keys_in_use(
    conn: &mut PgConnection,
    version_id: i64,
    end: DateTime<Utc>,
) -> AppResult<()> {
    sqlx::query(
        "UPDATE client_keys SET expires_at = LEAST(coalesce(expires_at, 'infinity'), $2)
         WHERE client_version_id = $1 AND revoked_at IS NULL
           AND (expires_at IS NULL OR expires_at > now())",
    )
    .bind(version_id)
    .bind(end)
    .execute(conn)
    .await?;
    Ok(())
}

/// Key `key_id` of client version `version_id`, locked, with its state; none if the version
/// has no such key.
pub async fn lock(
    conn: &mut PgConnection,
    version_id: i64,
    key_id: i64,
) -> AppResult<Option<(String, KeyState)>> {
    let sql = format!("{COLUMNS} WHERE client_version_id = $1 AND id = $2 FOR UPDATE");
    let row: Option<KeyRow> = sqlx::query_as(&sql)
        .bind(version_id)
        .bind(key_id)
        .fetch_optional(conn)
        .await?;
    let now = Utc::now();
    Ok(row.map(|r| (mask(&r.api_key), r.state(now))))
}

pub async fn revoke(conn: &mut PgConnection, key_id: i64, actor: &str) -> AppResult<()> {
    sqlx::query("UPDATE client_keys SET revoked_at = now(), revoked_by = $2 WHERE id = $1")
        .bind(key_id)
        .bind(actor)
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets the client version's ended keys beyond the newest `ENDED_KEYS_KEPT`.
pub async fn prune(conn: &mut PgConnection, version_id: i64) -> AppResult<()> {
    sqlx::query(
        "DELETE FROM client_keys WHERE id IN (
             SELECT id FROM client_keys
             WHERE client_version_id = $1
               AND (revoked_at IS NOT NULL OR expires_at <= now())
             ORDER BY id DESC OFFSET $2)",
    )
    .bind(version_id)
    .bind(ENDED_KEYS_KEPT as i64)
    .execute(conn)
    .await?;
    Ok(())
}

/// Replaces every key of the client version with `api_key` (Regenerate, before registration).
pub async fn replace_all(
    conn: &mut PgConnection,
    version_id: i64,
    api_key: &str,
    actor: &str,
) -> AppResult<()> {
    sqlx::query("DELETE FROM client_keys WHERE client_version_id = $1")
        .bind(version_id)
        .execute(&mut *conn)
        .await?;
    insert(conn, version_id, api_key, actor).await?;
    Ok(())
}

/// Notes that keys `ids` were used just now (gateways call it about once a minute with the
/// keys their requests used since).
pub async fn touch(pool: &PgPool, ids: &[i64]) -> AppResult<()> {
    sqlx::query("UPDATE client_keys SET last_used_at = now() WHERE id = ANY($1)")
        .bind(ids)
        .execute(pool)
        .await?;
    Ok(())
}
