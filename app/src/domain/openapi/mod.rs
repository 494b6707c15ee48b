//! OpenAPI definitions of API versions, and the API reference the portal renders from them.
//!
//! The document is checked on the server (`parse`): YAML or JSON, at most `MAX_DOCUMENT_BYTES`,
//! valid OpenAPI 3.0 (the `openapiv3` crate) or 3.1 (`oas3`), errors naming where they are.
//! The reference (`build`) is then made from the document's JSON in one walk, for both
//! versions alike: their operations, parameters, bodies and schemas have the same shape, and
//! one walk is less code than two typed models that differ in details (`nullable` versus type
//! arrays). The types below are what the browser receives: it never parses OpenAPI itself.

#[cfg(feature = "ssr")]
pub mod build;
#[cfg(feature = "ssr")]
pub mod parse;

use serde::{Deserialize, Serialize};

/// The largest document accepted (1 MiB): large public APIs' definitions (GitHub's is ~10 MB)
/// are rare for a gateway's APIs, and parsing one must stay a few milliseconds.
pub const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;
/// Schemas nest this deep in the reference; deeper levels (and cycles) show as "…".
pub const MAX_SCHEMA_DEPTH: usize = 8;
/// Operations shown at most.
pub const MAX_OPERATIONS: usize = 2000;

/// Where the portal offers the document for download (`api::definitions::download`).
pub fn download_url(v: &crate::domain::refs::VersionRef) -> String {
    let q = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!(
        "/api/openapi?org={}&api={}&version={}",
        q(&v.org),
        q(&v.id),
        q(&v.version)
    )
}

/// How the document was written; a download keeps it.
#[cfg_attr(feature = "ssr", derive(sqlx::Encode, sqlx::Decode))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DocFormat {
    Json,
    Yaml,
}

impl DocFormat {
    pub fn extension(self) -> &'static str {
        match self {
            DocFormat::Json => "json",
            DocFormat::Yaml => "yaml",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            DocFormat::Json => "application/json",
            DocFormat::Yaml => "application/yaml",
        }
    }
}

/// What the console shows of an API version's definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Definition {
    pub text: String,
    pub format: DocFormat,
    /// "3.0.3", "3.1.0"...
    pub openapi: String,
    pub title: String,
    pub operations: usize,
}

/// The API reference of one API version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiReference {
    pub title: String,
    pub version: String,
    pub openapi: String,
    /// Markdown in the document; sanitised HTML once the server has rendered it for the
    /// portal (likewise the descriptions of tags, operations, parameters, bodies, responses).
    pub description: String,
    pub groups: Vec<TagGroup>,
}

impl ApiReference {
    pub fn operations(&self) -> impl Iterator<Item = &Operation> {
        self.groups.iter().flat_map(|g| g.operations.iter())
    }
}

/// The operations of one tag (the first tag of each operation; "default" for those without).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TagGroup {
    pub tag: String,
    pub description: String,
    pub operations: Vec<Operation>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    /// Unique in the reference, safe in a URL fragment: the deep link's `#…`.
    pub anchor: String,
    /// Upper case: GET, POST...
    pub method: String,
    pub path: String,
    pub summary: String,
    /// Markdown.
    pub description: String,
    pub deprecated: bool,
    pub parameters: Vec<Parameter>,
    pub request_body: Option<Body>,
    pub responses: Vec<Response>,
}

impl Operation {
    /// Whether the filter text (already lower case) finds this operation.
    pub fn matches(&self, filter: &str) -> bool {
        filter.is_empty()
            || [&self.method, &self.path, &self.summary, &self.description]
                .iter()
                .any(|f| f.to_lowercase().contains(filter))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ParamLocation {
    Path,
    Query,
    Header,
    Cookie,
}

impl ParamLocation {
    pub fn label(self) -> &'static str {
        match self {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
            ParamLocation::Cookie => "cookie",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parameter {
    pub name: String,
    pub location: ParamLocation,
    pub required: bool,
    pub description: String,
    pub schema: Option<Schema>,
    /// JSON text of its example, when the document gives one.
    pub example: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Body {
    pub required: bool,
    pub description: String,
    pub media: Vec<Media>,
}

/// One content type of a body or response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Media {
    pub content_type: String,
    pub schema: Option<Schema>,
    /// Pretty JSON of the document's example, or of one made from the schema.
    pub example: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    /// "200", "4XX", "default".
    pub status: String,
    pub description: String,
    pub media: Vec<Media>,
}

/// A schema as the reference shows it: a one-line type and what it nests.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Schema {
    /// "object", "array of Pet", "string (date-time)", "integer | null"...
    pub kind: String,
    /// The component it came from (`#/components/schemas/Pet` is "Pet").
    pub name: Option<String>,
    pub description: String,
    pub enum_values: Vec<String>,
    pub properties: Vec<Property>,
    pub items: Option<Box<Schema>>,
    /// oneOf / anyOf / allOf alternatives, with which of the three.
    pub variants: Vec<Schema>,
    pub combinator: Option<String>,
    /// Nesting stopped here (depth limit or a cycle).
    pub truncated: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Property {
    pub name: String,
    pub required: bool,
    pub schema: Schema,
}
