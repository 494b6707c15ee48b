use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <main class="mx-auto max-w-xl px-6 py-24 text-center">
            <h1 class="text-3xl font-semibold">"Page not found"</h1>
            <p class="mt-3 text-slate-600">"There is nothing at this address."</p>
            <A href="/" attr:class="mt-6 inline-block text-indigo-600 hover:underline">"Back to the console"</A>
        </main>
    }
}
