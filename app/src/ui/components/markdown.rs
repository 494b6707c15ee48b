//! Documentation shown as HTML that the server rendered from Markdown and sanitised
//! (`domain::markdown`); the browser never parses Markdown itself.

use leptos::prelude::*;

use crate::api::apis::PreviewMarkdown;
use crate::ui::components::notice::ErrorNotice;
use crate::ui::components::outcome::{Failure, follow};

/// Sanitised HTML from the server (`markdown_html` of a view, or a preview).
#[component]
pub fn Markdown(#[prop(into)] html: Signal<String>) -> impl IntoView {
    view! {
        <div
            class="prose-doc min-w-0 max-w-none overflow-hidden text-sm leading-relaxed text-slate-700"
            inner_html=move || html.get()
        ></div>
    }
}

/// A live preview of `source` while it is edited: the server renders each version; the last
/// rendering stays on screen until the next one arrives, so typing does not flicker.
#[component]
pub fn MarkdownPreview(source: RwSignal<String>, initial_html: String) -> impl IntoView {
    let preview = ServerAction::<PreviewMarkdown>::new();
    let html = RwSignal::new(initial_html);
    let error = RwSignal::new(None::<crate::error::AppError>);
    Effect::new(move |previous: Option<()>| {
        let text = source.get();
        // The page arrives with the saved text already rendered: only edits need the server.
        if previous.is_some() {
            preview.dispatch(PreviewMarkdown { source: text });
        }
    });
    // A failed preview shows its error above the last good rendering.
    let failed = Callback::new(move |e| error.set(Some(e)));
    follow(
        preview.value(),
        None,
        move |rendered| {
            error.set(None);
            html.set(rendered);
        },
        Failure::Handled(failed),
    );
    view! {
        {move || error.get().map(|e| view! { <ErrorNotice error=e /> })}
        <Markdown html />
    }
}
