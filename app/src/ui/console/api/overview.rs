//! The API version's Overview tab: status checklist, implementation, documentation.

use leptos::prelude::*;

use super::use_api;
use crate::api::apis::{SetApiImplementation, UpdateApiDetails};
use crate::domain::catalog::ApiVersionView;
use crate::domain::lifecycle::{ApiChange, api_change_allowed};
use crate::domain::urls;
use crate::ui::components::badge::StatusBadge;
use crate::ui::components::form::{FieldErrors, TextArea, TextField, collect_errors};
use crate::ui::components::loaded::Loaded;
use crate::ui::components::markdown::{Markdown, MarkdownPreview};
use crate::ui::components::notice::FormError;
use crate::ui::components::outcome::{Failure, follow};

#[component]
pub fn ApiOverviewTab() -> impl IntoView {
    let ctx = use_api();
    view! {
        // Quiet: the page's header already shows why the version did not load.
        <Loaded resource=ctx.view quiet=true let:v>
            <Overview view=v />
        </Loaded>
    }
}

#[component]
fn Overview(view: ApiVersionView) -> impl IntoView {
    view! {
        <div class="grid gap-6 lg:grid-cols-3">
            <StatusPanel view=view.clone() />
            <ImplementationForm view=view.clone() />
        </div>
        <DocumentationForm view />
    }
}

/// The status, its checklist towards publishing, and who may call the API.
#[component]
fn StatusPanel(view: ApiVersionView) -> impl IntoView {
    view! {
        <section class="rounded-xl border border-slate-200 bg-white p-5 shadow-sm lg:col-span-1" aria-label="Status">
            <h2 class="flex items-center gap-2 text-base font-semibold">"Status" <StatusBadge label=view.status.as_str() /></h2>
            <ul class="mt-4 space-y-2 text-sm" data-testid="checklist">
                {view.readiness.items().into_iter().map(|(label, ok)| view! {
                    <li class="flex items-start gap-2" data-done=ok.to_string()>
                        <span class=if ok { "text-emerald-600" } else { "text-slate-400" } aria-hidden="true">{if ok { "✔" } else { "○" }}</span>
                        <span class=if ok { "text-slate-800" } else { "text-slate-500" }>{label}</span>
                    </li>
                }).collect_view()}
            </ul>
            <dl class="mt-4 space-y-1 text-sm text-slate-600">
                <div>{if view.public { "Public: anyone may call it without a contract." } else { "Private: only clients with a contract may call it." }}</div>
                <div>{if view.featured { "Featured in the Developer Portal." } else { "Not featured in the Developer Portal." }}</div>
            </dl>
        </section>
    }
}

/// The upstream endpoint, its CA, and whether the API is public.
#[component]
fn ImplementationForm(view: ApiVersionView) -> impl IntoView {
    let ctx = use_api();
    let can_implement =
        view.can_edit && api_change_allowed(view.status, ApiChange::Implementation).is_ok();
    let endpoint = RwSignal::new(view.endpoint.clone());
    let ca_pem = RwSignal::new(view.upstream_ca_pem.clone().unwrap_or_default());
    let public = RwSignal::new(view.public);
    let errors = RwSignal::new(FieldErrors::new());
    let form_error = RwSignal::new(None::<String>);
    let implement = ServerAction::<SetApiImplementation>::new();
    let failure = Failure::FieldOrForm(errors, form_error);
    follow(
        implement.value(),
        "Implementation saved.",
        move |_| ctx.refresh(),
        failure,
    );
    let key = (view.org_id, view.api_id, view.version);
    view! {
        <section class="rounded-xl border border-slate-200 bg-white p-5 shadow-sm lg:col-span-2" aria-label="Implementation">
            <h2 class="mb-4 text-base font-semibold">"Implementation"</h2>
            <form on:submit=move |ev| {
                ev.prevent_default();
                form_error.set(None);
                let checks = [
                    urls::validate_endpoint("endpoint", &endpoint.get_untracked()),
                    urls::validate_ca_pem("upstream_ca_pem", &ca_pem.get_untracked()),
                ];
                let found = collect_errors(checks);
                if !found.is_empty() {
                    errors.set(found);
                    return;
                }
                let (o, a, v) = key.clone();
                implement.dispatch(SetApiImplementation { org: o, api: a, version: v, endpoint: endpoint.get_untracked(), upstream_ca_pem: ca_pem.get_untracked(), public: public.get_untracked() });
            }>
                <FormError message=form_error />
                <fieldset disabled=!can_implement>
                    <TextField label="API Endpoint" name="endpoint" value=endpoint errors help="The upstream service the gateway forwards to, e.g. https://api.example.com/v1." />
                    <TextArea label="Trusted CA certificate (PEM)" name="upstream_ca_pem" value=ca_pem errors help="Optional, for an https:// endpoint whose certificate comes from a private CA: the CA's certificate(s), trusted in addition to the system's. Leave empty for public certificates." />
                    <label class="mb-4 flex items-center gap-2 text-sm">
                        <input type="checkbox" prop:checked=move || public.get() on:change=move |ev| public.set(event_target_checked(&ev)) />
                        "Public API (callable without a contract or API key)"
                    </label>
                    <Show when=move || can_implement>
                        <button type="submit" class="btn-primary">"Save Implementation"</button>
                    </Show>
                </fieldset>
            </form>
        </section>
    }
}

/// The description and Markdown documentation, with a live preview; read-only once the
/// version can no longer change them.
#[component]
fn DocumentationForm(view: ApiVersionView) -> impl IntoView {
    let ctx = use_api();
    let can_document = view.can_edit && api_change_allowed(view.status, ApiChange::Details).is_ok();
    let description = RwSignal::new(view.description.clone());
    let markdown = RwSignal::new(view.markdown.clone());
    let featured = RwSignal::new(view.featured);
    let errors = RwSignal::new(FieldErrors::new());
    let form_error = RwSignal::new(None::<String>);
    let document = ServerAction::<UpdateApiDetails>::new();
    let failure = Failure::FieldOrForm(errors, form_error);
    follow(
        document.value(),
        "Details saved.",
        move |_| ctx.refresh(),
        failure,
    );
    let key = (view.org_id, view.api_id, view.version);
    let rendered = view.markdown_html;
    let preview_start = rendered.clone();
    view! {
        <section class="mt-6 rounded-xl border border-slate-200 bg-white p-5 shadow-sm" aria-label="Documentation">
            <h2 class="mb-4 text-base font-semibold">"Documentation"</h2>
            <Show
                when=move || can_document
                fallback=move || view! { <Markdown html=Signal::derive({ let r = rendered.clone(); move || r.clone() }) /> }
            >
                <form on:submit={
                    let key = key.clone();
                    move |ev| {
                        ev.prevent_default();
                        form_error.set(None);
                        let (o, a, v) = key.clone();
                        document.dispatch(UpdateApiDetails { org: o, api: a, version: v, description: description.get_untracked(), markdown: markdown.get_untracked(), featured: featured.get_untracked() });
                    }
                }>
                    <FormError message=form_error />
                    <TextArea label="Description" name="description" value=description errors help="A short summary, shown in lists and on portal cards." />
                    <div class="grid gap-4 lg:grid-cols-2">
                        <TextArea label="Documentation (Markdown)" name="markdown" value=markdown errors />
                        <div>
                            <p class="block text-sm font-medium text-slate-700">"Preview"</p>
                            <div class="mt-1 min-h-24 rounded-md border border-slate-200 bg-slate-50 p-3"><MarkdownPreview source=markdown initial_html=preview_start.clone() /></div>
                        </div>
                    </div>
                    <label class="mb-4 flex items-center gap-2 text-sm">
                        <input type="checkbox" prop:checked=move || featured.get() on:change=move |ev| featured.set(event_target_checked(&ev)) />
                        "Featured in the Developer Portal"
                    </label>
                    <button type="submit" class="btn-primary">"Save Details"</button>
                </form>
            </Show>
        </section>
    }
}
