//! Helpers shared by the policy types: reading form values, header names, regular expressions
//! and locating the form field behind a JSON decoding error.

use regex_lite::Regex;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use super::{FieldKind, FieldSpec, FormValues};
use crate::domain::FieldError;

/// The HTTP methods policies accept, in the order messages list them.
pub(crate) const HTTP_METHODS: [&str; 7] =
    ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// The trimmed text of a field; a missing field reads as empty.
pub(crate) fn text<'a>(form: &'a FormValues, name: &str) -> &'a str {
    form.get(name).map_or("", |v| v.trim())
}

/// An optional text field: empty means `None`.
pub(crate) fn optional(form: &FormValues, name: &str) -> Option<String> {
    Some(text(form, name).to_string()).filter(|v| !v.is_empty())
}

pub(crate) fn checkbox(form: &FormValues, name: &str) -> bool {
    matches!(
        text(form, name).to_ascii_lowercase().as_str(),
        "true" | "on" | "1" | "yes"
    )
}

pub(crate) fn bool_text(value: bool) -> String {
    value.to_string()
}

/// The non-empty, trimmed lines of a textarea, each with its 1-based line number.
pub(crate) fn lines<'a>(form: &'a FormValues, name: &str) -> Vec<(usize, &'a str)> {
    form.get(name)
        .map(|v| {
            v.lines()
                .enumerate()
                .map(|(i, line)| (i + 1, line.trim()))
                .filter(|(_, line)| !line.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// A list typed as words separated by commas and/or spaces: "GET, POST".
pub(crate) fn words(form: &FormValues, name: &str) -> Vec<String> {
    text(form, name)
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// The options of a select field built from an enum's values and labels.
pub(crate) fn select<T: Copy>(
    all: &[T],
    value: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> FieldKind {
    FieldKind::Select(all.iter().map(|&t| (value(t), label(t))).collect())
}

/// The chosen option of a select field; empty or missing means `default`.
pub(crate) fn choice<T: Copy>(
    form: &FormValues,
    name: &str,
    all: &[T],
    value: fn(T) -> &'static str,
    default: T,
) -> Result<T, FieldError> {
    let typed = text(form, name);
    if typed.is_empty() {
        return Ok(default);
    }
    all.iter()
        .copied()
        .find(|&t| value(t).eq_ignore_ascii_case(typed))
        .ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|&t| value(t)).collect();
            FieldError::new(name, format!("Choose one of {}.", names.join(", ")))
        })
}

/// RFC 7230 token characters, the only ones allowed in a header name.
pub(crate) fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
}

pub(crate) fn check_header_name(field: &str, name: &str) -> Result<(), FieldError> {
    if is_header_name(name) {
        Ok(())
    } else if name.is_empty() {
        Err(FieldError::new(
            field,
            "Enter a header name, like X-Forwarded-For.",
        ))
    } else {
        Err(FieldError::new(
            field,
            format!(
                "\"{name}\" is not a header name: use letters, digits and dashes, like X-Forwarded-For."
            ),
        ))
    }
}

pub(crate) fn is_method(method: &str) -> bool {
    HTTP_METHODS.iter().any(|m| m.eq_ignore_ascii_case(method))
}

/// "Use GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS."
pub(crate) fn methods_hint() -> String {
    let (last, rest) = HTTP_METHODS
        .split_last()
        .map_or((&"", &[][..]), |(l, r)| (l, r));
    format!("{} or {last}", rest.join(", "))
}

/// Compiles `pattern` so that it must match the whole text. The pattern is first compiled on
/// its own so that one like `a)|(b` cannot escape the anchoring group.
pub(crate) fn anchored(pattern: &str) -> Result<Regex, regex_lite::Error> {
    Regex::new(pattern)?;
    Regex::new(&format!("^(?:{pattern})$"))
}

/// Like [`anchored`], ignoring ASCII case (for header names).
pub(crate) fn anchored_ignore_case(pattern: &str) -> Result<Regex, regex_lite::Error> {
    Regex::new(pattern)?;
    Regex::new(&format!("(?i)^(?:{pattern})$"))
}

/// Checks a regular expression written on line `line` of `field`.
pub(crate) fn check_regex(field: &str, line: usize, pattern: &str) -> Result<(), FieldError> {
    anchored(pattern).map(|_| ()).map_err(|e| {
        FieldError::new(
            field,
            format!("Line {line}: \"{pattern}\" is not a valid regular expression ({e})."),
        )
    })
}

/// Serde helper for optional strings that apiman sometimes stores as "": blank means `None`.
pub(crate) fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value: Option<String> = Option::deserialize(d)?;
    Ok(value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty()))
}

/// Decodes a stored configuration. Every config type defaults missing keys (validation then
/// explains what is missing), so a decoding error comes from a key with a value of the wrong
/// type; the error names the form field behind that key: its snake_case form, or an alias.
pub(crate) fn parse_json<T: DeserializeOwned>(
    json: &str,
    fields: &[FieldSpec],
    aliases: &[(&str, &'static str)],
) -> Result<T, FieldError> {
    let first = fields.first().map_or("", |f| f.name);
    let value: Value = serde_json::from_str(json).map_err(|e| {
        FieldError::new(
            first,
            format!("The stored settings are not valid JSON ({e}); enter them again."),
        )
    })?;
    let Value::Object(map) = value else {
        return Err(FieldError::new(
            first,
            "The stored settings are not a JSON object; enter them again.",
        ));
    };
    serde_json::from_value::<T>(Value::Object(map.clone())).map_err(|err| {
        // Remove keys one by one: the key whose removal makes decoding succeed is a culprit.
        let mut rest = map.clone();
        for (key, value) in &map {
            rest.remove(key);
            if serde_json::from_value::<T>(Value::Object(rest.clone())).is_ok() {
                let alone: Map<String, Value> =
                    [(key.clone(), value.clone())].into_iter().collect();
                let detail = serde_json::from_value::<T>(Value::Object(alone))
                    .err()
                    .unwrap_or(err);
                let field = field_for_key(key, fields, aliases).unwrap_or(first);
                let label = fields
                    .iter()
                    .find(|f| f.name == field)
                    .map_or(field, |f| f.label);
                return FieldError::new(
                    field,
                    format!("{label}: the stored value is not valid ({detail}); enter it again."),
                );
            }
        }
        FieldError::new(
            first,
            format!("The stored settings could not be read ({err}); enter them again."),
        )
    })
}

fn field_for_key(
    key: &str,
    fields: &[FieldSpec],
    aliases: &[(&str, &'static str)],
) -> Option<&'static str> {
    if let Some((_, field)) = aliases.iter().find(|(k, _)| *k == key) {
        return Some(field);
    }
    let mut snake = String::new();
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            snake.push('_');
        }
        snake.push(c.to_ascii_lowercase());
    }
    fields.iter().find(|f| f.name == snake).map(|f| f.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names() {
        for ok in ["X-API-Key", "x_forwarded_for", "Authorization"] {
            assert!(is_header_name(ok), "{ok}");
        }
        for bad in ["", "X API", "X:Key", "Bad\u{e9}"] {
            assert!(!is_header_name(bad), "{bad}");
        }
    }

    #[test]
    fn anchoring_cannot_be_escaped() {
        assert!(anchored("/admin/.*").unwrap().is_match("/admin/users"));
        assert!(!anchored("/admin").unwrap().is_match("/admin/users"));
        assert!(anchored("a)|(b").is_err());
        assert!(
            anchored_ignore_case("x-internal-.*")
                .unwrap()
                .is_match("X-Internal-Id")
        );
    }

    #[test]
    fn form_reading() {
        let form: FormValues = [
            ("a".to_string(), " x \n\n y ".to_string()),
            ("m".to_string(), "GET,POST  PUT".to_string()),
            ("c".to_string(), "true".to_string()),
        ]
        .into();
        assert_eq!(lines(&form, "a"), vec![(1, "x"), (3, "y")]);
        assert_eq!(words(&form, "m"), ["GET", "POST", "PUT"]);
        assert!(checkbox(&form, "c") && !checkbox(&form, "missing"));
        assert_eq!(optional(&form, "missing"), None);
        assert_eq!(
            methods_hint(),
            "GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS"
        );
    }
}
