//! The API reference made from a checked document's JSON: operations grouped by their first
//! tag, parameters (path-level ones merged in), bodies, responses, schemas with local `$ref`s
//! resolved, and examples (the document's, else made from the schema).
//!
//! Bounded whatever the document: schemas nest at most `MAX_SCHEMA_DEPTH` deep, a `$ref`
//! already being expanded (a cycle) is not expanded again, and the whole reference spends at
//! most `NODE_BUDGET` schema and example nodes (a component used everywhere, expanded inline at
//! each use, would otherwise multiply).

use std::collections::HashSet;

use serde_json::Value;

use self::example::first_example;
use super::parse::METHODS;
use super::{
    ApiReference, Body, MAX_SCHEMA_DEPTH, Media, Operation, ParamLocation, Parameter, Property,
    Response, Schema, TagGroup,
};

mod example;

/// Schema and example nodes one reference may hold.
pub const NODE_BUDGET: usize = 100_000;

struct Walk<'a> {
    root: &'a Value,
    budget: usize,
    /// `$ref`s being expanded, innermost last.
    stack: Vec<&'a str>,
}

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

pub fn reference(root: &Value) -> ApiReference {
    let mut walk = Walk {
        root,
        budget: NODE_BUDGET,
        stack: Vec::new(),
    };
    let info = root.get("info").unwrap_or(&Value::Null);
    let mut groups: Vec<TagGroup> = root
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|t| TagGroup {
            tag: text(t, "name"),
            description: text(t, "description"),
            operations: Vec::new(),
        })
        .collect();
    let mut anchors = HashSet::new();
    let paths = root.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        let item = walk.deref(item).0;
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let operation = walk.operation(method, path, item, op, &mut anchors);
            let tag = op
                .get("tags")
                .and_then(|t| t.get(0))
                .and_then(Value::as_str)
                .unwrap_or("default");
            match groups.iter_mut().find(|g| g.tag == tag) {
                Some(g) => g.operations.push(operation),
                None => groups.push(TagGroup {
                    tag: tag.to_string(),
                    description: String::new(),
                    operations: vec![operation],
                }),
            }
        }
    }
    groups.retain(|g| !g.operations.is_empty());
    ApiReference {
        title: text(info, "title"),
        version: text(info, "version"),
        openapi: text(root, "openapi"),
        description: text(info, "description"),
        groups,
    }
}

/// A fragment-safe id: the operationId's letters, digits, `-` and `_`, else method and path;
/// made unique with a number.
fn anchor(op: &Value, method: &str, path: &str, taken: &mut HashSet<String>) -> String {
    let wanted = match op.get("operationId").and_then(Value::as_str) {
        Some(id) if !id.is_empty() => id.to_string(),
        _ => format!("{method}{path}"),
    };
    let mut base: String = wanted
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    base = base.trim_matches('-').chars().take(80).collect();
    if base.is_empty() {
        base = "operation".into();
    }
    let mut candidate = base.clone();
    let mut n = 2;
    while !taken.insert(candidate.clone()) {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    candidate
}

impl<'a> Walk<'a> {
    /// What `v` refers to when it is a local `$ref` (and the component's name), else `v`.
    /// External and broken references stay as they are.
    fn deref(&self, v: &'a Value) -> (&'a Value, Option<&'a str>) {
        match v.get("$ref").and_then(Value::as_str) {
            Some(r) => match r.strip_prefix('#').and_then(|p| self.root.pointer(p)) {
                Some(target) => (target, r.rsplit('/').next()),
                None => (v, None),
            },
            None => (v, None),
        }
    }

    fn spend(&mut self) -> bool {
        if self.budget == 0 {
            return false;
        }
        self.budget -= 1;
        true
    }

    fn operation(
        &mut self,
        method: &str,
        path: &str,
        item: &'a Value,
        op: &'a Value,
        anchors: &mut HashSet<String>,
    ) -> Operation {
        let mut parameters: Vec<Parameter> = Vec::new();
        // Path-level parameters first; an operation's own one of the same name and place wins.
        for list in [item.get("parameters"), op.get("parameters")] {
            for p in list.and_then(Value::as_array).into_iter().flatten() {
                let Some(param) = self.parameter(p) else {
                    continue;
                };
                parameters.retain(|q| !(q.name == param.name && q.location == param.location));
                parameters.push(param);
            }
        }
        let request_body = op.get("requestBody").map(|b| {
            let b = self.deref(b).0;
            Body {
                required: b.get("required").and_then(Value::as_bool).unwrap_or(false),
                description: text(b, "description"),
                media: self.media(b.get("content")),
            }
        });
        let responses = op
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(status, r)| {
                let r = self.deref(r).0;
                Response {
                    status: status.clone(),
                    description: text(r, "description"),
                    media: self.media(r.get("content")),
                }
            })
            .collect();
        Operation {
            anchor: anchor(op, method, path, anchors),
            method: method.to_uppercase(),
            path: path.to_string(),
            summary: text(op, "summary"),
            description: text(op, "description"),
            deprecated: op
                .get("deprecated")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            parameters,
            request_body,
            responses,
        }
    }

    fn parameter(&mut self, p: &'a Value) -> Option<Parameter> {
        let p = self.deref(p).0;
        let location = match p.get("in").and_then(Value::as_str)? {
            "path" => ParamLocation::Path,
            "query" => ParamLocation::Query,
            "header" => ParamLocation::Header,
            "cookie" => ParamLocation::Cookie,
            _ => return None,
        };
        let schema = p.get("schema").map(|s| self.schema(s, 0));
        let example = p
            .get("example")
            .or_else(|| first_example(p.get("examples")))
            .map(scalar_text);
        Some(Parameter {
            name: text(p, "name"),
            location,
            required: location == ParamLocation::Path
                || p.get("required").and_then(Value::as_bool).unwrap_or(false),
            description: text(p, "description"),
            schema,
            example,
        })
    }

    fn media(&mut self, content: Option<&'a Value>) -> Vec<Media> {
        let Some(content) = content.and_then(Value::as_object) else {
            return Vec::new();
        };
        content
            .iter()
            .map(|(content_type, m)| {
                let schema = m.get("schema").map(|s| self.schema(s, 0));
                let example = match m
                    .get("example")
                    .or_else(|| first_example(m.get("examples")))
                {
                    Some(e) => Some(e.clone()),
                    None => m.get("schema").map(|s| self.example(s, 0)),
                };
                Media {
                    content_type: content_type.clone(),
                    schema,
                    example: example.and_then(|e| serde_json::to_string_pretty(&e).ok()),
                }
            })
            .collect()
    }

    fn schema(&mut self, v: &'a Value, depth: usize) -> Schema {
        // Every node is paid for, the ones cut short too: they cost a lookup each.
        if !self.spend() {
            return Schema {
                kind: "…".into(),
                truncated: true,
                ..Schema::default()
            };
        }
        let reference = v.get("$ref").and_then(Value::as_str);
        let (target, name) = self.deref(v);
        let name = name.map(str::to_string);
        let cycle = reference.is_some_and(|r| self.stack.contains(&r));
        if cycle || depth >= MAX_SCHEMA_DEPTH {
            return Schema {
                kind: name.clone().unwrap_or_else(|| kind(target)),
                name,
                truncated: true,
                ..Schema::default()
            };
        }
        if let Some(r) = reference {
            self.stack.push(r);
        }
        let required: Vec<&str> = target
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let mut properties = Vec::new();
        for (prop, s) in target
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if self.budget == 0 {
                break;
            }
            properties.push(Property {
                name: prop.clone(),
                required: required.contains(&prop.as_str()),
                schema: self.schema(s, depth + 1),
            });
        }
        let items = target
            .get("items")
            .map(|i| Box::new(self.schema(i, depth + 1)));
        let (combinator, variants) = match ["oneOf", "anyOf", "allOf"]
            .into_iter()
            .find_map(|c| target.get(c).and_then(Value::as_array).map(|l| (c, l)))
        {
            Some((c, list)) => (
                Some(c.to_string()),
                list.iter().map(|s| self.schema(s, depth + 1)).collect(),
            ),
            None => (None, Vec::new()),
        };
        if reference.is_some() {
            self.stack.pop();
        }
        Schema {
            kind: kind(target),
            name,
            description: text(target, "description"),
            enum_values: target
                .get("enum")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(scalar_text)
                .collect(),
            properties,
            items,
            variants,
            combinator,
            truncated: false,
        }
    }
}

/// A string as itself, anything else as JSON.
fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The schema's type: 3.0's `type` (with `nullable`) or 3.1's `type` array.
fn first_type(s: &Value) -> Option<&str> {
    match s.get("type") {
        Some(Value::String(t)) => Some(t),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ if s.get("properties").is_some() => Some("object"),
        _ => None,
    }
}

/// "string (date-time)", "array of Pet", "integer | null", "object"...
fn kind(s: &Value) -> String {
    let nullable = s.get("nullable").and_then(Value::as_bool).unwrap_or(false)
        || s.get("type")
            .and_then(Value::as_array)
            .is_some_and(|ts| ts.iter().any(|t| t == "null"));
    let base = match first_type(s) {
        Some("array") => match s.get("items") {
            Some(i) => format!(
                "array of {}",
                i.get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.rsplit('/').next())
                    .map_or_else(|| kind(i), str::to_string)
            ),
            None => "array".into(),
        },
        Some(t) => match s.get("format").and_then(Value::as_str) {
            Some(f) => format!("{t} ({f})"),
            None => t.to_string(),
        },
        None => ["oneOf", "anyOf", "allOf"]
            .into_iter()
            .find(|c| s.get(*c).is_some())
            .unwrap_or("any")
            .to_string(),
    };
    if nullable {
        format!("{base} | null")
    } else {
        base
    }
}

#[cfg(test)]
#[path = "build_tests.rs"]
mod tests;
