//! The floating Create button at the bottom right of every console page, and its menu.

use leptos::prelude::*;
use leptos_router::components::A;

/// The creation menu: each entry opens its wizard. New kinds of entity add a line here.
const ENTRIES: &[(&str, &str)] = &[
    ("Create Organization", "/create/organization"),
    ("Create API", "/create/api"),
    ("Create Plan", "/create/plan"),
    ("Create Client", "/create/client"),
];

#[component]
pub fn CreateButton() -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <div class="fixed bottom-6 right-6 z-30 flex flex-col items-end gap-3">
            <Show when=move || open.get()>
                <div
                    role="menu"
                    aria-label="Create"
                    class="w-56 overflow-hidden rounded-lg border border-slate-200 bg-white py-1 shadow-lg"
                >
                    {ENTRIES
                        .iter()
                        .map(|(label, href)| {
                            view! {
                                <A
                                    href=*href
                                    attr:role="menuitem"
                                    attr:class="block px-4 py-2 text-sm text-slate-700 hover:bg-indigo-50 hover:text-indigo-700"
                                    on:click=move |_| open.set(false)
                                >
                                    {*label}
                                </A>
                            }
                        })
                        .collect_view()}
                </div>
            </Show>
            <button
                type="button"
                aria-haspopup="menu"
                aria-expanded=move || open.get().to_string()
                class="flex items-center gap-2 rounded-full bg-indigo-600 px-5 py-3 text-sm font-semibold text-white shadow-lg hover:bg-indigo-700 focus:outline-none focus:ring-4 focus:ring-indigo-300"
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <span aria-hidden="true" class="text-lg leading-none">"+"</span>
                "Create"
            </button>
        </div>
    }
}
