//! API versions' OpenAPI definitions: the SQL only (checked by `domain::openapi::parse` in the
//! use cases of `api::definitions` before they are stored).

use sqlx::{PgConnection, PgPool};

use crate::domain::lifecycle::ApiStatus;
use crate::domain::openapi::DocFormat;
use crate::domain::refs::VersionRef;
use crate::error::AppResult;

/// Stores the document of API version row `id`, or removes it (`None`).
pub async fn set(
    conn: &mut PgConnection,
    id: i64,
    doc: Option<(&str, DocFormat)>,
) -> AppResult<()> {
    sqlx::query("UPDATE api_versions SET openapi_doc = $2, openapi_format = $3 WHERE id = $1")
        .bind(id)
        .bind(doc.map(|(text, _)| text))
        .bind(doc.map(|(_, format)| format))
        .execute(conn)
        .await?;
    Ok(())
}

/// The document of API version `v`, if it exists and has one.
pub async fn of(pool: &PgPool, v: &VersionRef) -> AppResult<Option<(String, DocFormat)>> {
    let row: Option<(Option<String>, Option<DocFormat>)> = sqlx::query_as(
        "SELECT openapi_doc, openapi_format FROM api_versions
         WHERE org_id = $1 AND api_id = $2 AND version = $3",
    )
    .bind(&v.org)
    .bind(&v.id)
    .bind(&v.version)
    .fetch_optional(pool)
    .await?;
    Ok(row.and_then(|(doc, format)| doc.zip(format)))
}

/// The API version `$1/$2/$3` (`$3` empty: the newest) as `v`, among the published versions the
/// portal lists (public, or offering plans); `$4` binds `ApiStatus::Published`.
pub(crate) const LISTED_IN_PORTAL: &str = "FROM api_versions v
     WHERE v.org_id = $1 AND v.api_id = $2 AND ($3 = '' OR v.version = $3) AND v.status = $4
       AND (v.public OR EXISTS (SELECT 1 FROM api_plans p WHERE p.api_version_id = v.id))
     ORDER BY v.created_at DESC, v.id DESC LIMIT 1";

/// The document of API version `v` as the portal shows it: only of a published version that
/// the portal lists (public, or offering plans); an empty version is the newest such. The
/// outer `None`: no such version there.
pub async fn in_portal(
    pool: &PgPool,
    v: &VersionRef,
) -> AppResult<Option<Option<(String, DocFormat)>>> {
    let sql = format!("SELECT v.openapi_doc, v.openapi_format {LISTED_IN_PORTAL}");
    let row: Option<(Option<String>, Option<DocFormat>)> = sqlx::query_as(&sql)
        .bind(&v.org)
        .bind(&v.id)
        .bind(&v.version)
        .bind(ApiStatus::Published)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|(doc, format)| doc.zip(format)))
}
