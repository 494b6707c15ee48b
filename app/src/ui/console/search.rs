//! Search for organizations by name or id.

use crate::domain::refs::org_url;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::orgs::search_organizations;
use crate::domain::paging::PageRequest;
use crate::ui::components::badge::StatusBadge;
use crate::ui::components::loaded::Loaded;
use crate::ui::components::paging::{Pager, use_page};
use crate::ui::components::table::{DataTable, EmptyState};

#[component]
pub fn SearchPage() -> impl IntoView {
    let query = use_query_map();
    let q = move || query.read().get("q").unwrap_or_default();
    let page = use_page();
    // A new search starts at its first page.
    Effect::new(move |_| {
        q();
        page.update(|p| p.offset = 0);
    });
    let results = Resource::new(
        move || PageRequest::new(q(), page.with(|p| p.offset), 0),
        search_organizations,
    );
    view! {
        <h1 class="text-2xl font-semibold text-slate-900">"Search"</h1>
        <form action="/search" method="get" class="mt-4 flex gap-2">
            <input
                name="q"
                type="search"
                aria-label="Organization name"
                placeholder="Search for your organization"
                prop:value=q
                class="w-96 rounded-md border border-slate-300 px-3 py-2 text-sm"
            />
            <button type="submit" class="btn-primary">"Search"</button>
        </form>
        <div class="mt-6">
            <Loaded resource=results let:list>
                {if list.items.is_empty() {
                    view! { <EmptyState message="No organization matches your search." /> }.into_any()
                } else {
                    let info = list.info();
                    view! {
                        <DataTable headers=vec!["Organization", "Id", "Description", "Your role"]>
                            {list.items.into_iter().map(|o| view! {
                                <tr>
                                    <td class="px-4 py-3 font-medium">
                                        <A href=org_url(&o.id) attr:class="text-indigo-600 hover:underline">{o.name.clone()}</A>
                                    </td>
                                    <td class="px-4 py-3 font-mono text-xs text-slate-500">{o.id.clone()}</td>
                                    <td class="px-4 py-3 text-slate-600">{o.description.clone()}</td>
                                    <td class="px-4 py-3">{o.my_role.map(|r| view! { <StatusBadge label=r.label() /> })}</td>
                                </tr>
                            }).collect_view()}
                        </DataTable>
                        <Pager page info />
                    }.into_any()
                }}
            </Loaded>
        </div>
    }
}
