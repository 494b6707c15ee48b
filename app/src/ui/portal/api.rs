//! An API in the portal: documentation, versions, the managed endpoint, its plans, and its API
//! reference when it has an OpenAPI definition.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::for_param;
use super::reference::{ApiReferenceSection, reference_resource};
use crate::api::portal::portal_api;
use crate::domain::openapi::ApiReference;
use crate::domain::portal::PortalApiDetails;
use crate::domain::refs::VersionRef;
use crate::domain::urls::gateway_path;
use crate::error::AppError;
use crate::ui::components::copy::{CopyButton, use_gateway_url};
use crate::ui::components::loaded::Loaded;
use crate::ui::components::markdown::Markdown;

#[component]
pub fn PortalApiPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        let p = params.read();
        let q = query.read();
        (
            p.get("org").unwrap_or_default(),
            p.get("api").unwrap_or_default(),
            q.get("version").unwrap_or_default(),
        )
    };
    let details = Resource::new(key, |(o, a, v)| portal_api(o, a, v));
    let reference = reference_resource(key);
    view! {
        <Loaded resource=details let:d>
            {
                let for_client = for_param(&query.read_untracked());
                view! { <Details details=d for_client reference /> }
            }
        </Loaded>
    }
}

#[component]
fn Details(
    details: PortalApiDetails,
    for_client: Option<VersionRef>,
    reference: Resource<Result<Option<ApiReference>, AppError>>,
) -> impl IntoView {
    let gateway = use_gateway_url();
    let path = gateway_path(&details.org_id, &details.api_id, &details.version);
    let endpoint = Signal::derive(move || format!("{}{}", gateway.get(), path));
    let markdown = details.markdown_html.clone();
    let d = details.clone();
    let reference_of = details.version_ref();
    view! {
        <div class="grid gap-8 lg:grid-cols-3">
            <div class="lg:col-span-2">
                <p class="text-xs font-medium uppercase tracking-wide text-slate-500">{details.org_name.clone()}</p>
                <h1 class="mt-1 text-3xl font-semibold text-slate-900">{details.name.clone()}</h1>
                <p class="mt-2 text-slate-600">{details.description.clone()}</p>
                <nav class="mt-4 flex items-center gap-2 text-sm" aria-label="Versions">
                    <span class="text-slate-500">"Version"</span>
                    {details.versions.clone().into_iter().map(|v| {
                        let active = v == details.version;
                        view! {
                            <A href=details.api_ref().at(v.clone()).portal_url(None)
                                attr:class=if active { "rounded-md bg-indigo-600 px-2 py-0.5 font-mono text-xs text-white" } else { "rounded-md bg-slate-100 px-2 py-0.5 font-mono text-xs text-slate-700 hover:bg-slate-200" }>
                                {v.clone()}
                            </A>
                        }
                    }).collect_view()}
                </nav>
                <section class="mt-6 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
                    <h2 class="text-base font-semibold">"Endpoint"</h2>
                    <div class="mt-2 flex items-center gap-2">
                        <code class="break-all rounded-md bg-slate-100 px-3 py-1.5 font-mono text-sm" data-testid="portal-endpoint">{move || endpoint.get()}</code>
                        <CopyButton text=endpoint />
                    </div>
                    <p class="mt-2 text-sm text-slate-600">
                        {if details.public { "This API is public: call it without signing up." } else { "Send your client's API key in the X-API-Key header." }}
                    </p>
                </section>
                <section class="mt-6 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
                    <Markdown html=Signal::derive(move || markdown.clone()) />
                </section>
                <ApiReferenceSection api=reference_of reference />
            </div>
            <aside aria-label="Plans">
                <h2 class="text-lg font-semibold">"Plans"</h2>
                {if d.public && d.plans.is_empty() {
                    view! { <p class="mt-2 text-sm text-slate-600">"No plan needed: this API is public."</p> }.into_any()
                } else {
                    view! {
                        <ul class="mt-3 space-y-3">
                            {d.plans.iter().map(|p| {
                                let href = d
                                    .version_ref()
                                    .portal_signup_url(&p.plan_ref(&d.org_id), for_client.as_ref());
                                view! {
                                    <li class="rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-testid="portal-plan" data-plan=p.name.clone()>
                                        <div class="flex items-center justify-between">
                                            <h3 class="font-semibold">{p.name.clone()} " " <span class="font-mono text-xs text-slate-500">{p.version.clone()}</span></h3>
                                            {if p.requires_approval {
                                                view! { <span class="rounded-full bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-800">"Approval required"</span> }.into_any()
                                            } else {
                                                view! { <span class="rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-medium text-emerald-800">"No approval needed"</span> }.into_any()
                                            }}
                                        </div>
                                        <ul class="mt-2 list-disc pl-5 text-sm text-slate-600">
                                            {if p.policies.is_empty() {
                                                view! { <li>"No limits"</li> }.into_any()
                                            } else {
                                                p.policies.iter().map(|s| view! { <li>{s.clone()}</li> }).collect_view().into_any()
                                            }}
                                        </ul>
                                        <A href=href attr:class="mt-3 inline-flex items-center rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-indigo-700">"Sign Up"</A>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </aside>
        </div>
    }
}
