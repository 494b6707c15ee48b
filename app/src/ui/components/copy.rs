//! Copy-to-clipboard buttons and secrets that stay hidden until revealed.

use leptos::prelude::*;

#[component]
pub fn CopyButton(
    #[prop(into)] text: Signal<String>,
    #[prop(optional)] label: Option<&'static str>,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    view! {
        <button
            type="button"
            class="rounded-md border border-slate-300 bg-white px-2 py-1 text-xs font-medium text-slate-700 hover:bg-slate-50"
            on:click=move |_| {
                let value = text.get_untracked();
                let _ = window().navigator().clipboard().write_text(&value);
                copied.set(true);
                set_timeout(move || copied.set(false), std::time::Duration::from_secs(2));
            }
        >
            {move || if copied.get() { "Copied" } else { label.unwrap_or("Copy") }}
        </button>
    }
}

/// A secret shown as dots until the user reveals it; copying works either way.
#[component]
pub fn SecretValue(#[prop(into)] value: String, testid: &'static str) -> impl IntoView {
    let shown = RwSignal::new(false);
    let masked = "•".repeat(24);
    let for_copy = value.clone();
    view! {
        <div class="flex items-center gap-2">
            <code class="rounded-md bg-slate-100 px-3 py-1.5 font-mono text-sm text-slate-800" data-testid=testid>
                {move || if shown.get() { value.clone() } else { masked.clone() }}
            </code>
            <button type="button" class="rounded-md border border-slate-300 bg-white px-2 py-1 text-xs font-medium text-slate-700 hover:bg-slate-50"
                on:click=move |_| shown.update(|s| *s = !*s)>
                {move || if shown.get() { "Hide" } else { "Reveal" }}
            </button>
            <CopyButton text=Signal::derive(move || for_copy.clone()) />
        </div>
    }
}

/// The gateway's public base URL (`GATEHOUSE_GATEWAY_URL`), fetched after hydration: empty on
/// the server and in the first browser render alike, so both render the same markup.
pub fn use_gateway_url() -> RwSignal<String> {
    let url = RwSignal::new(String::new());
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            if let Ok(u) = crate::api::portal::gateway_base_url().await {
                url.set(u);
            }
        });
    });
    url
}
