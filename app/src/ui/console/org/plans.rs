//! The organization's Plans tab.

use leptos::prelude::*;
use leptos_router::components::A;

use super::use_org;
use crate::api::plans::list_plans;
use crate::ui::components::badge::StatusBadge;
use crate::ui::components::notice::{ErrorNotice, Loading};
use crate::ui::components::table::{DataTable, EmptyState};

#[component]
pub fn OrgPlansTab() -> impl IntoView {
    let org = use_org();
    let plans = Resource::new(move || org.id.get(), list_plans);
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let id = org.id.get_untracked();
                match plans.await {
                    Err(e) => view! { <ErrorNotice error=e /> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <EmptyState message="This organization has no plans yet.">
                            <A href=format!("/create/plan?org={id}") attr:class="font-medium text-indigo-600 hover:underline">
                                "Click here to create a new plan"
                            </A>
                        </EmptyState>
                    }.into_any(),
                    Ok(list) => view! {
                        <DataTable headers=vec!["Plan", "Latest version", "Status", "Description"]>
                            {list.into_iter().map(|p| view! {
                                <tr data-testid="plan-row">
                                    <td class="px-4 py-3 font-medium">
                                        <A href=format!("/orgs/{id}/plans/{}/{}", p.id, p.latest_version) attr:class="text-indigo-600 hover:underline">{p.name.clone()}</A>
                                    </td>
                                    <td class="px-4 py-3 font-mono text-xs">{p.latest_version.clone()}</td>
                                    <td class="px-4 py-3"><StatusBadge label=p.latest_status.as_str() /></td>
                                    <td class="px-4 py-3 text-slate-600">{p.description.clone()}</td>
                                </tr>
                            }).collect_view()}
                        </DataTable>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
