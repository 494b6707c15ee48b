//! The client version's Overview tab: status, description, API key, its keys with Rotate and
//! Revoke, and its contracts.

use leptos::prelude::*;
use leptos_router::components::A;

use super::use_client;
use crate::domain::catalog::ClientVersionView;
use crate::domain::keys::ClientKeys;
use crate::domain::refs::VersionRef;
use crate::error::AppError;
use crate::ui::components::badge::StatusBadge;
use crate::ui::components::copy::SecretValue;
use crate::ui::components::keys::{KeysPanel, keys_resource};
use crate::ui::components::loaded::Loaded;
use crate::ui::components::table::EmptyState;

#[component]
pub fn ClientOverviewTab() -> impl IntoView {
    let ctx = use_client();
    let keys =
        keys_resource(move || VersionRef::new(ctx.org.get(), ctx.id.get(), ctx.version.get()));
    view! {
        // Quiet: the page's header already shows why the version did not load.
        <Loaded resource=ctx.view quiet=true let:v>
            <Overview view=v keys />
        </Loaded>
    }
}

/// The portal page that creates a contract for this client version.
pub fn portal_signup_link(v: &ClientVersionView) -> String {
    v.version_ref().portal_for_client_url()
}

#[component]
fn Overview(
    view: ClientVersionView,
    keys: Resource<Result<ClientKeys, AppError>>,
) -> impl IntoView {
    let portal = portal_signup_link(&view);
    view! {
        <div class="grid gap-6 lg:grid-cols-3">
            <section class="rounded-xl border border-slate-200 bg-white p-5 shadow-sm lg:col-span-1" aria-label="Details">
                <dl class="space-y-4 text-sm">
                    <div>
                        <dt class="font-medium text-slate-500">"Status"</dt>
                        <dd class="mt-1"><StatusBadge label=view.status.label() /></dd>
                    </div>
                    <div>
                        <dt class="font-medium text-slate-500">"Description"</dt>
                        <dd class="mt-1 text-slate-800">{if view.description.is_empty() { "—".to_string() } else { view.description.clone() }}</dd>
                    </div>
                </dl>
            </section>
            <section class="rounded-xl border border-slate-200 bg-white p-5 shadow-sm lg:col-span-2" aria-label="API Key">
                <h2 class="text-base font-semibold">"API Key"</h2>
                <p class="mt-1 text-sm text-slate-600">
                    "Requests through the gateway identify this client version by this key, in the X-API-Key header. It identifies a client; it does not authenticate a user."
                </p>
                <div class="mt-3">
                    {match view.api_key.clone() {
                        Some(key) => view! { <SecretValue value=key testid="api-key" /> }.into_any(),
                        None => view! {
                            <p class="rounded-md bg-slate-100 px-3 py-1.5 text-sm text-slate-600" data-testid="api-key-hidden">
                                "•••••••• Only members who may edit clients can see this key."
                            </p>
                        }.into_any(),
                    }}
                </div>
            </section>
        </div>
        <section class="mt-6" aria-label="API keys">
            <h2 class="mb-3 text-base font-semibold">"API keys"</h2>
            <KeysPanel client=view.version_ref() keys />
        </section>
        <section class="mt-6" aria-label="Contracts">
            <h2 class="mb-3 text-base font-semibold">"Contracts"</h2>
            {view.rejections.first().map(|r| view! {
                <p class="mb-3 rounded-md bg-red-50 px-4 py-2 text-sm text-red-800" data-testid="rejection">
                    {format!("{} rejected the request for {} ({}): {}", r.by, r.api, r.plan, r.reason)}
                </p>
            })}
            {if view.contracts.is_empty() {
                view! {
                    <EmptyState message="This client has no contracts yet.">
                        <A href=portal attr:class="font-medium text-indigo-600 hover:underline">"Click here to create a new contract"</A>
                    </EmptyState>
                }.into_any()
            } else {
                view! {
                    <ul class="space-y-2">
                        {view.contracts.into_iter().map(|c| view! {
                            <li class="flex items-center justify-between rounded-lg border border-slate-200 bg-white px-4 py-3 text-sm shadow-sm" data-testid="overview-contract">
                                <span><span class="font-medium">{c.api_name.clone()}</span>" " {c.api_version.clone()} " · " {c.plan_name.clone()} " " {c.plan_version.clone()}</span>
                                <StatusBadge label=c.status.label() />
                            </li>
                        }).collect_view()}
                    </ul>
                    <p class="mt-3 text-sm"><A href=portal attr:class="font-medium text-indigo-600 hover:underline">"Click here to create a new contract"</A></p>
                }.into_any()
            }}
        </section>
    }
}
