//! The console home: the user's organizations and a way to find others.

use crate::domain::refs::org_url;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::orgs::search_organizations;
use crate::ui::components::badge::StatusBadge;
use crate::ui::components::invitations::MyInvitations;
use crate::ui::components::loaded::Loaded;
use crate::ui::components::paging::{Pager, use_page};
use crate::ui::components::table::EmptyState;
use crate::ui::session::use_session;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let session = use_session();
    let joined = RwSignal::new(0u32);
    let page = use_page();
    let orgs = Resource::new(
        move || (joined.get(), page.get()),
        |(_, page)| search_organizations(page),
    );
    let greeting = move || {
        session
            .user
            .get()
            .and_then(|r| r.ok().flatten())
            .map(|u| format!("Welcome, {}", u.display_name))
            .unwrap_or_default()
    };
    view! {
        <div class="flex items-end justify-between">
            <div>
                <h1 class="text-2xl font-semibold text-slate-900">{greeting}</h1>
                <p class="mt-1 text-sm text-slate-500">"Your organizations and everything they publish and consume."</p>
            </div>
            <form action="/search" method="get" class="flex gap-2">
                <input
                    name="q"
                    type="search"
                    aria-label="Search organizations"
                    placeholder="Search organizations"
                    class="w-64 rounded-md border border-slate-300 px-3 py-2 text-sm"
                />
                <button type="submit" class="btn-secondary">"Search"</button>
            </form>
        </div>
        <MyInvitations joined />
        <h2 class="mt-8 text-lg font-medium text-slate-800">"My organizations"</h2>
        <div class="mt-3">
            <Loaded resource=orgs let:list>
                {if list.items.is_empty() {
                    view! {
                        <EmptyState message="You are not a member of any organization yet.">
                            <A href="/create/organization" attr:class="font-medium text-indigo-600 hover:underline">
                                "Click here to create a new organization"
                            </A>
                        </EmptyState>
                    }.into_any()
                } else {
                    let info = list.info();
                    view! {
                        <ul class="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
                            {list.items.into_iter().map(|o| view! {
                                <li>
                                    <A href=org_url(&o.id) attr:class="block h-full rounded-xl border border-slate-200 bg-white p-5 shadow-sm hover:border-indigo-300 hover:shadow">
                                        <div class="flex items-start justify-between gap-2">
                                            <span class="font-semibold text-slate-900">{o.name.clone()}</span>
                                            {o.my_role.map(|r| view! { <StatusBadge label=r.label() /> })}
                                        </div>
                                        <p class="mt-1 font-mono text-xs text-slate-500">{o.id.clone()}</p>
                                        <p class="mt-2 line-clamp-2 text-sm text-slate-600">{o.description.clone()}</p>
                                    </A>
                                </li>
                            }).collect_view()}
                        </ul>
                        <Pager page info />
                    }.into_any()
                }}
            </Loaded>
        </div>
    }
}
