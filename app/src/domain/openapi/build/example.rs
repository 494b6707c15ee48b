//! Examples for the reference: the document's own (`example`, `examples`), else one made from
//! the schema (its default or first enum value, else from its type and properties), spending the
//! same node budget as the schemas.

use serde_json::{Map, Value};

use super::{MAX_SCHEMA_DEPTH, Walk, first_type};

impl<'a> Walk<'a> {
    /// An example value for the schema: its own example, default or first enum value, else one
    /// made from its type and properties.
    pub(super) fn example(&mut self, v: &'a Value, depth: usize) -> Value {
        if !self.spend() {
            return Value::Null;
        }
        let reference = v.get("$ref").and_then(Value::as_str);
        let target = self.deref(v).0;
        let cycle = reference.is_some_and(|r| self.stack.contains(&r));
        if cycle || depth >= MAX_SCHEMA_DEPTH {
            return Value::Null;
        }
        if let Some(e) = target
            .get("example")
            .or_else(|| target.get("examples").and_then(|e| e.get(0)))
            .or_else(|| target.get("default"))
            .or_else(|| target.get("enum").and_then(|e| e.get(0)))
        {
            return e.clone();
        }
        if let Some(r) = reference {
            self.stack.push(r);
        }
        let made = match (first_type(target), target.get("properties")) {
            (_, Some(Value::Object(props))) => {
                let mut out = Map::new();
                for (name, s) in props {
                    if self.budget == 0 {
                        break;
                    }
                    let value = self.example(s, depth + 1);
                    out.insert(name.clone(), value);
                }
                Value::Object(out)
            }
            (Some("array"), _) => match target.get("items") {
                Some(i) => Value::Array(vec![self.example(i, depth + 1)]),
                None => Value::Array(Vec::new()),
            },
            (Some("object"), _) => Value::Object(Map::new()),
            (Some("string"), _) => Value::String(string_example(target)),
            (Some("integer"), _) => Value::from(0),
            (Some("number"), _) => Value::from(0.0),
            (Some("boolean"), _) => Value::Bool(true),
            _ => match ["oneOf", "anyOf", "allOf"]
                .iter()
                .find_map(|c| target.get(*c).and_then(|l| l.get(0)))
            {
                Some(first) => self.example(first, depth + 1),
                None => Value::Null,
            },
        };
        if reference.is_some() {
            self.stack.pop();
        }
        made
    }
}

/// The value of the first of an `examples` map.
pub(super) fn first_example(examples: Option<&Value>) -> Option<&Value> {
    examples
        .and_then(Value::as_object)
        .and_then(|m| m.values().next())
        .and_then(|e| e.get("value"))
}

fn string_example(s: &Value) -> String {
    match s.get("format").and_then(Value::as_str) {
        Some("date-time") => "2026-01-01T00:00:00Z".into(),
        Some("date") => "2026-01-01".into(),
        Some("email") => "user@example.com".into(),
        Some("uuid") => "00000000-0000-4000-8000-000000000000".into(),
        Some("uri") | Some("url") => "https://example.com".into(),
        _ => "string".into(),
    }
}
