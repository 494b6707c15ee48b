//! Data tables and the empty state shown when a table has no rows.

use leptos::prelude::*;

#[component]
pub fn DataTable(headers: Vec<&'static str>, children: Children) -> impl IntoView {
    view! {
        <div class="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm">
            <table class="min-w-full divide-y divide-slate-200 text-sm">
                <thead class="bg-slate-50">
                    <tr>
                        {headers
                            .into_iter()
                            .map(|h| {
                                view! {
                                    <th
                                        scope="col"
                                        class="px-4 py-2.5 text-left text-xs font-semibold uppercase tracking-wide text-slate-500"
                                    >
                                        {h}
                                    </th>
                                }
                            })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">{children()}</tbody>
            </table>
        </div>
    }
}

/// What an empty list says, with an optional call to action below.
#[component]
pub fn EmptyState(
    #[prop(into)] message: String,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="rounded-lg border border-dashed border-slate-300 bg-white px-6 py-10 text-center">
            <p class="text-sm text-slate-600">{message}</p>
            {children.map(|c| view! { <div class="mt-3 text-sm">{c()}</div> })}
        </div>
    }
}
