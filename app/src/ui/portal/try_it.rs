//! The Try it panel of one operation in the portal's API reference: the client whose key is
//! used (shown masked), the operation's path, query and header parameters and body prefilled
//! from the definition's examples; Send relays the call through the portal server
//! (`api::try_it`) and shows the gateway's answer with a curl of the same request.

use leptos::prelude::*;

use crate::api::try_it::{try_it_send, try_it_target};
use crate::domain::openapi::{Operation, ParamLocation, Parameter};
use crate::domain::refs::VersionRef;
use crate::domain::try_it::{TryRequest, TryResponse, TryTarget, can_send, field_value};
use crate::ui::components::copy::CopyButton;
use crate::ui::components::form::{FieldErrors, show_error};
use crate::ui::components::loaded::Loaded;

const INPUT: &str =
    "mt-1 block w-full rounded-md border border-slate-300 bg-white px-2 py-1 font-mono text-sm";
/// The client choice that sends no key (a public API).
const NO_CLIENT: &str = "";

/// The "Try it" button of an operation and, once opened, its panel.
#[component]
pub fn TryIt(api: VersionRef, op: Operation) -> impl IntoView {
    if !can_send(&op.method) {
        return ().into_any();
    }
    let open = RwSignal::new(false);
    let label = format!("Try it: {} {}", op.method, op.path);
    view! {
        <div class="mt-3">
            <button type="button" class="btn-secondary" aria-expanded=move || open.get().to_string()
                aria-label=label on:click=move |_| open.update(|o| *o = !*o)>"Try it"</button>
            <Show when=move || open.get()>
                <TryPanel api=api.clone() op=op.clone() />
            </Show>
        </div>
    }
    .into_any()
}

/// A parameter's field: its value starts as the definition's example.
#[derive(Clone)]
struct Field {
    param: Parameter,
    value: RwSignal<String>,
}

fn fields(op: &Operation) -> Vec<Field> {
    op.parameters
        .iter()
        // Cookies are the browser's business; the relay sends none.
        .filter(|p| p.location != ParamLocation::Cookie)
        .map(|p| Field {
            param: p.clone(),
            value: RwSignal::new(p.example.as_deref().map(field_value).unwrap_or_default()),
        })
        .collect()
}

/// The values of `fields` at `location`; optional parameters left empty are not sent.
fn values(fields: &[Field], location: ParamLocation) -> Vec<(String, String)> {
    fields
        .iter()
        .filter(|f| f.param.location == location)
        .map(|f| (f.param.name.clone(), f.value.get_untracked()))
        .filter(|(_, v)| location == ParamLocation::Path || !v.is_empty())
        .collect()
}

/// What the user fills in for one operation, started from the definition's examples.
#[derive(Clone)]
struct Form {
    method: String,
    path: String,
    params: Vec<Field>,
    body: RwSignal<String>,
    /// The request body's media type (JSON first), sent as Content-Type with a body.
    content_type: Option<String>,
}

impl Form {
    fn new(op: &Operation) -> Self {
        let media = op.request_body.as_ref().and_then(|b| {
            b.media
                .iter()
                .find(|m| m.content_type.contains("json"))
                .or(b.media.first())
                .cloned()
        });
        Self {
            method: op.method.clone(),
            path: op.path.clone(),
            params: fields(op),
            content_type: media.as_ref().map(|m| m.content_type.clone()),
            body: RwSignal::new(media.and_then(|m| m.example).unwrap_or_default()),
        }
    }

    fn request(&self) -> TryRequest {
        let mut headers = values(&self.params, ParamLocation::Header);
        let body = Some(self.body.get_untracked()).filter(|b| !b.trim().is_empty());
        if let (Some(ct), Some(_)) = (&self.content_type, &body) {
            headers.push(("content-type".into(), ct.clone()));
        }
        TryRequest {
            method: self.method.clone(),
            path: self.path.clone(),
            path_params: values(&self.params, ParamLocation::Path),
            query: values(&self.params, ParamLocation::Query),
            headers,
            body,
        }
    }
}

/// The client the user picked, else the first offered (none: no key, for a public API).
fn chosen_client(target: &TryTarget, picked: Option<String>) -> Option<VersionRef> {
    match picked {
        Some(p) => target.clients.iter().find(|c| c.client.to_string() == p),
        None => target.clients.first(),
    }
    .map(|c| c.client.clone())
}

#[component]
fn TryPanel(api: VersionRef, op: Operation) -> impl IntoView {
    // Made only once the panel is opened, in the browser: never part of a hydrating page.
    let target = {
        let api = api.clone();
        Resource::new(
            move || (api.org.clone(), api.id.clone(), api.version.clone()),
            |(o, a, v)| try_it_target(o, a, v),
        )
    };
    let form = Form::new(&op);
    let picked = RwSignal::new(None::<String>);
    let errors = RwSignal::new(FieldErrors::new());
    let failure = RwSignal::new(None::<String>);
    let send = Action::new(
        move |input: &(VersionRef, Option<VersionRef>, TryRequest)| {
            let (api, client, request) = input.clone();
            async move { try_it_send(api, client, request).await }
        },
    );
    Effect::new(move |_| {
        if let Some(Err(e)) = send.value().get() {
            failure.set(show_error(errors, e));
        }
    });
    let on_send = {
        let form = form.clone();
        move |target: &TryTarget| {
            errors.set(FieldErrors::new());
            failure.set(None);
            let client = chosen_client(target, picked.get_untracked());
            send.dispatch((api.clone(), client, form.request()));
        }
    };
    let (params, body, has_body) = (form.params.clone(), form.body, op.request_body.is_some());
    view! {
        <div class="mt-3 rounded-lg border border-indigo-200 bg-indigo-50/40 p-4" data-testid="try-it">
            <Loaded resource=target let:t>
                {
                    let on_send = on_send.clone();
                    let t2 = t.clone();
                    view! {
                        <ClientChoice target=t.clone() picked errors />
                        <ParamFields params=params.clone() errors />
                        {has_body.then(|| view! {
                            <label class="mt-3 block text-sm font-medium text-slate-700">"Body"
                                <textarea class=INPUT rows="6" data-testid="try-body" prop:value=move || body.get()
                                    on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                            </label>
                        })}
                        <Message errors name="body" />
                        <Message errors name="headers" />
                        <div class="mt-3 flex items-center gap-3">
                            <button type="button" class="btn-primary" disabled=move || send.pending().get()
                                on:click=move |_| on_send(&t2)>
                                {move || if send.pending().get() { "Sending…" } else { "Send" }}
                            </button>
                            <span class="text-xs text-slate-500">{format!("to {}", t.endpoint)}</span>
                        </div>
                        <Message errors name="send" />
                        {move || failure.get().map(|m| view! { <p class="mt-2 text-sm text-red-600" role="alert">{m}</p> })}
                    }
                }
            </Loaded>
            {move || send.value().get().and_then(Result::ok).map(|r| view! { <Answer answer=r /> })}
        </div>
    }
}

#[component]
fn Message(errors: RwSignal<FieldErrors>, name: &'static str) -> impl IntoView {
    move || {
        errors.with(|e| e.get(name).cloned()).map(|m| {
            view! {
                <p class="mt-1 text-sm text-red-600" data-field-error=name>{m}</p>
            }
        })
    }
}

#[component]
fn ClientChoice(
    target: TryTarget,
    picked: RwSignal<Option<String>>,
    errors: RwSignal<FieldErrors>,
) -> impl IntoView {
    if target.clients.is_empty() && !target.public {
        return view! {
            <p class="text-sm text-slate-700" data-testid="try-no-client">
                "You have no registered client with an active contract for this API. Sign up to one of its plans to try it."
            </p>
        }
        .into_any();
    }
    let public = target.public;
    let first = target
        .clients
        .first()
        .map(|c| c.client.to_string())
        .unwrap_or_else(|| NO_CLIENT.to_string());
    view! {
        <label class="block text-sm font-medium text-slate-700">"Client"
            <select class=INPUT data-testid="try-client" prop:value=move || picked.get().unwrap_or_else(|| first.clone())
                on:change=move |ev| picked.set(Some(event_target_value(&ev)))>
                {target.clients.into_iter().map(|c| {
                    let value = c.client.to_string();
                    let label = format!("{} {} ({}) · key {}", c.name, c.client.version, c.client.org, c.key_hint);
                    view! { <option value=value>{label}</option> }
                }).collect_view()}
                {public.then(|| view! { <option value=NO_CLIENT>"No client (public API, no key)"</option> })}
            </select>
        </label>
        <Message errors name="client" />
    }
    .into_any()
}

#[component]
fn ParamFields(params: Vec<Field>, errors: RwSignal<FieldErrors>) -> impl IntoView {
    view! {
        <div class="mt-3 grid gap-2 md:grid-cols-2">
            {params.into_iter().map(|f| {
                let label = format!("{} ({}){}", f.param.name, f.param.location.label(), if f.param.required { " *" } else { "" });
                let value = f.value;
                view! {
                    <label class="block text-sm text-slate-700" data-testid="try-param" data-name=f.param.name.clone()>{label}
                        <input class=INPUT prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
                    </label>
                }
            }).collect_view()}
        </div>
        <Message errors name="path" />
    }
}

fn status_class(status: u16) -> &'static str {
    match status {
        200..=299 => "bg-emerald-100 text-emerald-800",
        400..=499 => "bg-amber-100 text-amber-800",
        _ => "bg-red-100 text-red-800",
    }
}

#[component]
fn Answer(answer: TryResponse) -> impl IntoView {
    let curl = answer.curl.clone();
    view! {
        <section class="mt-4" aria-label="Response" data-testid="try-response">
            <div class="flex items-center gap-3">
                <span class=format!("rounded px-2 py-0.5 font-mono text-sm font-semibold {}", status_class(answer.status))
                    data-testid="try-status">{answer.status}</span>
                <span class="text-xs text-slate-500" data-testid="try-latency">{format!("{:.1} ms", answer.latency_ms)}</span>
            </div>
            <details class="mt-2 text-xs">
                <summary class="cursor-pointer text-slate-600">{format!("Headers ({})", answer.headers.len())}</summary>
                <table class="mt-1 font-mono">
                    {answer.headers.into_iter().map(|(n, v)| view! { <tr><td class="pr-3 text-slate-500">{n}</td><td>{v}</td></tr> }).collect_view()}
                </table>
            </details>
            <pre class="mt-2 max-h-96 overflow-auto rounded-md bg-slate-900 p-3 text-xs text-emerald-200" data-testid="try-body-out">{answer.body}</pre>
            {answer.truncated.then(|| view! { <p class="text-xs text-amber-700">"The body was longer than 256 KiB: only its beginning is shown."</p> })}
            <div class="mt-3 flex items-center justify-between">
                <h5 class="text-xs font-semibold uppercase text-slate-500">"curl"</h5>
                <CopyButton text=Signal::derive({ let c = curl.clone(); move || c.clone() }) label="Copy curl" />
            </div>
            <pre class="mt-1 overflow-auto rounded-md bg-slate-100 p-3 text-xs" data-testid="try-curl">{curl}</pre>
        </section>
    }
}
