//! The header shared by API and plan version pages: kind, name, version switcher, status,
//! and a New Version form.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::ui::components::badge::StatusBadge;
use crate::ui::components::form::{FieldErrors, TextField};

/// One parameter of the current route (org, api, plan, client, version), as a memo.
pub fn route_param(name: &'static str) -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get(name).unwrap_or_default())
}

#[component]
pub fn VersionHeader(
    kind: &'static str,
    name: String,
    org: String,
    /// `(version, link)` for each version.
    versions: Vec<(String, String)>,
    current: String,
    status: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="flex items-start justify-between gap-6">
            <div>
                <p class="text-xs font-medium uppercase tracking-wide text-slate-500">
                    <A href=format!("/orgs/{org}") attr:class="hover:underline">{org.clone()}</A>
                    " / " {kind}
                </p>
                <h1 class="mt-1 flex items-center gap-3 text-2xl font-semibold text-slate-900">
                    {name}
                    <StatusBadge label=status />
                </h1>
                <nav class="mt-2 flex flex-wrap items-center gap-2 text-sm" aria-label="Versions">
                    <span class="text-slate-500">"Version"</span>
                    {versions.into_iter().map(|(v, href)| {
                        let active = v == current;
                        view! {
                            <A href=href attr:class=if active {
                                "rounded-md bg-indigo-600 px-2 py-0.5 font-mono text-xs text-white"
                            } else {
                                "rounded-md bg-slate-100 px-2 py-0.5 font-mono text-xs text-slate-700 hover:bg-slate-200"
                            }>{v}</A>
                        }
                    }).collect_view()}
                </nav>
            </div>
            <div class="flex shrink-0 flex-wrap justify-end gap-2">{children()}</div>
        </div>
    }
}

/// The inline "New Version" form; `on_create` gets the new version text.
#[component]
pub fn NewVersionForm(
    open: RwSignal<bool>,
    errors: RwSignal<FieldErrors>,
    #[prop(into)] on_create: Callback<String>,
) -> impl IntoView {
    let version = RwSignal::new(String::new());
    view! {
        <Show when=move || open.get()>
            <form
                class="mt-4 flex max-w-lg items-start gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
                on:submit=move |ev| {
                    ev.prevent_default();
                    on_create.run(version.get_untracked().trim().to_string());
                }
            >
                <div class="flex-1">
                    <TextField label="New version" name="version" value=version errors help="It starts as a copy of this version." />
                </div>
                <button type="button" class="btn-secondary mt-6" on:click=move |_| open.set(false)>"Cancel"</button>
                <button type="submit" class="btn-primary mt-6">"Create Version"</button>
            </form>
        </Show>
    }
}
