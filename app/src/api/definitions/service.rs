//! The definition use cases: check the document with `domain::openapi::parse`, store it in one
//! transaction with its audit entry, and make the portal's reference from it.

use crate::api::apis::service::{lock_for_change, subject};
use crate::domain::lifecycle::ApiChange;
use crate::domain::markdown::render_markdown;
use crate::domain::openapi::parse::{self, Parsed};
use crate::domain::openapi::{ApiReference, Definition, build};
use crate::domain::refs::VersionRef;
use crate::error::{AppError, AppResult};
use crate::store::{PgPool, definitions};

/// What the console shows of a document: read from the parsed JSON, without building the
/// reference.
fn summary(text: String, parsed: &Parsed) -> Definition {
    let title = parsed
        .root
        .pointer("/info/title")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    Definition {
        format: parsed.format,
        openapi: parsed.openapi.clone(),
        title: title.to_string(),
        operations: parsed.operations,
        text,
    }
}

/// A stored document, checked again on the way out (it passed when stored).
fn reparse(text: &str) -> AppResult<Parsed> {
    parse::parse(text).map_err(|e| AppError::internal("a stored OpenAPI document", e.message))
}

pub async fn definition(pool: &PgPool, v: &VersionRef) -> AppResult<Option<Definition>> {
    let Some((text, _)) = definitions::of(pool, v).await? else {
        return Ok(None);
    };
    let parsed = reparse(&text)?;
    Ok(Some(summary(text, &parsed)))
}

pub async fn set(
    pool: &PgPool,
    actor: &str,
    v: &VersionRef,
    text: Option<&str>,
) -> AppResult<Option<Definition>> {
    // Checked before the transaction: a bad document never takes a lock.
    let parsed = text.map(parse::parse).transpose()?;
    let mut tx = pool.begin().await?;
    let (id, _) = lock_for_change(&mut tx, v, ApiChange::Definition).await?;
    let stored = text.zip(parsed.as_ref().map(|p| p.format));
    definitions::set(&mut tx, id, stored).await?;
    let data = match &parsed {
        Some(p) => serde_json::json!({"version": v.version, "openapi": p.openapi,
            "bytes": text.map_or(0, str::len)}),
        None => serde_json::json!({"version": v.version, "removed": true}),
    };
    subject(actor, v)
        .record(&mut tx, "definition_updated", data)
        .await?;
    tx.commit().await?;
    Ok(text.zip(parsed).map(|(t, p)| summary(t.to_string(), &p)))
}

/// The portal's reference of `v`; not found unless the portal lists that version.
pub async fn reference(pool: &PgPool, v: &VersionRef) -> AppResult<Option<ApiReference>> {
    let doc = definitions::in_portal(pool, v)
        .await?
        .ok_or_else(|| AppError::not_found(format!("{v} is not published in the portal.")))?;
    let Some((text, _)) = doc else {
        return Ok(None);
    };
    let mut reference = build::reference(&reparse(&text)?.root);
    rendered(&mut reference);
    Ok(Some(reference))
}

/// The reference's Markdown (of the API, tags, operations, parameters, bodies and responses)
/// as sanitised HTML, as the portal shows documentation: the browser never parses Markdown.
/// Schema descriptions stay text.
fn rendered(r: &mut ApiReference) {
    let html = |s: &mut String| *s = render_markdown(s);
    html(&mut r.description);
    for g in &mut r.groups {
        html(&mut g.description);
        for op in &mut g.operations {
            html(&mut op.description);
            op.parameters
                .iter_mut()
                .for_each(|p| html(&mut p.description));
            if let Some(b) = &mut op.request_body {
                html(&mut b.description);
            }
            op.responses
                .iter_mut()
                .for_each(|r| html(&mut r.description));
        }
    }
}

/// The document of `v` as the portal offers it for download: its `servers` replaced by the
/// managed endpoint `endpoint`; with its format.
pub async fn download(
    pool: &PgPool,
    v: &VersionRef,
    endpoint: &str,
) -> AppResult<(String, crate::domain::openapi::DocFormat)> {
    let (text, format) = definitions::in_portal(pool, v)
        .await?
        .flatten()
        .ok_or_else(|| {
            AppError::not_found(format!("{v} has no OpenAPI definition in the portal."))
        })?;
    let out = parse::with_server(&reparse(&text)?, endpoint)
        .map_err(|e| AppError::internal("writing an OpenAPI document", e))?;
    Ok((out, format))
}
