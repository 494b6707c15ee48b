//! API Key: forwards the client's API key to the API under a request header.

use serde::{Deserialize, Serialize};

use super::{FieldError, FieldKind, FieldSpec, FormValues, form, form_of};

pub const DEFAULT_API_KEY_HEADER: &str = "X-API-Key";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ApiKeyConfig {
    pub request_header: String,
}

impl Default for ApiKeyConfig {
    fn default() -> Self {
        Self {
            request_header: DEFAULT_API_KEY_HEADER.to_string(),
        }
    }
}

impl ApiKeyConfig {
    pub fn validate(&self) -> Result<(), FieldError> {
        form::check_header_name("request_header", &self.request_header)
    }

    /// "Forwards the API key in header X-API-Key".
    pub fn summary(&self) -> String {
        format!("Forwards the API key in header {}", self.request_header)
    }
}

pub(super) fn fields() -> Vec<FieldSpec> {
    vec![FieldSpec {
        name: "request_header",
        label: "Request header",
        kind: FieldKind::Text,
        help: "The header that carries the client's API key to the API, like X-API-Key.",
    }]
}

pub(super) fn default_form() -> FormValues {
    to_form(&ApiKeyConfig::default())
}

pub(super) fn parse_form(form: &FormValues) -> ApiKeyConfig {
    ApiKeyConfig {
        request_header: form::text(form, "request_header").to_string(),
    }
}

pub(super) fn to_form(c: &ApiKeyConfig) -> FormValues {
    form_of([("request_header", c.request_header.clone())])
}

#[cfg(test)]
mod tests {
    use super::super::tests::{error, json_error, valid};
    use crate::domain::policy::PolicyType::ApiKey;

    #[test]
    fn api_key() {
        assert_eq!(
            valid(ApiKey, &[]).summary(),
            "Forwards the API key in header X-API-Key"
        );
        assert_eq!(
            valid(ApiKey, &[("request_header", " X-Key ")]).summary(),
            "Forwards the API key in header X-Key"
        );
        for (header, message) in [("", "Enter a header name"), ("X Key", "not a header name")] {
            let e = error(ApiKey, &[("request_header", header)]);
            assert!(e.message.contains(message), "{header}: {}", e.message);
        }
        for json in [r#"{"requestHeader":""}"#, r#"{"requestHeader":1}"#] {
            assert_eq!(json_error(ApiKey, json).field, "request_header");
        }
    }
}
