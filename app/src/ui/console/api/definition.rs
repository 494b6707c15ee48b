//! The API version's Definition tab: its OpenAPI 3.0 or 3.1 document, pasted or uploaded, checked
//! by the server (errors at the field, saying where), fixed once the version is published.

use leptos::prelude::*;

use super::use_api;
use crate::api::definitions::{SetDefinition, get_definition};
use crate::domain::catalog::ApiVersionView;
use crate::domain::lifecycle::{ApiChange, api_change_allowed};
use crate::domain::openapi::{Definition, MAX_DOCUMENT_BYTES};
use crate::ui::components::form::FieldErrors;
use crate::ui::components::loaded::Loaded;
use crate::ui::components::outcome::{Failure, follow};

#[component]
pub fn ApiDefinitionTab() -> impl IntoView {
    let ctx = use_api();
    let definition = Resource::new(
        move || {
            (
                ctx.org.get(),
                ctx.id.get(),
                ctx.version.get(),
                ctx.reload.get(),
            )
        },
        |(o, a, v, _)| get_definition(o, a, v),
    );
    view! {
        <Loaded resource=ctx.view quiet=true let:v>
            <Loaded resource=definition let:d>
                <Editor view=v.clone() definition=d />
            </Loaded>
        </Loaded>
    }
}

const AREA: &str = "mt-1 block h-96 w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-xs shadow-sm aria-[invalid=true]:border-red-400";

#[component]
fn Editor(view: ApiVersionView, definition: Option<Definition>) -> impl IntoView {
    let ctx = use_api();
    let editable = view.can_edit && api_change_allowed(view.status, ApiChange::Definition).is_ok();
    let text = RwSignal::new(
        definition
            .as_ref()
            .map(|d| d.text.clone())
            .unwrap_or_default(),
    );
    let errors = RwSignal::new(FieldErrors::new());
    let save = ServerAction::<SetDefinition>::new();
    follow(
        save.value(),
        "Definition saved",
        move |_| ctx.reload.update(|n| *n += 1),
        Failure::FieldOrToast(errors),
    );
    let send = move |doc: Option<String>| {
        save.dispatch(SetDefinition {
            org: ctx.org.get_untracked(),
            api: ctx.id.get_untracked(),
            version: ctx.version.get_untracked(),
            text: doc,
        });
    };
    let summary = definition.as_ref().map(|d| {
        format!(
            "{} · OpenAPI {} · {} operation{} · {}",
            if d.title.is_empty() {
                "Untitled"
            } else {
                &d.title
            },
            d.openapi,
            d.operations,
            if d.operations == 1 { "" } else { "s" },
            d.format.extension().to_uppercase()
        )
    });
    let has_one = definition.is_some();
    view! {
        <section class="rounded-xl border border-slate-200 bg-white p-5 shadow-sm" aria-label="OpenAPI definition">
            <h2 class="text-base font-semibold">"OpenAPI definition"</h2>
            <p class="mt-1 text-sm text-slate-600">
                "The portal builds this version's API reference from it, and offers it for download with the managed endpoint as its server."
            </p>
            <p class="mt-3 text-sm font-medium text-slate-800" data-testid="definition-summary">
                {summary.unwrap_or_else(|| "No definition yet.".to_string())}
            </p>
            {(!editable).then(|| view! {
                <p class="mt-2 text-sm text-slate-500">{match api_change_allowed(view.status, ApiChange::Definition) {
                    Err(why) => why,
                    Ok(()) => "Only members who may edit APIs can change it.".to_string(),
                }}</p>
            })}
            <form class="mt-4" on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                send(Some(text.get_untracked()));
            }>
                <label for="field-definition" class="block text-sm font-medium text-slate-700">"Document (YAML or JSON)"</label>
                <textarea id="field-definition" name="definition" class=AREA spellcheck="false"
                    readonly=!editable
                    aria-invalid=move || errors.with(|e| e.contains_key("definition")).to_string()
                    prop:value=move || text.get()
                    on:input=move |ev| {
                        text.set(event_target_value(&ev));
                        errors.update(|e| { e.remove("definition"); });
                    }></textarea>
                {move || errors.with(|e| e.get("definition").cloned()).map(|m| view! {
                    <p class="mt-1 whitespace-pre-wrap text-sm text-red-600" data-field-error="definition">{m}</p>
                })}
                <p class="mt-1 text-xs text-slate-500">{format!("OpenAPI 3.0 or 3.1, at most {} KiB.", MAX_DOCUMENT_BYTES / 1024)}</p>
                {editable.then(|| view! {
                    <div class="mt-4 flex flex-wrap items-center gap-3">
                        <label class="btn-secondary cursor-pointer">
                            "Upload File"
                            <input type="file" class="sr-only" accept=".yaml,.yml,.json,application/json,application/yaml"
                                data-testid="definition-file"
                                on:change=move |ev| read_file(ev, text, errors) />
                        </label>
                        <button type="submit" class="btn-primary">"Save Definition"</button>
                        {has_one.then(|| view! {
                            <button type="button" class="btn-secondary" on:click=move |_| send(None)>"Remove"</button>
                        })}
                    </div>
                })}
            </form>
        </section>
    }
}

/// Puts the chosen file's text into the editor (in the browser; the server checks it on save).
#[allow(unused_variables)]
fn read_file(ev: leptos::ev::Event, text: RwSignal<String>, errors: RwSignal<FieldErrors>) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        if file.size() > MAX_DOCUMENT_BYTES as f64 {
            errors.set(FieldErrors::from([(
                "definition".to_string(),
                format!(
                    "The file is {} bytes: at most {MAX_DOCUMENT_BYTES} (1 MiB) are accepted.",
                    file.size()
                ),
            )]));
            return;
        }
        leptos::task::spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(v) => {
                    text.set(v.as_string().unwrap_or_default());
                    errors.set(FieldErrors::new());
                }
                Err(_) => errors.set(FieldErrors::from([(
                    "definition".to_string(),
                    "The file could not be read as text.".to_string(),
                )])),
            }
        });
    }
}
