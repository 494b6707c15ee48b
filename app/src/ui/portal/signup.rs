//! The Sign Up wizard: choose the organization and client, check the Summary, Confirm; then
//! the API key and endpoint (or word that the request awaits approval), and Finish.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::for_param;
use crate::api::portal::{PortalSignUp, portal_api, signup_organizations};
use crate::domain::catalog::ContractStatus;
use crate::domain::paging::{MAX_LIMIT, PageRequest};
use crate::domain::portal::{PortalApiDetails, SignupOrg, SignupResult, SignupTarget};
use crate::domain::{ids, text};
use crate::ui::components::copy::{CopyButton, use_gateway_url};
use crate::ui::components::form::{FieldErrors, SummaryList, TextField, collect_errors};
use crate::ui::components::loaded::Loaded;
use crate::ui::components::notice::ErrorNotice;
use crate::ui::components::outcome::follow;
use crate::ui::components::wizard::{Wizard, WizardState, WizardStep};

#[derive(Clone, PartialEq)]
struct Wanted {
    org: String,
    api: String,
    version: String,
    plan: String,
    plan_version: String,
    for_client: Option<String>,
}

#[component]
pub fn SignupPage() -> impl IntoView {
    let query = use_query_map();
    let q = query.read_untracked();
    let get = |k: &str| q.get(k).unwrap_or_default();
    let wanted = Wanted {
        org: get("org"),
        api: get("api"),
        version: get("version"),
        plan: get("plan"),
        plan_version: get("plan_version"),
        for_client: for_param(&q),
    };
    let w = wanted.clone();
    let details = Resource::new(
        move || (w.org.clone(), w.api.clone(), w.version.clone()),
        |(o, a, v)| portal_api(o, a, v),
    );
    // The largest page of organizations; signing up a given client asks for its organization.
    let first = match wanted
        .for_client
        .as_deref()
        .and_then(|f| f.split('/').next())
    {
        Some(org) => PageRequest::new(org, 0, MAX_LIMIT),
        None => PageRequest::all_first(),
    };
    let orgs = Resource::new(move || first.clone(), signup_organizations);
    view! {
        <Loaded resource=(details, orgs) let:loaded>
            {
                let (d, o) = loaded;
                view! { <SignupWizard details=d orgs=o.items wanted=wanted.clone() /> }
            }
        </Loaded>
    }
}

/// The single client version of an organization, when there is exactly one.
fn only_client(org: &SignupOrg) -> Option<String> {
    match org.clients.as_slice() {
        [c] if c.versions.len() == 1 => Some(format!("{}/{}", c.client_id, c.versions[0])),
        _ => None,
    }
}

#[component]
fn SignupWizard(details: PortalApiDetails, orgs: Vec<SignupOrg>, wanted: Wanted) -> impl IntoView {
    let Some(plan) = details
        .plans
        .iter()
        .find(|p| p.plan_id == wanted.plan && p.version == wanted.plan_version)
        .cloned()
    else {
        return view! { <ErrorNotice error=crate::error::AppError::NotFound("This API does not offer that plan.".into()) /> }.into_any();
    };
    let orgs = StoredValue::new(orgs);
    // Start from the client the user came with, else the only client of the first organization.
    let preset = wanted.for_client.as_ref().and_then(|f| {
        let mut parts = f.splitn(2, '/');
        Some((parts.next()?.to_string(), parts.next()?.to_string()))
    });
    let first_org = orgs.with_value(|o| o.first().cloned());
    let org = RwSignal::new(
        preset
            .as_ref()
            .map(|(o, _)| o.clone())
            .or_else(|| first_org.as_ref().map(|o| o.org_id.clone()))
            .unwrap_or_default(),
    );
    let existing = RwSignal::new(
        preset
            .map(|(_, cv)| cv)
            .or_else(|| first_org.as_ref().and_then(only_client))
            .unwrap_or_default(),
    );
    let has_clients = move |org_id: &str| {
        orgs.with_value(|os| {
            os.iter()
                .any(|o| o.org_id == org_id && !o.clients.is_empty())
        })
    };
    let mode_new = RwSignal::new(!has_clients(&org.get_untracked()));
    let new_name = RwSignal::new(String::new());
    let new_version = RwSignal::new("1.0".to_string());
    let state = WizardState::new();
    let errors = state.errors;
    let none_available = orgs.with_value(Vec::is_empty);

    let org_step = WizardStep {
        title: "Organization",
        fields: vec!["org", "client", "name", "version"],
        validate: Callback::new(move |_| {
            if mode_new.get_untracked() {
                collect_errors([
                    text::validate_name("name", &new_name.get_untracked()),
                    ids::validate_version("version", new_version.get_untracked().trim()),
                ])
            } else {
                let mut e = FieldErrors::new();
                if existing.get_untracked().is_empty() {
                    e.insert(
                        "client".into(),
                        "Choose one of your clients, or create a new one.".into(),
                    );
                }
                e
            }
        }),
        view: ViewFn::from(move || {
            let org_options = orgs.with_value(|os| {
                os.iter()
                    .map(|o| (o.org_id.clone(), format!("{} ({})", o.name, o.org_id)))
                    .collect::<Vec<_>>()
            });
            let clients = move || {
                let id = org.get();
                orgs.with_value(|os| {
                    os.iter()
                        .find(|o| o.org_id == id)
                        .map(|o| {
                            o.clients
                                .iter()
                                .flat_map(|c| {
                                    c.versions.iter().map(move |v| {
                                        (format!("{}/{v}", c.client_id), format!("{} {v}", c.name))
                                    })
                                })
                                .collect::<Vec<_>>()
                        })
                        .unwrap_or_default()
                })
            };
            view! {
                {if none_available {
                    view! { <p class="mb-4 rounded-md bg-sky-50 px-3 py-2 text-sm text-sky-800">"You have no organization yet: a personal organization will be created for your client."</p> }.into_any()
                } else {
                    view! {
                        <div class="mb-4">
                            <label for="field-org" class="block text-sm font-medium text-slate-700">"Organization"</label>
                            <select id="field-org" class="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
                                on:change=move |ev| {
                                    let id = event_target_value(&ev);
                                    let only = orgs.with_value(|os| os.iter().find(|o| o.org_id == id).and_then(only_client));
                                    existing.set(only.unwrap_or_default());
                                    mode_new.set(!has_clients(&id));
                                    org.set(id);
                                }>
                                {org_options.into_iter().map(|(v, l)| {
                                    let selected = v == org.get_untracked();
                                    view! { <option value=v selected=selected>{l}</option> }
                                }).collect_view()}
                            </select>
                        </div>
                    }.into_any()
                }}
                <fieldset class="mb-4">
                    <legend class="text-sm font-medium text-slate-700">"Client"</legend>
                    <label class="mt-2 flex items-center gap-2 text-sm">
                        <input type="radio" name="client-mode" prop:checked=move || !mode_new.get() disabled=move || clients().is_empty()
                            on:change=move |_| mode_new.set(false) />
                        "Use one of your clients"
                    </label>
                    <label class="mt-1 flex items-center gap-2 text-sm">
                        <input type="radio" name="client-mode" prop:checked=move || mode_new.get() on:change=move |_| mode_new.set(true) />
                        "Create a new client"
                    </label>
                </fieldset>
                <Show when=move || !mode_new.get()>
                    <div class="mb-4">
                        <label for="field-client" class="block text-sm font-medium text-slate-700">"Existing client"</label>
                        <select id="field-client" class="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
                            prop:value=move || existing.get()
                            on:change=move |ev| existing.set(event_target_value(&ev))>
                            <option value="">"Choose a client…"</option>
                            {move || clients().into_iter().map(|(v, l)| {
                                let value = v.clone();
                                view! { <option value=v selected=move || existing.get() == value>{l}</option> }
                            }).collect_view()}
                        </select>
                        {move || errors.with(|e| e.get("client").cloned()).map(|m| view! { <p class="mt-1 text-sm text-red-600" data-field-error="client">{m}</p> })}
                    </div>
                </Show>
                <Show when=move || mode_new.get()>
                    <TextField label="Name" name="name" value=new_name errors required=true />
                    <TextField label="Version" name="version" value=new_version errors required=true />
                </Show>
            }
        }),
    };
    let api_label = format!(
        "{} {} ({})",
        details.name, details.version, details.org_name
    );
    let plan_label = format!(
        "{} {}{}",
        plan.name,
        plan.version,
        if plan.requires_approval {
            " (approval required)"
        } else {
            ""
        }
    );
    let policies = if plan.policies.is_empty() {
        "No limits".to_string()
    } else {
        plan.policies.join("; ")
    };
    let summary = WizardStep::read_only("Summary", move || {
        let (a, p, pol) = (api_label.clone(), plan_label.clone(), policies.clone());
        view! {
            <SummaryList items=vec![
                ("API", Signal::derive(move || a.clone())),
                ("Plan", Signal::derive(move || p.clone())),
                ("Policies", Signal::derive(move || pol.clone())),
                ("Organization", Signal::derive(move || if org.get().is_empty() { "Your personal organization".to_string() } else { org.get() })),
                ("Client", Signal::derive(move || if mode_new.get() { format!("{} {} (new)", new_name.get(), new_version.get()) } else { existing.get().replace('/', " ") })),
            ] />
        }
    });
    let steps = vec![org_step, summary];

    let confirm = ServerAction::<PortalSignUp>::new();
    let result = RwSignal::new(None::<SignupResult>);
    let failure = state.failure(steps.clone());
    follow(confirm.value(), None, move |r| result.set(Some(r)), failure);
    let w = StoredValue::new(wanted);
    view! {
        <Show
            when=move || result.get().is_none()
            fallback=move || view! { <SignupDone result=result.get().unwrap_or_else(empty_result) /> }
        >
            <Wizard
                title="Sign Up"
                steps=steps.clone()
                state
                submit_label="Confirm"
                pending=confirm.pending()
                on_submit=move |_| {
                    state.form_error.set(None);
                    let target = if mode_new.get_untracked() {
                        let o = org.get_untracked();
                        SignupTarget::New { org: (!o.is_empty()).then_some(o), name: new_name.get_untracked(), version: new_version.get_untracked() }
                    } else {
                        let cv = existing.get_untracked();
                        let (client, version) = cv.split_once('/').unwrap_or((&cv, ""));
                        SignupTarget::Existing { org: org.get_untracked(), client: client.to_string(), version: version.to_string() }
                    };
                    let w = w.get_value();
                    confirm.dispatch(PortalSignUp { api_org: w.org, api: w.api, api_version: w.version, plan: w.plan, plan_version: w.plan_version, target });
                }
            />
        </Show>
    }
    .into_any()
}

fn empty_result() -> SignupResult {
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
fn SignupDone(result: SignupResult) -> impl IntoView {
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
