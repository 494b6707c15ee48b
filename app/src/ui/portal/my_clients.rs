//! My Clients: the user's clients by organization, with keys (Rotate and Revoke behind a
//! disclosure), contracts and endpoints, and a table of contents on the right.

use leptos::prelude::*;

use crate::api::portal::my_clients;
use crate::domain::catalog::ContractStatus;
use crate::domain::portal::{MyClientsOrg, group_by_org};
use crate::domain::refs::VersionRef;
use crate::domain::urls::gateway_path;
use crate::ui::components::badge::StatusBadge;
use crate::ui::components::copy::{CopyButton, SecretValue, use_gateway_url};
use crate::ui::components::invitations::MyInvitations;
use crate::ui::components::keys::KeysDisclosure;
use crate::ui::components::loaded::Loaded;
use crate::ui::components::paging::{FilterBox, Pager, use_page};
use crate::ui::components::table::EmptyState;

fn anchor(org: &str, client: &str) -> String {
    format!("client-{org}-{client}")
}

#[component]
pub fn MyClientsPage() -> impl IntoView {
    let joined = RwSignal::new(0u32);
    let page = use_page();
    let clients = Resource::new(
        move || (joined.get(), page.get()),
        |(_, page)| my_clients(page),
    );
    view! {
        <h1 class="text-2xl font-semibold text-slate-900">"My Clients"</h1>
        <MyInvitations joined />
        <div class="mt-6"><FilterBox page label="Filter clients" /></div>
        <Loaded resource=clients let:list>
            {if list.items.is_empty() && page.with_untracked(|p| p.filter.trim().is_empty()) {
                view! {
                    <EmptyState message="You have no clients yet: sign up for an API's plan on the portal's home." />
                }.into_any()
            } else if list.items.is_empty() {
                view! { <EmptyState message="No client matches the filter." /> }.into_any()
            } else {
                let info = list.info();
                view! {
                    <Clients orgs=group_by_org(list.items) />
                    <Pager page info />
                }.into_any()
            }}
        </Loaded>
    }
}

#[component]
fn Clients(orgs: Vec<MyClientsOrg>) -> impl IntoView {
    let gateway = use_gateway_url();
    let toc = orgs.clone();
    view! {
        <div class="mt-6 grid gap-8 lg:grid-cols-4">
            <div class="space-y-10 lg:col-span-3">
                {orgs.into_iter().map(|org| view! {
                    <section aria-label=org.org_name.clone()>
                        <h2 class="text-lg font-semibold text-slate-800">{org.org_name.clone()} <span class="ml-2 font-mono text-xs text-slate-500">{org.org_id.clone()}</span></h2>
                        <div class="mt-3 space-y-4">
                            {org.clients.into_iter().map(|c| {
                                view! {
                                    <article id=anchor(&org.org_id, &c.client_id) class="scroll-mt-20 rounded-xl border border-slate-200 bg-white p-5 shadow-sm" data-testid="my-client" data-client=c.name.clone()>
                                        <h3 class="text-base font-semibold">{c.name.clone()}</h3>
                                        {c.versions.into_iter().map(|v| {
                                            let active = v.contracts.iter().any(|k| k.status == ContractStatus::Active);
                                            let this = VersionRef::new(org.org_id.clone(), c.client_id.clone(), v.version.clone());
                                            view! {
                                                <div class="mt-4 border-t border-slate-100 pt-4">
                                                    <div class="flex items-center gap-3">
                                                        <span class="font-mono text-sm">{v.version.clone()}</span>
                                                        <StatusBadge label=v.status.label() />
                                                    </div>
                                                    {match v.api_key.clone() {
                                                        Some(key) => view! {
                                                            <div class="mt-3"><p class="mb-1 text-xs font-medium uppercase text-slate-500">"API Key"</p><SecretValue value=key testid="my-api-key" /></div>
                                                        }.into_any(),
                                                        None if v.contracts.iter().any(|k| k.status == ContractStatus::Active) => view! {
                                                            <p class="mt-3 text-sm text-slate-500" data-testid="key-hidden">"Only members who may edit this organization's clients can see its API key."</p>
                                                        }.into_any(),
                                                        None => view! {
                                                            <p class="mt-3 text-sm text-slate-500" data-testid="no-key-yet">"The API key appears here once a contract is active."</p>
                                                        }.into_any(),
                                                    }}
                                                    {active.then(|| view! { <KeysDisclosure client=this /> })}
                                                    {if v.contracts.is_empty() {
                                                        view! { <p class="mt-3 text-sm text-slate-500">"No contracts yet."</p> }.into_any()
                                                    } else {
                                                        view! {
                                                            <ul class="mt-3 space-y-2">
                                                                {v.contracts.into_iter().map(|k| {
                                                                    let path = gateway_path(&k.api_org, &k.api_id, &k.api_version);
                                                                    let endpoint = Signal::derive(move || format!("{}{}", gateway.get(), path));
                                                                    let active = k.status == ContractStatus::Active;
                                                                    view! {
                                                                        <li class="rounded-lg bg-slate-50 px-3 py-2 text-sm" data-testid="my-contract">
                                                                            <div class="flex flex-wrap items-center gap-2">
                                                                                <span class="font-medium">{k.api_name.clone()} " " {k.api_version.clone()}</span>
                                                                                <span class="text-slate-500">{format!("Plan {} {}", k.plan_name, k.plan_version)}</span>
                                                                                <StatusBadge label=k.status.label() />
                                                                            </div>
                                                                            {active.then(|| view! {
                                                                                <div class="mt-1 flex items-center gap-2">
                                                                                    <code class="break-all font-mono text-xs text-slate-700" data-testid="my-endpoint">{move || endpoint.get()}</code>
                                                                                    <CopyButton text=endpoint />
                                                                                </div>
                                                                            })}
                                                                        </li>
                                                                    }
                                                                }).collect_view()}
                                                            </ul>
                                                        }.into_any()
                                                    }}
                                                </div>
                                            }
                                        }).collect_view()}
                                    </article>
                                }
                            }).collect_view()}
                        </div>
                    </section>
                }).collect_view()}
            </div>
            <nav class="hidden lg:block" aria-label="Contents">
                <div class="sticky top-20 rounded-xl border border-slate-200 bg-white p-4 text-sm shadow-sm">
                    <p class="mb-2 font-semibold text-slate-700">"On this page"</p>
                    {toc.into_iter().map(|org| view! {
                        <p class="mt-2 text-xs font-medium uppercase text-slate-500">{org.org_name.clone()}</p>
                        <ul class="mt-1 space-y-1">
                            {org.clients.iter().map(|c| view! {
                                <li><a href=format!("#{}", anchor(&org.org_id, &c.client_id)) class="text-indigo-600 hover:underline">{c.name.clone()}</a></li>
                            }).collect_view()}
                        </ul>
                    }).collect_view()}
                </div>
            </nav>
        </div>
    }
}
