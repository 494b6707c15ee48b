//! Tabs bound to nested routes, so the selected tab lives in the URL.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

/// `base` is the page URL; each tab is `(label, segment)` and links to `base/segment`.
/// The first tab is also selected at `base` itself.
#[component]
pub fn Tabs(
    #[prop(into)] base: Signal<String>,
    tabs: Vec<(&'static str, &'static str)>,
) -> impl IntoView {
    let location = use_location();
    let first = tabs.first().map(|t| t.1).unwrap_or_default();
    view! {
        <nav class="mt-6 border-b border-slate-200" aria-label="Tabs">
            <ul class="-mb-px flex gap-6" role="tablist">
                {tabs
                    .into_iter()
                    .map(|(label, segment)| {
                        let href = move || format!("{}/{}", base.get(), segment);
                        let selected = move || {
                            let path = location.pathname.get();
                            let path = path.trim_end_matches('/');
                            let base = base.get();
                            path == format!("{base}/{segment}") || (segment == first && path == base)
                        };
                        view! {
                            <li role="presentation">
                                <A
                                    href=href
                                    attr:role="tab"
                                    attr:aria-selected=move || selected().to_string()
                                    attr:class=move || {
                                        if selected() {
                                            "block border-b-2 border-indigo-600 px-1 pb-3 text-sm font-medium text-indigo-700"
                                        } else {
                                            "block border-b-2 border-transparent px-1 pb-3 text-sm font-medium text-slate-500 hover:border-slate-300 hover:text-slate-700"
                                        }
                                    }
                                >
                                    {label}
                                </A>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}
