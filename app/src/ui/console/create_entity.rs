//! The creation wizards of APIs, plans and clients: organization
//! (skipped when preset with `?org=`), details (Name, ID, Version, Description), Summary.

use crate::domain::paging::PageRequest;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::versioned::EntityKind;
use crate::api::apis::CreateApi;
use crate::api::clients::CreateClient;
use crate::api::orgs::search_organizations;
use crate::api::plans::CreatePlan;
use crate::domain::ids;
use crate::ui::components::form::{
    FieldErrors, SelectField, SummaryList, TextArea, TextField, collect_errors,
};
use crate::ui::components::notice::Loading;
use crate::ui::components::outcome::follow;
use crate::ui::components::toast::use_toasts;
use crate::ui::components::wizard::{Wizard, WizardState, WizardStep};
use crate::ui::session::use_session;

#[component]
pub fn CreateApiPage() -> impl IntoView {
    view! { <CreateEntityWizard kind=EntityKind::Api /> }
}

#[component]
pub fn CreateClientPage() -> impl IntoView {
    view! { <CreateEntityWizard kind=EntityKind::Client /> }
}

#[component]
pub fn CreatePlanPage() -> impl IntoView {
    view! { <CreateEntityWizard kind=EntityKind::Plan /> }
}

#[component]
fn CreateEntityWizard(kind: EntityKind) -> impl IntoView {
    let query = use_query_map();
    let preset = query.read_untracked().get("org").filter(|o| !o.is_empty());
    let session = use_session();
    // Organizations where the user may create this kind of entity.
    // The first page at its largest: a wizard opened from an organization has it preset anyway.
    let orgs = Resource::new(|| (), |_| search_organizations(PageRequest::all_first()));
    let choices = move || {
        let admin = session
            .user
            .get()
            .and_then(|r| r.ok().flatten())
            .is_some_and(|u| u.is_admin);
        orgs.get()
            .and_then(|r| r.ok())
            .map(|p| p.items)
            .unwrap_or_default()
            .into_iter()
            .filter(|o| admin || o.my_role.is_some_and(|r| r.allows(kind.permission())))
            .map(|o| (o.id.clone(), format!("{} ({})", o.name, o.id)))
            .collect::<Vec<_>>()
    };
    view! {
        <Transition fallback=Loading>
            {move || {
            let preset = preset.clone();
            Suspend::new(async move {
                let _ = orgs.await;
                let options = choices();
                view! { <EntityWizard kind preset options /> }
            })
            }}
        </Transition>
    }
}

/// What the wizard asks for, shared by its steps.
#[derive(Clone, Copy)]
struct NewEntity {
    org: RwSignal<String>,
    name: RwSignal<String>,
    id: RwSignal<String>,
    /// The id follows the name until the user edits the id themselves.
    id_edited: RwSignal<bool>,
    version: RwSignal<String>,
    description: RwSignal<String>,
}

impl NewEntity {
    fn new(org: String) -> Self {
        Self {
            org: RwSignal::new(org),
            name: RwSignal::new(String::new()),
            id: RwSignal::new(String::new()),
            id_edited: RwSignal::new(false),
            version: RwSignal::new("1.0".to_string()),
            description: RwSignal::new(String::new()),
        }
    }
}

/// The organization step, for a wizard not opened from an organization.
fn org_step(
    kind: EntityKind,
    entity: NewEntity,
    options: Vec<(String, String)>,
    errors: RwSignal<FieldErrors>,
) -> WizardStep {
    let noun = kind.noun();
    let org = entity.org;
    let has_options = !options.is_empty();
    WizardStep {
        title: "Organization",
        fields: vec!["org"],
        validate: Callback::new(move |_| {
            let mut e = FieldErrors::new();
            if org.get_untracked().is_empty() {
                e.insert(
                    "org".into(),
                    format!("Choose the organization of the new {noun}."),
                );
            }
            e
        }),
        view: ViewFn::from(move || {
            if has_options {
                view! { <SelectField label="Organization" name="org" value=org options=options.clone() errors /> }.into_any()
            } else {
                view! {
                    <p class="text-sm text-slate-600">
                        {format!("You may not create a {noun} in any organization yet: create an organization first, or ask an Owner for a role.")}
                    </p>
                }.into_any()
            }
        }),
    }
}

/// Name, ID, Version and Description.
fn details_step(entity: NewEntity, errors: RwSignal<FieldErrors>) -> WizardStep {
    let NewEntity {
        name,
        id,
        id_edited,
        version,
        description,
        ..
    } = entity;
    WizardStep {
        title: "Details",
        fields: vec!["name", "id", "version", "description"],
        validate: Callback::new(move |_| {
            collect_errors(ids::check_new_entity(
                &name.get_untracked(),
                id.get_untracked().trim(),
                version.get_untracked().trim(),
                &description.get_untracked(),
            ))
        }),
        view: ViewFn::from(move || {
            view! {
                <TextField label="Name" name="name" value=name errors required=true autofocus=true
                    on_edit=move |v: String| if !id_edited.get_untracked() { id.set(ids::slug_from_name(&v)) } />
                <TextField label="ID" name="id" value=id errors required=true
                    help="Part of the URLs, including the gateway's. Letters, digits, '-' and '_'."
                    on_edit=move |_| id_edited.set(true) />
                <TextField label="Version" name="version" value=version errors required=true help="Numbers or text, such as 1.0 or 2024-06." />
                <TextArea label="Description" name="description" value=description errors help="Optional; you can change it later." />
            }
        }),
    }
}

fn summary_step(entity: NewEntity) -> WizardStep {
    let NewEntity {
        org,
        name,
        id,
        version,
        description,
        ..
    } = entity;
    WizardStep::read_only("Summary", move || {
        view! {
            <SummaryList items=vec![
                ("Organization", Signal::derive(move || org.get())),
                ("Name", Signal::derive(move || name.get())),
                ("ID", Signal::derive(move || id.get())),
                ("Version", Signal::derive(move || version.get())),
                ("Description", Signal::derive(move || description.get())),
            ] />
        }
    })
}

/// The three creation actions; the wizard dispatches its kind's.
#[derive(Clone, Copy)]
struct CreateActions {
    api: ServerAction<CreateApi>,
    plan: ServerAction<CreatePlan>,
    client: ServerAction<CreateClient>,
}

impl CreateActions {
    fn new() -> Self {
        Self {
            api: ServerAction::new(),
            plan: ServerAction::new(),
            client: ServerAction::new(),
        }
    }

    fn pending(self) -> Signal<bool> {
        Signal::derive(move || {
            self.api.pending().get() || self.plan.pending().get() || self.client.pending().get()
        })
    }

    fn dispatch(self, kind: EntityKind, entity: NewEntity) {
        let (org, id, name, version, description) = (
            entity.org.get_untracked(),
            entity.id.get_untracked(),
            entity.name.get_untracked(),
            entity.version.get_untracked(),
            entity.description.get_untracked(),
        );
        match kind {
            EntityKind::Api => {
                self.api.dispatch(CreateApi {
                    org,
                    id,
                    name,
                    version,
                    description,
                });
            }
            EntityKind::Plan => {
                self.plan.dispatch(CreatePlan {
                    org,
                    id,
                    name,
                    version,
                    description,
                });
            }
            EntityKind::Client => {
                self.client.dispatch(CreateClient {
                    org,
                    id,
                    name,
                    version,
                    description,
                });
            }
        }
    }
}

#[component]
fn EntityWizard(
    kind: EntityKind,
    preset: Option<String>,
    options: Vec<(String, String)>,
) -> impl IntoView {
    let toasts = use_toasts();
    let navigate = use_navigate();
    let first = options.first().map(|o| o.0.clone());
    let entity = NewEntity::new(preset.clone().or(first).unwrap_or_default());
    let state = WizardState::new();

    let mut steps = Vec::new();
    if preset.is_none() {
        steps.push(org_step(kind, entity, options, state.errors));
    }
    steps.push(details_step(entity, state.errors));
    steps.push(summary_step(entity));

    let actions = CreateActions::new();
    let created = move |new_id: String| {
        toasts.success(format!("{} {new_id} created.", kind.noun()));
        let org = entity.org.get_untracked();
        let version = entity.version.get_untracked();
        navigate(
            &kind.page(&org, &new_id, version.trim()),
            Default::default(),
        );
    };
    let failure = state.failure(steps.clone());
    follow(actions.api.value(), None, created.clone(), failure);
    follow(actions.plan.value(), None, created.clone(), failure);
    follow(actions.client.value(), None, created, failure);
    let title = match kind {
        EntityKind::Api => "Create API",
        EntityKind::Plan => "Create Plan",
        EntityKind::Client => "Create Client",
    };

    view! {
        <Wizard
            title
            steps
            state
            submit_label=title
            pending=actions.pending()
            on_submit=move |_| {
                state.form_error.set(None);
                actions.dispatch(kind, entity);
            }
        />
    }
}
