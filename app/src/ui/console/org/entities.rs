//! The organization's APIs, Plans and Clients tabs: one filterable, paged table of versioned
//! entities, each row linking to the entity's newest version.

use std::future::Future;

use leptos::prelude::*;
use leptos_router::components::A;

use super::use_org;
use crate::domain::paging::{Page, PageRequest};
use crate::domain::refs::{Kind, VersionRef};
use crate::error::AppError;
use crate::ui::components::badge::StatusBadge;
use crate::ui::components::loaded::Loaded;
use crate::ui::components::paging::{FilterBox, Pager, use_page};
use crate::ui::components::table::{DataTable, EmptyState};

/// What a row shows, whatever the entity.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EntityRow {
    pub id: String,
    pub name: String,
    pub version: String,
    pub status: String,
    pub description: String,
}

/// The words and paths of one kind of entity.
#[derive(Clone, Copy)]
pub struct EntityKind {
    /// "API", "Plan", "Client": the first column's heading.
    pub heading: &'static str,
    /// "API", "plan", "client", in sentences.
    pub noun: &'static str,
    /// "APIs", "plans", "clients", in sentences.
    pub plural: &'static str,
    /// Which entity: its URLs follow from it.
    pub kind: Kind,
    /// The create page: "/create/api" and so on.
    pub create: &'static str,
    /// "api", "plan", "client": rows are `{testid}-row`.
    pub testid: &'static str,
    /// Clients show the create link above a non-empty table as well.
    pub create_link_above: bool,
    /// The filter box's label.
    pub filter: &'static str,
}

#[component]
pub fn EntityList<F, Fut>(kind: EntityKind, fetch: F) -> impl IntoView
where
    F: Fn(String, PageRequest) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = Result<Page<EntityRow>, AppError>> + Send + 'static,
{
    let org = use_org();
    let page = use_page();
    let rows = Resource::new(
        move || (org.id.get(), page.get()),
        move |(o, p)| fetch(o, p),
    );
    view! {
        <FilterBox page label=kind.filter />
        <Loaded resource=rows let:list>
            {
                let id = org.id.get_untracked();
                let create = view! {
                    <A href=format!("{}?org={id}", kind.create) attr:class="font-medium text-indigo-600 hover:underline">
                        {format!("Click here to create a new {}", kind.noun)}
                    </A>
                };
                if list.items.is_empty() && page.with_untracked(|p| p.filter.trim().is_empty()) {
                    view! {
                        <EmptyState message=format!("This organization has no {} yet.", kind.plural)>{create}</EmptyState>
                    }.into_any()
                } else if list.items.is_empty() {
                    view! { <EmptyState message=format!("No {} match the filter.", kind.plural) /> }.into_any()
                } else {
                    let info = list.info();
                    view! {
                        {kind.create_link_above.then(|| view! { <div class="mb-3 flex justify-end text-sm">{create}</div> })}
                        <DataTable headers=vec![kind.heading, "Latest version", "Status", "Description"]>
                            {list.items.into_iter().map(|r| view! {
                                <tr data-testid=format!("{}-row", kind.testid)>
                                    <td class="px-4 py-3 font-medium">
                                        <A href=VersionRef::new(id.clone(), r.id.clone(), r.version.clone()).console_url(kind.kind) attr:class="text-indigo-600 hover:underline">{r.name.clone()}</A>
                                    </td>
                                    <td class="px-4 py-3 font-mono text-xs">{r.version.clone()}</td>
                                    <td class="px-4 py-3"><StatusBadge label=r.status.clone() /></td>
                                    <td class="px-4 py-3 text-slate-600">{r.description.clone()}</td>
                                </tr>
                            }).collect_view()}
                        </DataTable>
                        <Pager page info />
                    }.into_any()
                }
            }
        </Loaded>
    }
}
