//! The filter box above a list and the pager below it, driving one `PageRequest` signal that the
//! list's resource reads.

use leptos::prelude::*;

use crate::domain::paging::{MAX_FILTER_CHARS, PageInfo, PageRequest};

/// A `PageRequest` signal for a list: first page, default size, no filter.
pub fn use_page() -> RwSignal<PageRequest> {
    RwSignal::new(PageRequest::default())
}

/// Typing narrows the list and starts again at its first page.
#[component]
pub fn FilterBox(page: RwSignal<PageRequest>, label: &'static str) -> impl IntoView {
    view! {
        <div class="mb-3">
            <input
                type="search"
                aria-label=label
                placeholder=label
                maxlength=MAX_FILTER_CHARS.to_string()
                data-testid="filter"
                class="w-72 rounded-md border border-slate-300 px-3 py-2 text-sm"
                prop:value=move || page.with(|p| p.filter.clone())
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    page.update(|p| {
                        p.filter = text;
                        p.offset = 0;
                    });
                }
            />
        </div>
    }
}

/// "1–25 of 312" with Previous and Next; nothing when everything fits on one page.
#[component]
pub fn Pager(page: RwSignal<PageRequest>, info: PageInfo) -> impl IntoView {
    let multi = info.has_previous() || info.has_next();
    multi.then(|| {
        view! {
            <nav class="mt-3 flex items-center justify-end gap-3 text-sm text-slate-600" aria-label="Pages">
                <span data-testid="page-range">{info.range_label()}</span>
                <button
                    type="button"
                    class="btn-secondary"
                    disabled=!info.has_previous()
                    on:click=move |_| page.update(|p| p.offset = info.previous_offset())
                >"Previous"</button>
                <button
                    type="button"
                    class="btn-secondary"
                    disabled=!info.has_next()
                    on:click=move |_| page.update(|p| p.offset = info.next_offset())
                >"Next"</button>
            </nav>
        }
    })
}
