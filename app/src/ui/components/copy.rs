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

/// The address the browser reached us at, known only after hydration (empty on the server,
/// so server-rendered links stay relative).
pub fn use_origin() -> RwSignal<String> {
    let origin = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Ok(o) = window().location().origin() {
            origin.set(o);
        }
    });
    origin
}
