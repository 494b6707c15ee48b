//! The Content Security Policy of the console's and portal's pages: only the app's own scripts
//! (the inline hydration and resource scripts carry the page's nonce), styles and WebAssembly;
//! no plugins, no framing, no foreign form targets. Set by the shell, per page, because the
//! nonce is drawn for each page.

/// The policy of an HTML page rendered with this `nonce`.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' https: http: data:; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The policy of every other response (server functions, files, errors): nothing runs in it.
pub const FALLBACK_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// Sets the page's policy on the response being rendered (server only; a no-op in the browser).
pub fn set_page_policy() {
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
    ) && let Ok(value) = http::HeaderValue::from_str(&page_policy(&nonce))
    {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_run_only_their_own_and_nonced_scripts() {
        let p = page_policy("abc123");
        assert!(p.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval';"));
        assert!(!p.contains("unsafe-inline") && !p.contains("'unsafe-eval'"));
        assert!(p.contains("frame-ancestors 'none'"));
        assert!(p.contains("object-src 'none'"));
        assert!(FALLBACK_POLICY.contains("default-src 'none'"));
    }
}
