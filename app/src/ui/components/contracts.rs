//! The table of contracts shown on API and client pages.

use crate::domain::refs::Kind;
use leptos::prelude::*;
use leptos_router::components::A;

use super::badge::StatusBadge;
use super::table::{DataTable, EmptyState};
use crate::domain::catalog::ContractView;

#[component]
pub fn ContractTable(
    contracts: Vec<ContractView>,
    /// Show the client column (on API pages) rather than the API column (on client pages).
    show_client: bool,
    on_delete: Option<Callback<ContractView>>,
) -> impl IntoView {
    if contracts.is_empty() {
        return view! { <EmptyState message="No contracts yet." /> }.into_any();
    }
    let headers = if show_client {
        vec!["Client", "Plan", "Status", "Requested by", "Since", ""]
    } else {
        vec!["API", "Plan", "Status", "Requested by", "Since", ""]
    };
    view! {
        <DataTable headers>
            {contracts.into_iter().map(|c| {
                let party = if show_client {
                    view! {
                        <A href=c.client_ref().console_url(Kind::Client) attr:class="text-indigo-600 hover:underline">
                            {format!("{} {}", c.client_name, c.client_version)}
                        </A>
                        <span class="ml-1 text-xs text-slate-500">{c.client_org.clone()}</span>
                    }.into_any()
                } else {
                    view! {
                        <A href=c.api_ref().console_url(Kind::Api) attr:class="text-indigo-600 hover:underline">
                            {format!("{} {}", c.api_name, c.api_version)}
                        </A>
                        <span class="ml-1 text-xs text-slate-500">{c.api_org.clone()}</span>
                    }.into_any()
                };
                let for_delete = c.clone();
                view! {
                    <tr data-testid="contract-row">
                        <td class="px-4 py-3 font-medium">{party}</td>
                        <td class="px-4 py-3">{format!("{} {}", c.plan_name, c.plan_version)}</td>
                        <td class="px-4 py-3"><StatusBadge label=c.status.label() /></td>
                        <td class="px-4 py-3 text-slate-600">{c.requested_by.clone()}</td>
                        <td class="px-4 py-3 text-slate-500">{c.created_at.format("%Y-%m-%d").to_string()}</td>
                        <td class="px-4 py-3 text-right">
                            {on_delete.map(|cb| view! {
                                <button type="button" class="text-sm font-medium text-red-600 hover:underline"
                                    on:click=move |_| cb.run(for_delete.clone())>"Delete"</button>
                            })}
                        </td>
                    </tr>
                }
            }).collect_view()}
        </DataTable>
    }
    .into_any()
}
