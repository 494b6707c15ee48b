//! The Create Organization wizard: Details, then Summary.

use crate::domain::refs::org_url;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::api::orgs::CreateOrganization;
use crate::domain::{ids, text};
use crate::ui::components::form::{SummaryList, TextArea, TextField, collect_errors};
use crate::ui::components::outcome::follow;
use crate::ui::components::toast::use_toasts;
use crate::ui::components::wizard::{Wizard, WizardState, WizardStep};

#[component]
pub fn CreateOrganizationPage() -> impl IntoView {
    let toasts = use_toasts();
    let navigate = use_navigate();
    let name = RwSignal::new(String::new());
    let id = RwSignal::new(String::new());
    // The id follows the name until the user edits the id themselves.
    let id_edited = RwSignal::new(false);
    let description = RwSignal::new(String::new());
    let state = WizardState::new();
    let errors = state.errors;

    let details = WizardStep {
        title: "Details",
        fields: vec!["name", "id", "description"],
        validate: Callback::new(move |_| {
            collect_errors([
                text::validate_name("name", &name.get_untracked()),
                ids::validate_id("id", id.get_untracked().trim()),
                text::validate_description("description", &description.get_untracked()),
            ])
        }),
        view: ViewFn::from(move || {
            view! {
                <TextField
                    label="Name"
                    name="name"
                    value=name
                    errors
                    required=true
                    autofocus=true
                    on_edit=move |v: String| {
                        if !id_edited.get_untracked() {
                            id.set(ids::slug_from_name(&v));
                        }
                    }
                />
                <TextField
                    label="Organization ID"
                    name="id"
                    value=id
                    errors
                    required=true
                    help="Used in URLs, including the gateway's. Letters, digits, '-' and '_'."
                    on_edit=move |_| id_edited.set(true)
                />
                <TextArea label="Description" name="description" value=description errors help="Optional; you can change it later." />
            }
        }),
    };
    let summary = WizardStep::read_only("Summary", move || {
        view! {
            <SummaryList items=vec![
                ("Name", Signal::derive(move || name.get())),
                ("Organization ID", Signal::derive(move || id.get())),
                ("Description", Signal::derive(move || description.get())),
            ] />
        }
    });
    let steps = vec![details, summary];

    let create = ServerAction::<CreateOrganization>::new();
    let created = move |new_id: String| {
        toasts.success(format!("Organization {new_id} created."));
        navigate(&org_url(&new_id), Default::default());
    };
    follow(create.value(), None, created, state.failure(steps.clone()));

    view! {
        <Wizard
            title="Create Organization"
            steps
            state
            submit_label="Create Organization"
            pending=create.pending()
            on_submit=move |_| {
                state.form_error.set(None);
                create.dispatch(CreateOrganization {
                    id: id.get_untracked(),
                    name: name.get_untracked(),
                    description: description.get_untracked(),
                });
            }
        />
    }
}
