//! CORS: preflights answered by the gateway, allowed origins echoed on responses.

use app::domain::policy::CorsConfig;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};

use super::{Exchange, Outcome, fail};
use crate::gateway::errors::codes;

pub(super) fn request<'a>(c: &'a CorsConfig, ex: &mut Exchange<'a>) -> Outcome {
    let Some(origin) = ex.headers.get(header::ORIGIN).cloned() else {
        return Outcome::Continue;
    };
    let allowed = origin.to_str().is_ok_and(|o| c.origin_allowed(o));
    let preflight = ex.method == Method::OPTIONS
        && ex
            .headers
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if !allowed {
        return if c.terminate_on_invalid_request || preflight {
            fail(
                codes::CORS_ORIGIN_NOT_ALLOWED,
                StatusCode::FORBIDDEN,
                "This origin may not call this API.",
            )
        } else {
            Outcome::Continue
        };
    }
    let echoed = if c.allow_origin.iter().any(|o| o == "*") && !c.allow_credentials {
        HeaderValue::from_static("*")
    } else {
        origin
    };
    if preflight {
        let mut h = HeaderMap::new();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, echoed);
        if let Ok(v) = HeaderValue::from_str(&c.allow_methods.join(", ")) {
            h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, v);
        }
        let requested = ex
            .headers
            .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
            .cloned();
        let allow_headers = if c.allow_headers.is_empty() {
            requested
        } else {
            HeaderValue::from_str(&c.allow_headers.join(", ")).ok()
        };
        if let Some(v) = allow_headers {
            h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, v);
        }
        if c.allow_credentials {
            h.insert(
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
        }
        if let Some(age) = c.max_age {
            h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from(age));
        }
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
        return Outcome::Respond(StatusCode::OK, h);
    }
    ex.cors = Some((echoed, c));
    Outcome::Continue
}

/// The CORS headers of a response to an accepted origin.
pub(super) fn finish(origin: HeaderValue, c: &CorsConfig, headers: &mut HeaderMap) {
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    if c.allow_credentials {
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
    }
    if !c.expose_headers.is_empty()
        && let Ok(v) = HeaderValue::from_str(&c.expose_headers.join(", "))
    {
        headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, v);
    }
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
}
