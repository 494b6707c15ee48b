//! The organization page: header with edit and delete, and its tabs.

pub mod activity;
pub mod apis;
pub mod clients;
pub mod entities;
pub mod invitations;
pub mod members;
pub mod metrics;
pub mod plans;

use crate::domain::refs::org_url;
use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::api::orgs::{DeleteOrganization, UpdateOrganization, get_organization};
use crate::domain::model::OrgView;
use crate::domain::text;
use crate::error::AppError;
use crate::ui::components::badge::StatusBadge;
use crate::ui::components::dialog::ConfirmDialog;
use crate::ui::components::form::{FieldErrors, TextArea, TextField, collect_errors};
use crate::ui::components::loaded::Loaded;
use crate::ui::components::notice::FormError;
use crate::ui::components::outcome::{Failure, follow};
use crate::ui::components::tabs::Tabs;

/// The organization shown, shared with the tabs.
#[derive(Clone, Copy)]
pub struct OrgContext {
    pub id: Memo<String>,
    pub view: Resource<Result<OrgView, AppError>>,
}

pub fn use_org() -> OrgContext {
    expect_context::<OrgContext>()
}

#[component]
pub fn OrgPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("org").unwrap_or_default());
    let reload = RwSignal::new(0u32);
    let view_res = Resource::new(
        move || (id.get(), reload.get()),
        |(id, _)| get_organization(id),
    );
    provide_context(OrgContext { id, view: view_res });

    view! {
        <Loaded resource=view_res let:org>
            <OrgHeader org reload />
        </Loaded>
        <Tabs
            base=Signal::derive(move || org_url(&id.get()))
            tabs=vec![
                ("APIs", "apis"),
                ("Plans", "plans"),
                ("Clients", "clients"),
                ("Members", "members"),
                ("Metrics", "metrics"),
                ("Logs", "logs"),
                ("Activity", "activity"),
            ]
        />
        <div class="mt-6">
            <Outlet />
        </div>
    }
}

#[component]
fn OrgHeader(org: OrgView, reload: RwSignal<u32>) -> impl IntoView {
    let navigate = use_navigate();
    let editing = RwSignal::new(false);
    let confirm_delete = RwSignal::new(false);
    let name = RwSignal::new(org.org.name.clone());
    let description = RwSignal::new(org.org.description.clone());
    let errors = RwSignal::new(FieldErrors::new());
    let form_error = RwSignal::new(None::<String>);
    let id = org.org.id.clone();

    let update = ServerAction::<UpdateOrganization>::new();
    let saved = move |_| {
        editing.set(false);
        reload.update(|r| *r += 1);
    };
    let failure = Failure::FieldOrForm(errors, form_error);
    follow(update.value(), "Organization saved.", saved, failure);
    let delete = ServerAction::<DeleteOrganization>::new();
    let deleted = move |_| navigate("/", Default::default());
    follow(
        delete.value(),
        "Organization deleted.",
        deleted,
        Failure::Toast,
    );

    let id_for_save = id.clone();
    let id_for_delete = id.clone();
    let org_name = org.org.name.clone();
    view! {
        <div class="flex items-start justify-between gap-6">
            <div>
                <p class="text-xs font-medium uppercase tracking-wide text-slate-500">"Organization"</p>
                <h1 class="mt-1 flex items-center gap-3 text-2xl font-semibold text-slate-900">
                    {org.org.name.clone()}
                    {org.my_role.map(|r| view! { <StatusBadge label=r.label() /> })}
                </h1>
                <p class="mt-1 font-mono text-xs text-slate-500">{id.clone()}</p>
                <p class="mt-2 max-w-3xl text-sm text-slate-600">{org.org.description.clone()}</p>
            </div>
            <Show when=move || org.can_edit>
                <div class="flex shrink-0 gap-2">
                    <button type="button" class="btn-secondary" on:click=move |_| editing.set(true)>"Edit"</button>
                    <button type="button" class="btn-danger" on:click=move |_| confirm_delete.set(true)>"Delete"</button>
                </div>
            </Show>
        </div>
        <Show when=move || editing.get()>
            <form
                class="mt-4 max-w-xl rounded-xl border border-slate-200 bg-white p-5 shadow-sm"
                on:submit={
                    let id = id_for_save.clone();
                    move |ev| {
                        ev.prevent_default();
                        form_error.set(None);
                        let found = collect_errors([
                            text::validate_name("name", &name.get_untracked()),
                            text::validate_description("description", &description.get_untracked()),
                        ]);
                        if !found.is_empty() {
                            errors.set(found);
                            return;
                        }
                        update.dispatch(UpdateOrganization {
                            id: id.clone(),
                            name: name.get_untracked(),
                            description: description.get_untracked(),
                        });
                    }
                }
            >
                <FormError message=form_error />
                <TextField label="Name" name="name" value=name errors required=true />
                <TextArea label="Description" name="description" value=description errors />
                <div class="flex justify-end gap-2">
                    <button type="button" class="btn-secondary" on:click=move |_| editing.set(false)>"Cancel"</button>
                    <button type="submit" class="btn-primary">"Save"</button>
                </div>
            </form>
        </Show>
        <ConfirmDialog
            open=confirm_delete
            title="Delete organization"
            message=Signal::derive(move || format!(
                "Delete {org_name}? This cannot be undone. Only an organization without APIs, plans and clients can be deleted."
            ))
            confirm_label="Delete"
            on_confirm=move |_| {
                delete.dispatch(DeleteOrganization { id: id_for_delete.clone() });
            }
        />
    }
}
