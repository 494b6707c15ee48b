//! The client version's APIs, Policies and Activity tabs.

use leptos::prelude::*;

use super::use_client;
use crate::domain::catalog::{PolicyLevel, PolicyOwner};
use crate::domain::urls::gateway_path;
use crate::ui::components::activity::ActivityList;
use crate::ui::components::copy::{CopyButton, use_gateway_url};
use crate::ui::components::loaded::Loaded;
use crate::ui::components::policy_editor::PolicyChainEditor;
use crate::ui::components::table::EmptyState;

#[component]
pub fn ClientApisTab() -> impl IntoView {
    let ctx = use_client();
    let gateway = use_gateway_url();
    view! {
        // Quiet: the page's header already shows why the version did not load.
        <Loaded resource=ctx.view quiet=true let:v>
            {if v.contracts.is_empty() {
                view! { <EmptyState message="This client has no contracts, so it can call no private API yet." /> }.into_any()
            } else {
                // Without the right to see the key, the example shows where it goes.
                let key = v.api_key.clone().unwrap_or_else(|| "YOUR-API-KEY".into());
                view! {
                    <ul class="space-y-4">
                        {v.contracts.into_iter().map(|c| {
                            let path = gateway_path(&c.api_org, &c.api_id, &c.api_version);
                            let key = key.clone();
                            let endpoint = Signal::derive(move || format!("{}{}", gateway.get(), path));
                            let curl = Signal::derive(move || format!("curl -H 'X-API-Key: {}' {}/", key, endpoint.get()));
                            view! {
                                <li class="rounded-xl border border-slate-200 bg-white p-5 shadow-sm" data-testid="client-api">
                                    <h3 class="font-semibold">{c.api_name.clone()} " " <span class="font-mono text-sm text-slate-500">{c.api_version.clone()}</span></h3>
                                    <p class="mt-1 text-sm text-slate-600">{format!("Plan {} {} · {}", c.plan_name, c.plan_version, c.status.label())}</p>
                                    <div class="mt-3 flex items-center gap-2">
                                        <code class="break-all rounded-md bg-slate-100 px-3 py-1.5 font-mono text-sm" data-testid="client-api-endpoint">{move || endpoint.get()}</code>
                                        <CopyButton text=endpoint />
                                    </div>
                                    <div class="mt-2 flex items-center gap-2">
                                        <code class="break-all rounded-md bg-slate-900 px-3 py-1.5 font-mono text-xs text-emerald-300">{move || curl.get()}</code>
                                        <CopyButton text=curl label="Copy curl" />
                                    </div>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </Loaded>
    }
}

#[component]
pub fn ClientPoliciesTab() -> impl IntoView {
    let ctx = use_client();
    move || {
        let _ = ctx.reload.get();
        let owner = PolicyOwner {
            level: PolicyLevel::Client,
            org: ctx.org.get(),
            entity: ctx.id.get(),
            version: ctx.version.get(),
        };
        view! { <PolicyChainEditor owner /> }
    }
}

#[component]
pub fn ClientActivityTab() -> impl IntoView {
    let ctx = use_client();
    view! { <ActivityList org=ctx.org entity=("client", ctx.id.into()) reload=ctx.reload /> }
}
