//! What the gateway answers when it does not proxy: apiman-style policy failures and engine
//! errors, both as JSON with explanatory headers.

use axum::body::Body;
use axum::http::{HeaderValue, Response, StatusCode, header};
use serde::Serialize;
use serde_json::json;

use super::path::PathError;
use super::tls::TlsFailure;

/// A policy refused the request (apiman's PolicyFailure).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyFailure {
    pub kind: FailureType,
    pub code: u32,
    pub status: StatusCode,
    pub message: String,
    /// Seconds, sent as `Retry-After` (throttled or busy).
    pub retry_after: Option<u64>,
}

/// apiman's failure types, sent as the body's "type" and `X-Policy-Failure-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FailureType {
    Authentication,
    Authorization,
    Other,
}

impl FailureType {
    pub fn as_str(self) -> &'static str {
        match self {
            FailureType::Authentication => "Authentication",
            FailureType::Authorization => "Authorization",
            FailureType::Other => "Other",
        }
    }
}

/// Failure codes, following apiman's numbering where it has one.
pub mod codes {
    pub const IP_NOT_ALLOWED: u32 = 10001;
    pub const IP_BLOCKED: u32 = 10002;
    pub const BASIC_AUTH_FAILED: u32 = 10003;
    pub const BASIC_AUTH_REQUIRED: u32 = 10004;
    pub const RATE_LIMIT_EXCEEDED: u32 = 10005;
    pub const QUOTA_EXCEEDED: u32 = 10006;
    pub const RESOURCE_IGNORED: u32 = 10007;
    pub const TIME_RESTRICTED: u32 = 10008;
    pub const CORS_ORIGIN_NOT_ALLOWED: u32 = 10009;
    pub const TRANSPORT_SECURITY_REQUIRED: u32 = 10010;
    pub const POLICY_INVALID: u32 = 10011;
    pub const BASIC_AUTH_THROTTLED: u32 = 10012;
    pub const BASIC_AUTH_BUSY: u32 = 10013;
}

impl PolicyFailure {
    pub fn new(
        kind: FailureType,
        code: u32,
        status: StatusCode,
        message: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            code,
            status,
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn into_response(self) -> Response<Body> {
        let body = json!({
            "type": self.kind,
            "failureCode": self.code,
            "responseCode": self.status.as_u16(),
            "message": self.message,
        });
        let mut response = json_response(self.status, &body);
        let headers = response.headers_mut();
        headers.insert(
            "x-policy-failure-type",
            HeaderValue::from_static(self.kind.as_str()),
        );
        headers.insert("x-policy-failure-code", HeaderValue::from(self.code));
        if let Ok(v) = HeaderValue::from_str(&self.message) {
            headers.insert("x-policy-failure-message", v);
        }
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// The gateway itself cannot serve the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineError {
    ApiNotFound,
    ApiRetired,
    ApiKeyRequired,
    InvalidApiKey,
    /// A key of a registered client, past its expiry (its rotation's grace period ended).
    KeyExpired,
    /// A key of a registered client, revoked.
    KeyRevoked,
    NoContract,
    UpstreamUnavailable,
    UpstreamTimeout,
    /// The TLS handshake with the upstream failed, for this reason.
    UpstreamTls(TlsFailure),
    /// The upstream guard refused the upstream's address.
    UpstreamRefused,
    BadRequest,
    /// The path below the API cannot be made canonical (see `path`).
    BadPath(PathError),
    /// A trusted proxy's X-Forwarded-For hop is not an address.
    BadForwardedFor,
}

impl EngineError {
    pub fn status(self) -> StatusCode {
        match self {
            EngineError::ApiNotFound => StatusCode::NOT_FOUND,
            EngineError::ApiRetired => StatusCode::GONE,
            EngineError::ApiKeyRequired => StatusCode::UNAUTHORIZED,
            EngineError::InvalidApiKey
            | EngineError::KeyExpired
            | EngineError::KeyRevoked
            | EngineError::NoContract => StatusCode::FORBIDDEN,
            EngineError::UpstreamUnavailable
            | EngineError::UpstreamTls(_)
            | EngineError::UpstreamRefused => StatusCode::BAD_GATEWAY,
            EngineError::UpstreamTimeout => StatusCode::GATEWAY_TIMEOUT,
            EngineError::BadRequest | EngineError::BadPath(_) | EngineError::BadForwardedFor => {
                StatusCode::BAD_REQUEST
            }
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            EngineError::ApiNotFound => "ApiNotFound",
            EngineError::ApiRetired => "ApiRetired",
            EngineError::ApiKeyRequired => "ApiKeyRequired",
            EngineError::InvalidApiKey => "InvalidApiKey",
            EngineError::KeyExpired => "KeyExpired",
            EngineError::KeyRevoked => "KeyRevoked",
            EngineError::NoContract => "NoContract",
            EngineError::UpstreamUnavailable => "UpstreamUnavailable",
            EngineError::UpstreamTimeout => "UpstreamTimeout",
            EngineError::UpstreamTls(_) => "UpstreamTlsFailed",
            EngineError::UpstreamRefused => "UpstreamAddressRefused",
            EngineError::BadRequest => "BadRequest",
            EngineError::BadPath(_) => "BadPath",
            EngineError::BadForwardedFor => "BadForwardedFor",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            EngineError::ApiNotFound => {
                "No published API matches this organization, API and version."
            }
            EngineError::ApiRetired => "This API version has been retired.",
            EngineError::ApiKeyRequired => {
                "This API is private: send your client's API key in the X-API-Key header."
            }
            EngineError::InvalidApiKey => "The API key is not valid.",
            EngineError::KeyExpired => {
                "This API key has expired (its grace period after a rotation ended): use the client's current key."
            }
            EngineError::KeyRevoked => {
                "This API key has been revoked: use the client's current key."
            }
            EngineError::NoContract => "The client has no contract with this API version.",
            EngineError::UpstreamUnavailable => "The upstream service could not be reached.",
            EngineError::UpstreamTimeout => "The upstream service did not answer in time.",
            EngineError::UpstreamTls(reason) => reason.message(),
            EngineError::UpstreamRefused => {
                "The upstream's address is not allowed: link-local, cloud metadata and the gateway's own addresses are refused."
            }
            EngineError::BadRequest => "The request is malformed.",
            EngineError::BadPath(e) => e.message(),
            EngineError::BadForwardedFor => {
                "An X-Forwarded-For entry from a trusted proxy is not an IP address."
            }
        }
    }

    pub fn into_response(self) -> Response<Body> {
        let body = json!({
            "type": "GatewayError",
            "error": self.name(),
            "responseCode": self.status().as_u16(),
            "message": self.message(),
        });
        let mut response = json_response(self.status(), &body);
        response
            .headers_mut()
            .insert("x-gateway-error", HeaderValue::from_static(self.message()));
        response
    }
}

fn json_response(status: StatusCode, body: &serde_json::Value) -> Response<Body> {
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_types_keep_apimans_spelling_in_body_and_header() {
        for kind in [
            FailureType::Authentication,
            FailureType::Authorization,
            FailureType::Other,
        ] {
            let text = serde_json::to_value(kind).expect("json");
            assert_eq!(text, kind.as_str());
            let response =
                PolicyFailure::new(kind, 10001, StatusCode::FORBIDDEN, "no").into_response();
            assert_eq!(
                response
                    .headers()
                    .get("x-policy-failure-type")
                    .map(HeaderValue::as_bytes),
                Some(kind.as_str().as_bytes())
            );
        }
    }
}
