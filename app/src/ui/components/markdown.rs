//! Markdown documentation rendered to HTML. Raw HTML in the source is shown as text, so a
//! description can never inject markup or scripts into the console or portal.

use leptos::prelude::*;
use pulldown_cmark::{Event, Options, Parser, html};

pub fn render_markdown(source: &str) -> String {
    let parser = Parser::new_ext(
        source,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    )
    .map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, parser);
    out
}

#[component]
pub fn Markdown(#[prop(into)] source: Signal<String>) -> impl IntoView {
    view! {
        <div
            class="prose-doc min-w-0 max-w-none overflow-hidden text-sm leading-relaxed text-slate-700"
            inner_html=move || render_markdown(&source.get())
        ></div>
    }
}

#[cfg(test)]
mod tests {
    use super::render_markdown;

    #[test]
    fn renders_markdown_and_escapes_raw_html() {
        let html =
            render_markdown("# Echo\n\nReturns *what* you send.\n\n<script>alert(1)</script>");
        assert!(html.contains("<h1>Echo</h1>"));
        assert!(html.contains("<em>what</em>"));
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;"));
    }
}
