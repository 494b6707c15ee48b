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
use crate::domain::catalog::{PolicyOwner, PolicyView};
use crate::domain::policy::{FieldKind, FormValues, PolicyConfig, PolicyType};

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

#[component]
pub fn PolicyChainEditor(owner: PolicyOwner) -> impl IntoView {
    let add = ServerAction::<AddPolicy>::new();
    let update = ServerAction::<UpdatePolicy>::new();
    let remove = ServerAction::<RemovePolicy>::new();
    let shift = ServerAction::<MovePolicy>::new();
    let owner = StoredValue::new(owner);
    let chain = Resource::new(
        move || {
            (
                add.version().get(),
                update.version().get(),
                remove.version().get(),
                shift.version().get(),
            )
        },
        move |_| list_policies(owner.get_value()),
    );

    let editing = RwSignal::new(Editing::Nothing);
    let values = RwSignal::new(FormValues::new());
    let errors = RwSignal::new(FieldErrors::new());
    let form_error = RwSignal::new(None::<String>);
    let chosen_type = RwSignal::new(PolicyType::RateLimiting.id().to_string());

    for (value, done) in [
        (add.value(), "Policy added."),
        (update.value(), "Policy saved."),
    ] {
        let failure = Failure::FieldOrForm(errors, form_error);
        follow(value, done, move |_| editing.set(Editing::Nothing), failure);
    }
    for value in [remove.value(), shift.value()] {
        follow(value, None, |_| {}, Failure::Toast);
    }

    let start_add = move |_| {
        let t = PolicyType::parse(&chosen_type.get_untracked()).unwrap_or(PolicyType::RateLimiting);
        values.set(t.default_form());
        errors.set(FieldErrors::new());
        form_error.set(None);
        editing.set(Editing::Adding(t));
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form_error.set(None);
        match editing.get_untracked() {
            Editing::Adding(t) => {
                // The same validation the server runs, so most mistakes show without a round trip.
                if let Err(e) = PolicyConfig::from_form(t, &values.get_untracked()) {
                    errors.update(|m| {
                        m.insert(e.field, e.message);
                    });
                    return;
                }
                add.dispatch(AddPolicy {
                    owner: owner.get_value(),
                    policy_type: t,
                    form: values.get_untracked(),
                });
            }
            Editing::Changing(id, _) => {
                update.dispatch(UpdatePolicy {
                    owner: owner.get_value(),
                    policy_id: id,
                    form: values.get_untracked(),
                });
            }
            Editing::Nothing => {}
        }
    };

    let confirm_open = RwSignal::new(false);
    let removing = RwSignal::new(None::<PolicyView>);

    view! {
        <Loaded resource=chain let:chain>
            {
                        let editable = chain.editable;
                        let count = chain.policies.len();
                        view! {
                            {chain.read_only_reason.map(|r| view! {
                                <p class="mb-4 rounded-md bg-slate-100 px-4 py-2 text-sm text-slate-600" data-testid="policies-read-only">{r}</p>
                            })}
                            {if count == 0 {
                                view! { <EmptyState message="No policies yet." /> }.into_any()
                            } else {
                                view! {
                                    <ol class="space-y-2">
                                        {chain.policies.into_iter().enumerate().map(|(i, p)| {
                                            let for_edit = p.clone();
                                            let for_remove = p.clone();
                                            let id = p.id;
                                            view! {
                                                <li class="flex items-center gap-4 rounded-lg border border-slate-200 bg-white px-4 py-3 shadow-sm" data-testid="policy-row">
                                                    <span class="flex h-6 w-6 items-center justify-center rounded-full bg-slate-100 text-xs font-semibold text-slate-600">{i + 1}</span>
                                                    <div class="flex-1">
                                                        <p class="text-sm font-semibold text-slate-900">{p.policy_type.label()}</p>
                                                        <p class="text-sm text-slate-600" data-testid="policy-summary">{p.summary.clone()}</p>
                                                    </div>
                                                    <Show when=move || editable>
                                                        <div class="flex items-center gap-3 text-sm">
                                                            <button type="button" class="text-slate-500 hover:text-slate-800 disabled:opacity-30" disabled=i == 0 aria-label="Move up"
                                                                on:click=move |_| { shift.dispatch(MovePolicy { owner: owner.get_value(), policy_id: id, up: true }); }>"↑"</button>
                                                            <button type="button" class="text-slate-500 hover:text-slate-800 disabled:opacity-30" disabled=i + 1 == count aria-label="Move down"
                                                                on:click=move |_| { shift.dispatch(MovePolicy { owner: owner.get_value(), policy_id: id, up: false }); }>"↓"</button>
                                                            <button type="button" class="font-medium text-indigo-600 hover:underline"
                                                                on:click={
                                                                    let p = for_edit.clone();
                                                                    move |_| {
                                                                        values.set(p.form.clone());
                                                                        errors.set(FieldErrors::new());
                                                                        form_error.set(None);
                                                                        editing.set(Editing::Changing(p.id, p.policy_type));
                                                                    }
                                                                }>"Edit"</button>
                                                            <button type="button" class="font-medium text-red-600 hover:underline"
                                                                on:click={
                                                                    let p = for_remove.clone();
                                                                    move |_| { removing.set(Some(p.clone())); confirm_open.set(true); }
                                                                }>"Remove"</button>
                                                        </div>
                                                    </Show>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ol>
                                }.into_any()
                            }}
                            <Show when=move || editable && editing.get() == Editing::Nothing>
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
                            </Show>
                        }
            }
        </Loaded>
        {move || {
            let (t, title) = match editing.get() {
                Editing::Nothing => return None,
                Editing::Adding(t) => (t, format!("Add {} policy", t.label())),
                Editing::Changing(_, t) => (t, format!("Edit {} policy", t.label())),
            };
            Some(view! {
                <form class="mt-6 max-w-2xl rounded-xl border border-indigo-200 bg-white p-5 shadow-sm" on:submit=save>
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
        }}
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
