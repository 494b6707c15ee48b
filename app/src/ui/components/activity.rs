//! The Activity table: who changed what, and when.

use leptos::prelude::*;

use super::notice::{ErrorNotice, Loading};
use super::table::{DataTable, EmptyState};
use crate::domain::model::AuditEntry;
use crate::error::AppError;

#[component]
pub fn ActivityList(entries: Resource<Result<Vec<AuditEntry>, AppError>>) -> impl IntoView {
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match entries.await {
                    Err(e) => view! { <ErrorNotice error=e /> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <EmptyState message="No activity yet." /> }.into_any(),
                    Ok(list) => view! {
                        <DataTable headers=vec!["When", "Who", "What"]>
                            {list.into_iter().map(|e| view! {
                                <tr data-testid="activity-row">
                                    <td class="whitespace-nowrap px-4 py-3 text-slate-500">
                                        <time datetime=e.at.to_rfc3339()>{e.at.format("%Y-%m-%d %H:%M:%S UTC").to_string()}</time>
                                    </td>
                                    <td class="px-4 py-3 font-medium">{e.actor.clone()}</td>
                                    <td class="px-4 py-3 text-slate-700">{e.describe()}</td>
                                </tr>
                            }).collect_view()}
                        </DataTable>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
