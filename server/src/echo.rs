//! The built-in echo upstream: answers with the request it received, as JSON. It is the
//! upstream of the demo API and of the gateway tests and benchmarks.
//!
//! The body is streamed: its length and SHA-256 cover all of it, while only the first 64 KiB
//! are echoed back as text, so large uploads cost no memory.

use axum::Json;
use axum::body::Body;
use axum::extract::Request;
use futures_util::StreamExt;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

const ECHOED_BODY_BYTES: usize = 64 * 1024;

/// Headers whose values are credentials: echoed as this mask, so a page that can call `/echo`
/// (it is on the console's origin) cannot read the HttpOnly session cookie through it.
const MASKED_HEADERS: [&str; 3] = ["cookie", "authorization", "proxy-authorization"];
const MASK: &str = "***";

/// `/echo`, `/echo/` and everything below, with no body size limit.
pub fn routes<S: Clone + Send + Sync + 'static>() -> axum::Router<S> {
    use axum::routing::any;
    axum::Router::new()
        .route("/echo", any(echo))
        .route("/echo/", any(echo))
        .route("/echo/{*path}", any(echo))
        .layer(axum::extract::DefaultBodyLimit::disable())
}

pub async fn echo(request: Request) -> Json<Value> {
    let (parts, body) = request.into_parts();
    let path = parts
        .uri
        .path()
        .strip_prefix("/echo")
        .filter(|p| !p.is_empty())
        .unwrap_or("/")
        .to_string();
    let mut headers = Map::new();
    for (name, value) in &parts.headers {
        let shown = if MASKED_HEADERS.contains(&name.as_str()) {
            MASK.to_string()
        } else {
            String::from_utf8_lossy(value.as_bytes()).into_owned()
        };
        headers.insert(name.as_str().to_string(), Value::String(shown));
    }
    let (head, length, digest, error) = read_body(body).await;
    Json(json!({
        "method": parts.method.as_str(),
        "path": path,
        "query": parts.uri.query().unwrap_or_default(),
        "headers": headers,
        "body": String::from_utf8_lossy(&head),
        "bodyLength": length,
        "bodySha256": digest,
        "bodyError": error,
    }))
}

async fn read_body(body: Body) -> (Vec<u8>, u64, String, Option<String>) {
    let mut stream = body.into_data_stream();
    let mut head = Vec::new();
    let mut length = 0u64;
    let mut hasher = Sha256::new();
    let mut error = None;
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(bytes) => {
                length += bytes.len() as u64;
                hasher.update(&bytes);
                let room = ECHOED_BODY_BYTES.saturating_sub(head.len());
                head.extend_from_slice(&bytes[..room.min(bytes.len())]);
            }
            Err(e) => {
                error = Some(e.to_string());
                break;
            }
        }
    }
    let digest = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    (head, length, digest, error)
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::Body;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    async fn call(request: http::Request<Body>) -> serde_json::Value {
        let app: Router = super::routes();
        let response = app.oneshot(request).await.expect("response");
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        serde_json::from_slice(&bytes).expect("json")
    }

    #[tokio::test]
    async fn echoes_method_path_query_headers_and_body() {
        let request = http::Request::post("/echo/hello/world?x=1&y=2")
            .header("x-custom", "value")
            .body(Body::from("payload"))
            .expect("request");
        let echoed = call(request).await;
        assert_eq!(echoed["method"], "POST");
        assert_eq!(echoed["path"], "/hello/world");
        assert_eq!(echoed["query"], "x=1&y=2");
        assert_eq!(echoed["headers"]["x-custom"], "value");
        assert_eq!(echoed["body"], "payload");
        assert_eq!(echoed["bodyLength"], 7);
        assert_eq!(
            echoed["bodySha256"],
            "239f59ed55e737c77147cf55ad0c1b030b6d7ee748a7426952f9b852d5a935e5"
        );
    }

    #[tokio::test]
    async fn credentials_are_masked() {
        let request = http::Request::get("/echo")
            .header("cookie", "gatehouse_session=secret-token")
            .header("authorization", "Basic c2VjcmV0")
            .header("proxy-authorization", "Bearer secret")
            .header("x-api-key", "shown")
            .body(Body::empty())
            .expect("request");
        let echoed = call(request).await;
        assert_eq!(echoed["headers"]["cookie"], "***");
        assert_eq!(echoed["headers"]["authorization"], "***");
        assert_eq!(echoed["headers"]["proxy-authorization"], "***");
        assert_eq!(echoed["headers"]["x-api-key"], "shown");
        assert!(!echoed.to_string().contains("secret"));
    }

    #[tokio::test]
    async fn large_bodies_are_counted_but_echoed_only_in_part() {
        let big = vec![b'a'; 200 * 1024];
        let request = http::Request::put("/echo")
            .body(Body::from(big))
            .expect("request");
        let echoed = call(request).await;
        assert_eq!(echoed["path"], "/");
        assert_eq!(echoed["bodyLength"], 200 * 1024);
        assert_eq!(echoed["body"].as_str().map(str::len), Some(64 * 1024));
    }
}
