//! The organization's APIs tab.

use leptos::prelude::*;
use leptos_router::components::A;

use super::use_org;
use crate::api::apis::list_apis;
use crate::ui::components::badge::StatusBadge;
use crate::ui::components::notice::{ErrorNotice, Loading};
use crate::ui::components::table::{DataTable, EmptyState};

#[component]
pub fn OrgApisTab() -> impl IntoView {
    let org = use_org();
    let apis = Resource::new(move || org.id.get(), list_apis);
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let id = org.id.get_untracked();
                match apis.await {
                    Err(e) => view! { <ErrorNotice error=e /> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <EmptyState message="This organization has no APIs yet.">
                            <A href=format!("/create/api?org={id}") attr:class="font-medium text-indigo-600 hover:underline">
                                "Click here to create a new API"
                            </A>
                        </EmptyState>
                    }.into_any(),
                    Ok(list) => view! {
                        <DataTable headers=vec!["API", "Latest version", "Status", "Description"]>
                            {list.into_iter().map(|a| view! {
                                <tr data-testid="api-row">
                                    <td class="px-4 py-3 font-medium">
                                        <A href=format!("/orgs/{id}/apis/{}/{}", a.id, a.latest_version) attr:class="text-indigo-600 hover:underline">{a.name.clone()}</A>
                                    </td>
                                    <td class="px-4 py-3 font-mono text-xs">{a.latest_version.clone()}</td>
                                    <td class="px-4 py-3"><StatusBadge label=a.latest_status.as_str() /></td>
                                    <td class="px-4 py-3 text-slate-600">{a.description.clone()}</td>
                                </tr>
                            }).collect_view()}
                        </DataTable>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
