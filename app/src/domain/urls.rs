//! Upstream endpoints and the managed gateway addresses.

use super::FieldError;

/// An upstream endpoint must be an absolute http(s) URL with a host.
pub fn validate_endpoint(field: &str, endpoint: &str) -> Result<(), FieldError> {
    let endpoint = endpoint.trim();
    if endpoint.is_empty() {
        return Err(FieldError::new(
            field,
            "Enter the URL of the upstream service.",
        ));
    }
    let parsed = url::Url::parse(endpoint).map_err(|_| {
        FieldError::new(
            field,
            "Enter an absolute URL such as https://api.example.com/v1.",
        )
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(FieldError::new(
            field,
            "The endpoint must start with http:// or https://.",
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(FieldError::new(field, "The endpoint needs a host name."));
    }
    Ok(())
}

/// The path under which the gateway serves an API version.
pub fn gateway_path(org: &str, api: &str, version: &str) -> String {
    format!("/gateway/{org}/{api}/{version}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_must_be_absolute_http_urls() {
        assert!(validate_endpoint("e", "https://api.example.com/v1").is_ok());
        assert!(validate_endpoint("e", "http://127.0.0.1:3000/echo").is_ok());
        for bad in [
            "",
            "api.example.com",
            "/relative",
            "ftp://x.example",
            "http://",
        ] {
            assert!(validate_endpoint("e", bad).is_err(), "{bad}");
        }
        assert!(
            validate_endpoint("e", "ftp://x.example")
                .unwrap_err()
                .message
                .contains("http://")
        );
    }

    #[test]
    fn gateway_paths() {
        assert_eq!(
            gateway_path("STRINGER", "PrivateEchoAPI", "1.0"),
            "/gateway/STRINGER/PrivateEchoAPI/1.0"
        );
    }
}
