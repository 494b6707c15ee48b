//! The Sign Up wizard's Organization step: the organization, and one of its clients or a new
//! one.

use leptos::prelude::*;

use crate::domain::portal::{SignupOrg, SignupTarget};
use crate::domain::refs::VersionRef;
use crate::domain::{ids, text};
use crate::ui::components::form::{FieldErrors, TextField, collect_errors};

/// What the user picks on the Organization step. Copy, so each step's closures share it.
#[derive(Clone, Copy)]
pub(super) struct Choice {
    orgs: StoredValue<Vec<SignupOrg>>,
    pub org: RwSignal<String>,
    /// "client/version" of the existing client chosen.
    pub existing: RwSignal<String>,
    /// A new client rather than an existing one.
    pub new_client: RwSignal<bool>,
    pub new_name: RwSignal<String>,
    pub new_version: RwSignal<String>,
}

/// The single client version of an organization, when there is exactly one.
fn only_client(org: &SignupOrg) -> Option<String> {
    match org.clients.as_slice() {
        [c] if c.versions.len() == 1 => Some(format!("{}/{}", c.client_id, c.versions[0])),
        _ => None,
    }
}

fn has_clients(orgs: &[SignupOrg], org_id: &str) -> bool {
    orgs.iter()
        .any(|o| o.org_id == org_id && !o.clients.is_empty())
}

impl Choice {
    /// Starts from the client the user came with (`org/client/version`), else the only client
    /// of the first organization.
    pub fn new(orgs: Vec<SignupOrg>, for_client: Option<&VersionRef>) -> Self {
        // The client picker's values are `client/version` within the chosen organization.
        let preset = for_client.map(|f| (f.org.clone(), format!("{}/{}", f.id, f.version)));
        let first_org = orgs.first().cloned();
        let org = preset
            .as_ref()
            .map(|(o, _)| o.clone())
            .or_else(|| first_org.as_ref().map(|o| o.org_id.clone()))
            .unwrap_or_default();
        let existing = preset
            .map(|(_, cv)| cv)
            .or_else(|| first_org.as_ref().and_then(only_client))
            .unwrap_or_default();
        let new_client = !has_clients(&orgs, &org);
        Self {
            orgs: StoredValue::new(orgs),
            org: RwSignal::new(org),
            existing: RwSignal::new(existing),
            new_client: RwSignal::new(new_client),
            new_name: RwSignal::new(String::new()),
            new_version: RwSignal::new("1.0".to_string()),
        }
    }

    /// Whether the user may choose no organization at all (one is then made for them).
    pub fn none_available(&self) -> bool {
        self.orgs.with_value(Vec::is_empty)
    }

    /// Another organization: its only client is preselected, and a new client when it has none.
    fn choose_org(&self, id: String) {
        let only = self
            .orgs
            .with_value(|os| os.iter().find(|o| o.org_id == id).and_then(only_client));
        self.existing.set(only.unwrap_or_default());
        self.new_client
            .set(!self.orgs.with_value(|os| has_clients(os, &id)));
        self.org.set(id);
    }

    /// `(org id, "name (id)")` of each organization.
    fn org_options(&self) -> Vec<(String, String)> {
        self.orgs.with_value(|os| {
            os.iter()
                .map(|o| (o.org_id.clone(), format!("{} ({})", o.name, o.org_id)))
                .collect()
        })
    }

    /// `("client/version", "name version")` of each client version of the chosen organization.
    fn clients(&self) -> Vec<(String, String)> {
        let id = self.org.get();
        self.orgs.with_value(|os| {
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
    }

    /// The step's own checks, before the server's.
    pub fn validate(&self) -> FieldErrors {
        if self.new_client.get_untracked() {
            collect_errors([
                text::validate_name("name", &self.new_name.get_untracked()),
                ids::validate_version("version", self.new_version.get_untracked().trim()),
            ])
        } else {
            let mut e = FieldErrors::new();
            if self.existing.get_untracked().is_empty() {
                e.insert(
                    "client".into(),
                    "Choose one of your clients, or create a new one.".into(),
                );
            }
            e
        }
    }

    /// The client the contract is for, as the server wants it.
    pub fn target(&self) -> SignupTarget {
        if self.new_client.get_untracked() {
            let o = self.org.get_untracked();
            SignupTarget::New {
                org: (!o.is_empty()).then_some(o),
                name: self.new_name.get_untracked(),
                version: self.new_version.get_untracked(),
            }
        } else {
            let cv = self.existing.get_untracked();
            let (client, version) = cv.split_once('/').unwrap_or((&cv, ""));
            SignupTarget::existing(VersionRef::new(self.org.get_untracked(), client, version))
        }
    }
}

/// The Organization step's fields.
#[component]
pub(super) fn OrgStep(choice: Choice, errors: RwSignal<FieldErrors>) -> impl IntoView {
    view! {
        <OrgSelect choice />
        <ClientPicker choice errors />
    }
}

#[component]
fn OrgSelect(choice: Choice) -> impl IntoView {
    if choice.none_available() {
        return view! { <p class="mb-4 rounded-md bg-sky-50 px-3 py-2 text-sm text-sky-800">"You have no organization yet: a personal organization will be created for your client."</p> }.into_any();
    }
    let org = choice.org;
    view! {
        <div class="mb-4">
            <label for="field-org" class="block text-sm font-medium text-slate-700">"Organization"</label>
            <select id="field-org" class="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
                on:change=move |ev| choice.choose_org(event_target_value(&ev))>
                {choice.org_options().into_iter().map(|(v, l)| {
                    let selected = v == org.get_untracked();
                    view! { <option value=v selected=selected>{l}</option> }
                }).collect_view()}
            </select>
        </div>
    }
    .into_any()
}

/// One of the organization's clients, or the name and version of a new one.
#[component]
fn ClientPicker(choice: Choice, errors: RwSignal<FieldErrors>) -> impl IntoView {
    let Choice {
        existing,
        new_client,
        new_name,
        new_version,
        ..
    } = choice;
    view! {
        <fieldset class="mb-4">
            <legend class="text-sm font-medium text-slate-700">"Client"</legend>
            <label class="mt-2 flex items-center gap-2 text-sm">
                <input type="radio" name="client-mode" prop:checked=move || !new_client.get() disabled=move || choice.clients().is_empty()
                    on:change=move |_| new_client.set(false) />
                "Use one of your clients"
            </label>
            <label class="mt-1 flex items-center gap-2 text-sm">
                <input type="radio" name="client-mode" prop:checked=move || new_client.get() on:change=move |_| new_client.set(true) />
                "Create a new client"
            </label>
        </fieldset>
        <Show when=move || !new_client.get()>
            <div class="mb-4">
                <label for="field-client" class="block text-sm font-medium text-slate-700">"Existing client"</label>
                <select id="field-client" class="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
                    prop:value=move || existing.get()
                    on:change=move |ev| existing.set(event_target_value(&ev))>
                    <option value="">"Choose a client…"</option>
                    {move || choice.clients().into_iter().map(|(v, l)| {
                        let value = v.clone();
                        view! { <option value=v selected=move || existing.get() == value>{l}</option> }
                    }).collect_view()}
                </select>
                {move || errors.with(|e| e.get("client").cloned()).map(|m| view! { <p class="mt-1 text-sm text-red-600" data-field-error="client">{m}</p> })}
            </div>
        </Show>
        <Show when=move || new_client.get()>
            <TextField label="Name" name="name" value=new_name errors required=true />
            <TextField label="Version" name="version" value=new_version errors required=true />
        </Show>
    }
}
