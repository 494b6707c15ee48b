//! Reading an uploaded or pasted OpenAPI document: size, syntax (JSON or YAML), version, and
//! validity against the OpenAPI 3.0 or 3.1 model, each failure a message that says where.

use serde_json::Value;

use super::{DocFormat, MAX_DOCUMENT_BYTES, MAX_OPERATIONS};
use crate::domain::FieldError;

/// The form field the messages belong to.
pub const FIELD: &str = "definition";

/// A document that passed every check.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub format: DocFormat,
    pub openapi: String,
    /// Operations in `paths` (at most `MAX_OPERATIONS`).
    pub operations: usize,
    pub root: Value,
}

fn refuse(message: impl Into<String>) -> FieldError {
    FieldError::new(FIELD, message)
}

/// The methods an OpenAPI path item may hold, in the order the reference lists them.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

pub fn parse(text: &str) -> Result<Parsed, FieldError> {
    if text.len() > MAX_DOCUMENT_BYTES {
        return Err(refuse(format!(
            "The document is {} bytes: at most {MAX_DOCUMENT_BYTES} (1 MiB) are accepted.",
            text.len()
        )));
    }
    if text.trim().is_empty() {
        return Err(refuse("Paste or upload an OpenAPI 3.0 or 3.1 document."));
    }
    let (format, root) = syntax(text)?;
    let Some(object) = root.as_object() else {
        return Err(refuse(
            "The document must be an object with `openapi`, `info` and `paths`.",
        ));
    };
    if object.contains_key("swagger") {
        return Err(refuse(
            "Swagger 2.0 documents are not accepted: convert it to OpenAPI 3 first.",
        ));
    }
    let openapi = match object.get("openapi") {
        Some(Value::String(v)) => v.clone(),
        Some(_) => {
            return Err(refuse(
                "`openapi` must be a version string such as \"3.1.0\".",
            ));
        }
        None => {
            return Err(refuse(
                "The document has no `openapi` field: only OpenAPI 3.0 and 3.1 documents are accepted.",
            ));
        }
    };
    let checked = if openapi.starts_with("3.0.") {
        model::<openapiv3::OpenAPI>(&root)
    } else if openapi.starts_with("3.1.") {
        model::<oas3::Spec>(&root)
    } else {
        return Err(refuse(format!(
            "OpenAPI {openapi} is not supported: 3.0.x and 3.1.x are."
        )));
    };
    checked.map_err(|(at, e)| refuse(format!("Not valid OpenAPI {openapi}: at {at}: {e}")))?;
    let operations = count_operations(&root);
    if operations > MAX_OPERATIONS {
        return Err(refuse(format!(
            "The document has {operations} operations: at most {MAX_OPERATIONS} are accepted."
        )));
    }
    Ok(Parsed {
        format,
        openapi,
        operations,
        root,
    })
}

/// JSON when it looks like JSON, else YAML (a superset of JSON, but with worse messages for it).
fn syntax(text: &str) -> Result<(DocFormat, Value), FieldError> {
    if text.trim_start().starts_with('{') {
        return serde_json::from_str(text)
            .map(|v| (DocFormat::Json, v))
            .map_err(|e| {
                refuse(format!(
                    "JSON syntax error at line {}, column {}: {e}",
                    e.line(),
                    e.column()
                ))
            });
    }
    serde_yaml_ng::from_str(text)
        .map(|v| (DocFormat::Yaml, v))
        .map_err(|e| match e.location() {
            Some(at) => refuse(format!(
                "YAML syntax error at line {}, column {}: {e}",
                at.line(),
                at.column()
            )),
            None => refuse(format!("The YAML cannot be read: {e}")),
        })
}

/// Deserialises the document into a crate's model of its OpenAPI version; the path of the
/// first failure ("paths./pets.get.responses") and its reason otherwise.
fn model<T: serde::de::DeserializeOwned>(root: &Value) -> Result<(), (String, String)> {
    serde_path_to_error::deserialize::<_, T>(root)
        .map(|_| ())
        .map_err(|e| {
            let path = e.path().to_string();
            let at = if path == "." {
                "the top level".into()
            } else {
                path
            };
            (at, e.into_inner().to_string())
        })
}

fn count_operations(root: &Value) -> usize {
    root.get("paths")
        .and_then(Value::as_object)
        .map_or(0, |paths| {
            paths
                .values()
                .filter_map(Value::as_object)
                .map(|item| METHODS.iter().filter(|m| item.contains_key(**m)).count())
                .sum()
        })
}

/// The document with its `servers` replaced by the managed endpoint, in its own format: what
/// the portal offers for download, so that tools call the gateway, never the upstream.
pub fn with_server(parsed: &Parsed, endpoint: &str) -> Result<String, String> {
    let mut root = parsed.root.clone();
    if let Some(object) = root.as_object_mut() {
        object.insert(
            "servers".into(),
            serde_json::json!([{ "url": endpoint, "description": "Gatehouse gateway" }]),
        );
    }
    match parsed.format {
        DocFormat::Json => serde_json::to_string_pretty(&root).map_err(|e| e.to_string()),
        DocFormat::Yaml => serde_yaml_ng::to_string(&root).map_err(|e| e.to_string()),
    }
}

#[cfg(test)]
#[path = "parse_tests.rs"]
pub(crate) mod tests;
