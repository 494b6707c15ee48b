//! The Sign Up wizard's last page: the API key and endpoint, or word that the request awaits
//! approval; then Finish.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::domain::catalog::ContractStatus;
use crate::domain::portal::SignupResult;
use crate::ui::components::copy::{CopyButton, use_gateway_url};

/// Never shown: `SignupDone` renders only once there is a result; this spares an `unwrap`.
pub(super) fn empty_result() -> SignupResult {
    SignupResult {
        status: ContractStatus::AwaitingApproval,
        client_org: String::new(),
        client_id: String::new(),
        client_version: String::new(),
        api_key: None,
        endpoint_path: String::new(),
    }
}

#[component]
pub(super) fn SignupDone(result: SignupResult) -> impl IntoView {
    let navigate = use_navigate();
    let gateway = use_gateway_url();
    let path = result.endpoint_path.clone();
    let endpoint = Signal::derive(move || format!("{}{}", gateway.get(), path));
    let key = result.api_key.clone().unwrap_or_default();
    let key_for_curl = key.clone();
    let curl = Signal::derive(move || {
        format!("curl -H 'X-API-Key: {}' {}/", key_for_curl, endpoint.get())
    });
    view! {
        <div class="mx-auto max-w-2xl">
            <h1 class="text-2xl font-semibold text-slate-900">"Sign Up"</h1>
            <section class="mt-6 rounded-xl border border-slate-200 bg-white p-6 shadow-sm" data-testid="signup-result">
                {if result.status == ContractStatus::Active {
                    view! {
                        <h2 class="text-lg font-medium text-slate-800">"API Key and Endpoint"</h2>
                        <p class="mt-1 text-sm text-slate-600">{format!("Client {} {} is registered: call the API with this key.", result.client_id, result.client_version)}</p>
                        <h3 class="mt-4 text-sm font-medium text-slate-700">"API Key"</h3>
                        <div class="mt-1 flex items-center gap-2">
                            <code class="break-all rounded-md bg-slate-100 px-3 py-1.5 font-mono text-sm" data-testid="signup-api-key">{key.clone()}</code>
                            <CopyButton text=Signal::derive(move || key.clone()) />
                        </div>
                        <h3 class="mt-4 text-sm font-medium text-slate-700">"Endpoint"</h3>
                        <div class="mt-1 flex items-center gap-2">
                            <code class="break-all rounded-md bg-slate-100 px-3 py-1.5 font-mono text-sm" data-testid="signup-endpoint">{move || endpoint.get()}</code>
                            <CopyButton text=endpoint />
                        </div>
                        <h3 class="mt-4 text-sm font-medium text-slate-700">"Try it"</h3>
                        <div class="mt-1 flex items-center gap-2">
                            <code class="break-all rounded-md bg-slate-900 px-3 py-1.5 font-mono text-xs text-emerald-300">{move || curl.get()}</code>
                            <CopyButton text=curl label="Copy curl" />
                        </div>
                    }.into_any()
                } else {
                    view! {
                        <h2 class="text-lg font-medium text-slate-800">"Request sent"</h2>
                        <p class="mt-2 text-sm text-slate-600" data-testid="awaiting-approval">
                            {format!("This plan requires approval: your request for client {} {} awaits approval by the API's provider. Your API key appears in My Clients once it is approved.", result.client_id, result.client_version)}
                        </p>
                    }.into_any()
                }}
                <div class="mt-6 flex justify-end">
                    <button type="button" class="btn-primary" on:click=move |_| navigate("/portal/clients", Default::default())>"Finish"</button>
                </div>
            </section>
            <p class="mt-4 text-center text-sm"><A href="/portal" attr:class="text-indigo-600 hover:underline">"Back to the portal"</A></p>
        </div>
    }
}
