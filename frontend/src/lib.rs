//! The WebAssembly entry point: hydrates the server-rendered page with the shared `app` crate.
//! Hydration is asynchronous (ready for lazily loaded pages, whose code it would wait for).
#![recursion_limit = "256"]

use leptos::prelude::document;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    wasm_bindgen_futures::spawn_local(async {
        let Some(body) = document().body() else {
            return;
        };
        let app = leptos::mount::hydrate_from_async(body.clone(), app::App).await;
        app.forget();
        // Lets end-to-end tests, benchmarks (and people) know that the whole page is interactive.
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
