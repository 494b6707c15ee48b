//! The Policies tab shared by APIs, plans and (later) clients: the chain in order, with add,
//! edit, remove and reorder while the owning version can still change.

use leptos::prelude::*;

use super::dialog::ConfirmDialog;
use super::form::FieldErrors;
use super::loaded::Loaded;
use super::notice::FormError;
use super::outcome::{Failure, follow};
use super::table::EmptyState;
use crate::api::policies::{AddPolicy, MovePolicy, RemovePolicy, UpdatePolicy, list_policies};
use crate::domain::catalog::{PolicyChain, PolicyOwner, PolicyView};
use crate::domain::policy::{FieldKind, FormValues, PolicyConfig, PolicyType};
use crate::error::AppError;

const INPUT: &str = "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-200";

/// The form of one policy type, generated from its field descriptions.
#[component]
pub fn PolicyForm(
    policy_type: PolicyType,
    values: RwSignal<FormValues>,
    errors: RwSignal<FieldErrors>,
) -> impl IntoView {
    let value_of =
        move |name: &'static str| move || values.with(|v| v.get(name).cloned().unwrap_or_default());
    let set = move |name: &'static str, value: String| {
        values.update(|v| {
            v.insert(name.to_string(), value);
        });
        errors.update(|e| {
            e.remove(name);
        });
    };
    policy_type
        .fields()
        .into_iter()
        .map(|spec| {
            let name = spec.name;
            let id = format!("policy-{name}");
            let input = match spec.kind {
                FieldKind::Number => view! {
                    <input id=id.clone() type="number" class=INPUT prop:value=value_of(name)
                        on:input=move |ev| set(name, event_target_value(&ev)) />
                }
                .into_any(),
                FieldKind::Text => view! {
                    <input id=id.clone() type="text" class=INPUT prop:value=value_of(name)
                        on:input=move |ev| set(name, event_target_value(&ev)) />
                }
                .into_any(),
                FieldKind::Lines => view! {
                    <textarea id=id.clone() rows="4" class=format!("{INPUT} font-mono") prop:value=value_of(name)
                        on:input=move |ev| set(name, event_target_value(&ev))></textarea>
                }
                .into_any(),
                FieldKind::Checkbox => view! {
                    <input id=id.clone() type="checkbox" class="mt-2 h-4 w-4"
                        prop:checked=move || value_of(name)() == "true"
                        on:change=move |ev| set(name, event_target_checked(&ev).to_string()) />
                }
                .into_any(),
                FieldKind::Select(options) => view! {
                    <select id=id.clone() class=INPUT prop:value=value_of(name)
                        on:change=move |ev| set(name, event_target_value(&ev))>
                        {options.into_iter().map(|(v, l)| {
                            view! { <option value=v selected=move || value_of(name)() == v>{l}</option> }
                        }).collect_view()}
                    </select>
                }
                .into_any(),
            };
            view! {
                <div class="mb-4">
                    <label for=id class="block text-sm font-medium text-slate-700">{spec.label}</label>
                    {input}
                    {(!spec.help.is_empty()).then(|| view! { <p class="mt-1 text-xs text-slate-500">{spec.help}</p> })}
                    {move || errors.with(|e| e.get(name).cloned()).map(|m| view! {
                        <p class="mt-1 text-sm text-red-600" data-field-error=name>{m}</p>
                    })}
                </div>
            }
        })
        .collect_view()
}

/// What the editor panel is doing.
#[derive(Clone, PartialEq)]
enum Editing {
    Nothing,
    Adding(PolicyType),
    Changing(i64, PolicyType),
}

/// The editor's state and actions, shared by its parts.
#[derive(Clone, Copy)]
struct Editor {
    owner: StoredValue<PolicyOwner>,
    add: ServerAction<AddPolicy>,
    update: ServerAction<UpdatePolicy>,
    remove: ServerAction<RemovePolicy>,
    shift: ServerAction<MovePolicy>,
    editing: RwSignal<Editing>,
    values: RwSignal<FormValues>,
    errors: RwSignal<FieldErrors>,
    form_error: RwSignal<Option<String>>,
    /// The type Add Policy adds; it stays chosen while the form is open.
    chosen_type: RwSignal<String>,
    /// The policy the Remove dialog asks about.
    removing: RwSignal<Option<PolicyView>>,
    confirm_open: RwSignal<bool>,
}

impl Editor {
    fn new(owner: PolicyOwner) -> Self {
        let editor = Self {
            owner: StoredValue::new(owner),
            add: ServerAction::new(),
            update: ServerAction::new(),
            remove: ServerAction::new(),
            shift: ServerAction::new(),
            editing: RwSignal::new(Editing::Nothing),
            values: RwSignal::new(FormValues::new()),
            errors: RwSignal::new(FieldErrors::new()),
            form_error: RwSignal::new(None),
            chosen_type: RwSignal::new(PolicyType::RateLimiting.id().to_string()),
            removing: RwSignal::new(None),
            confirm_open: RwSignal::new(false),
        };
        let editing = editor.editing;
        for (value, done) in [
            (editor.add.value(), "Policy added."),
            (editor.update.value(), "Policy saved."),
        ] {
            let failure = Failure::FieldOrForm(editor.errors, editor.form_error);
            follow(value, done, move |_| editing.set(Editing::Nothing), failure);
        }
        for value in [editor.remove.value(), editor.shift.value()] {
            follow(value, None, |_| {}, Failure::Toast);
        }
        editor
    }

    /// The chain, reloaded after every change.
    fn chain(self) -> Resource<Result<PolicyChain, AppError>> {
        let Self {
            add,
            update,
            remove,
            shift,
            owner,
            ..
        } = self;
        Resource::new(
            move || {
                (
                    add.version().get(),
                    update.version().get(),
                    remove.version().get(),
                    shift.version().get(),
                )
            },
            move |_| list_policies(owner.get_value()),
        )
    }

    /// Opens the form on `values` (fresh, or the policy's), without old messages.
    fn open(self, editing: Editing, values: FormValues) {
        self.values.set(values);
        self.errors.set(FieldErrors::new());
        self.form_error.set(None);
        self.editing.set(editing);
    }

    fn move_policy(self, policy_id: i64, up: bool) {
        let owner = self.owner.get_value();
        self.shift.dispatch(MovePolicy {
            owner,
            policy_id,
            up,
        });
    }

    fn save(self) {
        self.form_error.set(None);
        let (owner, form) = (self.owner.get_value(), self.values.get_untracked());
        match self.editing.get_untracked() {
            Editing::Adding(policy_type) => {
                // The same validation the server runs, so most mistakes show without a round trip.
                if let Err(e) = PolicyConfig::from_form(policy_type, &form) {
                    self.errors.update(|m| {
                        m.insert(e.field, e.message);
                    });
                    return;
                }
                self.add.dispatch(AddPolicy {
                    owner,
                    policy_type,
                    form,
                });
            }
            Editing::Changing(policy_id, _) => {
                self.update.dispatch(UpdatePolicy {
                    owner,
                    policy_id,
                    form,
                });
            }
            Editing::Nothing => {}
        }
    }
}

#[component]
pub fn PolicyChainEditor(owner: PolicyOwner) -> impl IntoView {
    let editor = Editor::new(owner);
    let chain = editor.chain();
    let Editor {
        owner,
        remove,
        removing,
        confirm_open,
        ..
    } = editor;
    view! {
        <Loaded resource=chain let:chain>
            <Chain chain editor />
        </Loaded>
        <PolicyEditForm editor />
        <ConfirmDialog
            open=confirm_open
            title="Remove policy"
            message=Signal::derive(move || removing.get().map(|p| format!("Remove the {} policy ({})?", p.policy_type.label(), p.summary)).unwrap_or_default())
            confirm_label="Remove"
            on_confirm=move |_| {
                if let Some(p) = removing.get_untracked() {
                    remove.dispatch(RemovePolicy { owner: owner.get_value(), policy_id: p.id });
                }
            }
        />
    }
}

/// The policies in order, and the Add Policy bar while they can change.
#[component]
fn Chain(chain: PolicyChain, editor: Editor) -> impl IntoView {
    let editable = chain.editable;
    let count = chain.policies.len();
    let editing = editor.editing;
    view! {
        {chain.read_only_reason.map(|r| view! {
            <p class="mb-4 rounded-md bg-slate-100 px-4 py-2 text-sm text-slate-600" data-testid="policies-read-only">{r}</p>
        })}
        {if count == 0 {
            view! { <EmptyState message="No policies yet." /> }.into_any()
        } else {
            view! {
                <ol class="space-y-2">
                    {chain.policies.into_iter().enumerate().map(|(i, policy)| view! {
                        <PolicyRow policy position=i count editable editor />
                    }).collect_view()}
                </ol>
            }.into_any()
        }}
        <Show when=move || editable && editing.get() == Editing::Nothing>
            <AddPolicyBar editor />
        </Show>
    }
}

/// One policy: its place, type and summary, and (while editable) its controls.
#[component]
fn PolicyRow(
    policy: PolicyView,
    position: usize,
    count: usize,
    editable: bool,
    editor: Editor,
) -> impl IntoView {
    let i = position;
    let id = policy.id;
    let (for_edit, for_remove) = (policy.clone(), policy.clone());
    view! {
        <li class="flex items-center gap-4 rounded-lg border border-slate-200 bg-white px-4 py-3 shadow-sm" data-testid="policy-row">
            <span class="flex h-6 w-6 items-center justify-center rounded-full bg-slate-100 text-xs font-semibold text-slate-600">{i + 1}</span>
            <div class="flex-1">
                <p class="text-sm font-semibold text-slate-900">{policy.policy_type.label()}</p>
                <p class="text-sm text-slate-600" data-testid="policy-summary">{policy.summary.clone()}</p>
            </div>
            <Show when=move || editable>
                <div class="flex items-center gap-3 text-sm">
                    <button type="button" class="text-slate-500 hover:text-slate-800 disabled:opacity-30" disabled=i == 0 aria-label="Move up"
                        on:click=move |_| editor.move_policy(id, true)>"↑"</button>
                    <button type="button" class="text-slate-500 hover:text-slate-800 disabled:opacity-30" disabled=i + 1 == count aria-label="Move down"
                        on:click=move |_| editor.move_policy(id, false)>"↓"</button>
                    <button type="button" class="font-medium text-indigo-600 hover:underline"
                        on:click={
                            let p = for_edit.clone();
                            move |_| editor.open(Editing::Changing(p.id, p.policy_type), p.form.clone())
                        }>"Edit"</button>
                    <button type="button" class="font-medium text-red-600 hover:underline"
                        on:click={
                            let p = for_remove.clone();
                            move |_| { editor.removing.set(Some(p.clone())); editor.confirm_open.set(true); }
                        }>"Remove"</button>
                </div>
            </Show>
        </li>
    }
}

/// The policy type to add, and the button that opens its form.
#[component]
fn AddPolicyBar(editor: Editor) -> impl IntoView {
    let chosen_type = editor.chosen_type;
    let start_add = move |_| {
        let t = PolicyType::parse(&chosen_type.get_untracked()).unwrap_or(PolicyType::RateLimiting);
        editor.open(Editing::Adding(t), t.default_form());
    };
    view! {
        <div class="mt-4 flex items-end gap-3">
            <div>
                <label for="policy-type" class="block text-sm font-medium text-slate-700">"Policy type"</label>
                <select id="policy-type" class="mt-1 rounded-md border border-slate-300 px-3 py-2 text-sm"
                    prop:value=move || chosen_type.get()
                    on:change=move |ev| chosen_type.set(event_target_value(&ev))>
                    {PolicyType::ALL.into_iter().map(|t| view! {
                        <option value=t.id()>{t.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <button type="button" class="btn-primary" on:click=start_add>"Add Policy"</button>
        </div>
    }
}

/// The form that adds or changes a policy, while one is being edited.
#[component]
fn PolicyEditForm(editor: Editor) -> impl IntoView {
    let Editor {
        editing,
        values,
        errors,
        form_error,
        ..
    } = editor;
    move || {
        let (t, title) = match editing.get() {
            Editing::Nothing => return None,
            Editing::Adding(t) => (t, format!("Add {} policy", t.label())),
            Editing::Changing(_, t) => (t, format!("Edit {} policy", t.label())),
        };
        Some(view! {
            <form class="mt-6 max-w-2xl rounded-xl border border-indigo-200 bg-white p-5 shadow-sm"
                on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); editor.save(); }>
                <h3 class="text-base font-semibold text-slate-900">{title}</h3>
                <p class="mb-4 mt-1 text-sm text-slate-500">{t.description()}</p>
                <FormError message=form_error />
                <PolicyForm policy_type=t values errors />
                <div class="flex justify-end gap-2">
                    <button type="button" class="btn-secondary" on:click=move |_| editing.set(Editing::Nothing)>"Cancel"</button>
                    <button type="submit" class="btn-primary">"Save Policy"</button>
                </div>
            </form>
        })
    }
}
