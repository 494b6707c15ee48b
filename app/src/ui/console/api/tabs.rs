//! The API version's Policies, Contracts, Endpoint and Activity tabs.

use leptos::prelude::*;

use super::use_api;
use crate::api::contracts::api_contracts;
use crate::domain::catalog::{PolicyLevel, PolicyOwner};
use crate::domain::urls::gateway_path;
use crate::ui::components::activity::ActivityList;
use crate::ui::components::contracts::ContractTable;
use crate::ui::components::copy::use_gateway_url;
use crate::ui::components::loaded::Loaded;
use crate::ui::components::paging::{FilterBox, Pager, use_page};
use crate::ui::components::policy_editor::PolicyChainEditor;

#[component]
pub fn ApiPoliciesTab() -> impl IntoView {
    let ctx = use_api();
    move || {
        let _ = ctx.reload.get();
        let owner = PolicyOwner {
            level: PolicyLevel::Api,
            org: ctx.org.get(),
            entity: ctx.id.get(),
            version: ctx.version.get(),
        };
        view! { <PolicyChainEditor owner /> }
    }
}

#[component]
pub fn ApiContractsTab() -> impl IntoView {
    let ctx = use_api();
    let page = use_page();
    let contracts = Resource::new(
        move || {
            (
                ctx.org.get(),
                ctx.id.get(),
                ctx.version.get(),
                ctx.reload.get(),
                page.get(),
            )
        },
        |(o, a, v, _, page)| api_contracts(o, a, v, page),
    );
    view! {
        <FilterBox page label="Filter contracts" />
        <Loaded resource=contracts let:list>
            {
                let info = list.info();
                view! {
                    <ContractTable contracts=list.items show_client=true on_delete=None />
                    <Pager page info />
                }
            }
        </Loaded>
    }
}

#[component]
pub fn ApiEndpointTab() -> impl IntoView {
    let ctx = use_api();
    let path = move || gateway_path(&ctx.org.get(), &ctx.id.get(), &ctx.version.get());
    let gateway = use_gateway_url();
    view! {
        <section class="max-w-3xl rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
            <h2 class="text-base font-semibold">"Managed endpoint"</h2>
            <p class="mt-1 text-sm text-slate-600">"Consumers call this API through the Gatehouse gateway at:"</p>
            <code class="mt-3 block break-all rounded-md bg-slate-900 px-4 py-3 font-mono text-sm text-emerald-300" data-testid="managed-endpoint">
                {move || format!("{}{}", gateway.get(), path())}
            </code>
            <p class="mt-3 text-sm text-slate-600">
                "Private APIs expect the client's API key in the X-API-Key header (or the apikey query parameter)."
            </p>
        </section>
    }
}

#[component]
pub fn ApiActivityTab() -> impl IntoView {
    let ctx = use_api();
    view! { <ActivityList org=ctx.org entity=("api", ctx.id.into()) reload=ctx.reload /> }
}
