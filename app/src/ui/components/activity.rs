//! The Activity table: who changed what, and when.

use leptos::prelude::*;

use super::loaded::Loaded;
use super::paging::{FilterBox, Pager, use_page};
use super::table::{DataTable, EmptyState};
use crate::api::activity::{entity_activity, org_activity};

/// The activity of an organization, or of one of its entities (`entity`: its type, "api",
/// "plan" or "client", and its id), newest first, filtered and paged. `reload` ticks after
/// changes made on the page.
#[component]
pub fn ActivityList(
    #[prop(into)] org: Signal<String>,
    #[prop(optional)] entity: Option<(&'static str, Signal<String>)>,
    #[prop(into)] reload: Signal<u32>,
) -> impl IntoView {
    let page = use_page();
    let entries = Resource::new(
        move || {
            let id = entity.map(|(_, id)| id.get());
            (org.get(), id, reload.get(), page.get())
        },
        move |(org, id, _, page)| async move {
            match (entity, id) {
                (Some((kind, _)), Some(id)) => {
                    entity_activity(org, kind.to_string(), id, page).await
                }
                _ => org_activity(org, page).await,
            }
        },
    );
    view! {
        <FilterBox page label="Filter activity" />
        <Loaded resource=entries let:list>
            {if list.items.is_empty() {
                view! { <EmptyState message="No activity to show." /> }.into_any()
            } else {
                let info = list.info();
                view! {
                    <DataTable headers=vec!["When", "Who", "What"]>
                        {list.items.into_iter().map(|e| view! {
                            <tr data-testid="activity-row">
                                <td class="whitespace-nowrap px-4 py-3 text-slate-500">
                                    <time datetime=e.at.to_rfc3339()>{e.at.format("%Y-%m-%d %H:%M:%S UTC").to_string()}</time>
                                </td>
                                <td class="px-4 py-3 font-medium">{e.actor.clone()}</td>
                                <td class="px-4 py-3 text-slate-700">{e.describe()}</td>
                            </tr>
                        }).collect_view()}
                    </DataTable>
                    <Pager page info />
                }.into_any()
            }}
        </Loaded>
    }
}
