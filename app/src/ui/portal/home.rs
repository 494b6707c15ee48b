//! The portal's home: featured APIs and a search over everything the portal shows.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::for_param;
use crate::api::portal::{featured_apis, search_portal_apis};
use crate::domain::paging::{MAX_FILTER_CHARS, Page, PageRequest};
use crate::domain::portal::PortalApiCard;
use crate::domain::refs::VersionRef;
use crate::ui::components::loaded::Loaded;
use crate::ui::components::paging::{Pager, use_page};
use crate::ui::components::table::EmptyState;

#[component]
fn ApiCard(card: PortalApiCard, for_client: Option<VersionRef>) -> impl IntoView {
    let href = card.api_ref().portal_url(for_client.as_ref());
    view! {
        <li class="flex flex-col rounded-xl border border-slate-200 bg-white p-5 shadow-sm" data-testid="api-card">
            <div class="flex items-start justify-between gap-2">
                <h3 class="text-lg font-semibold text-slate-900">{card.name.clone()}</h3>
                <span class="rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-600">{if card.public { "Public" } else { "Plans" }}</span>
            </div>
            <p class="mt-1 text-xs font-medium uppercase tracking-wide text-slate-500">{card.org_name.clone()} " · " {card.version.clone()}</p>
            <p class="mt-3 flex-1 text-sm text-slate-600">{card.description.clone()}</p>
            <A href=href attr:class="mt-4 inline-flex w-fit items-center rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-indigo-700">"Learn more"</A>
        </li>
    }
}

/// One page of API cards with its pager, or `empty` when there is none.
#[component]
fn ApiCards(
    list: Page<PortalApiCard>,
    page: RwSignal<PageRequest>,
    empty: &'static str,
    for_client: Option<VersionRef>,
) -> impl IntoView {
    if list.items.is_empty() {
        return view! { <EmptyState message=empty /> }.into_any();
    }
    let info = list.info();
    view! {
        <ul class="mt-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
            {list.items.into_iter().map(|c| view! { <ApiCard card=c for_client=for_client.clone() /> }).collect_view()}
        </ul>
        <Pager page info />
    }
    .into_any()
}

#[component]
pub fn PortalHome() -> impl IntoView {
    let query = use_query_map();
    let for_client = StoredValue::new(for_param(&query.read_untracked()));
    let page = use_page();
    let search = Memo::new(move |_| page.with(|p| p.filter.clone()));
    let featured_page = use_page();
    let featured = Resource::new(move || featured_page.get(), featured_apis);
    let results = Resource::new(move || page.get(), search_portal_apis);
    view! {
        <section class="rounded-2xl bg-gradient-to-r from-indigo-600 to-sky-500 px-8 py-10 text-white shadow">
            <h1 class="text-3xl font-semibold">"Developer Portal"</h1>
            <p class="mt-2 max-w-2xl text-indigo-50">"Find an API, pick the plan that fits, and get your API key in a few steps."</p>
            <input
                type="search"
                aria-label="Search APIs"
                placeholder="Search APIs by name, description or organization"
                class="mt-6 w-full max-w-xl rounded-lg border-0 bg-white px-4 py-2.5 text-slate-900 shadow focus:outline-none focus:ring-4 focus:ring-indigo-300"
                maxlength=MAX_FILTER_CHARS.to_string()
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    page.update(|p| {
                        p.filter = text;
                        p.offset = 0;
                    });
                }
            />
        </section>
        {for_client.get_value().map(|f| view! {
            <p class="mt-4 rounded-md bg-indigo-50 px-4 py-2 text-sm text-indigo-800" data-testid="signing-up-for">
                {format!("Signing up client {} {} {}: choose an API and a plan.", f.org, f.id, f.version)}
            </p>
        })}
        <Show
            when=move || search.get().trim().is_empty()
            fallback=move || {
                view! {
                    <h2 class="mt-8 text-lg font-semibold">"Search results"</h2>
                    <Loaded resource=results let:list>
                        <ApiCards list page empty="No API matches your search." for_client=for_client.get_value() />
                    </Loaded>
                }
            }
        >
            <h2 class="mt-8 text-lg font-semibold">"Featured APIs"</h2>
            <Loaded resource=featured let:list>
                <ApiCards list page=featured_page empty="No API is featured yet: search for one above." for_client=for_client.get_value() />
            </Loaded>
        </Show>
    }
}
