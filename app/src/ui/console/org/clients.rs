//! The organization's Clients tab.

use leptos::prelude::*;
use leptos_router::components::A;

use super::use_org;
use crate::api::clients::list_clients;
use crate::ui::components::badge::StatusBadge;
use crate::ui::components::notice::{ErrorNotice, Loading};
use crate::ui::components::table::{DataTable, EmptyState};

#[component]
pub fn OrgClientsTab() -> impl IntoView {
    let org = use_org();
    let clients = Resource::new(move || org.id.get(), list_clients);
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let id = org.id.get_untracked();
                match clients.await {
                    Err(e) => view! { <ErrorNotice error=e /> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <EmptyState message="This organization has no clients yet.">
                            <A href=format!("/create/client?org={id}") attr:class="font-medium text-indigo-600 hover:underline">
                                "Click here to create a new client"
                            </A>
                        </EmptyState>
                    }.into_any(),
                    Ok(list) => view! {
                        <div class="mb-3 flex justify-end">
                            <A href=format!("/create/client?org={id}") attr:class="text-sm font-medium text-indigo-600 hover:underline">"Click here to create a new client"</A>
                        </div>
                        <DataTable headers=vec!["Client", "Latest version", "Status", "Description"]>
                            {list.into_iter().map(|c| view! {
                                <tr data-testid="client-row">
                                    <td class="px-4 py-3 font-medium">
                                        <A href=format!("/orgs/{id}/clients/{}/{}", c.id, c.latest_version) attr:class="text-indigo-600 hover:underline">{c.name.clone()}</A>
                                    </td>
                                    <td class="px-4 py-3 font-mono text-xs">{c.latest_version.clone()}</td>
                                    <td class="px-4 py-3"><StatusBadge label=c.latest_status.label() /></td>
                                    <td class="px-4 py-3 text-slate-600">{c.description.clone()}</td>
                                </tr>
                            }).collect_view()}
                        </DataTable>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
