//! Form fields that show their own validation message, and the map of messages per field.

use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::domain::FieldError;
use crate::error::AppError;

/// Messages by field name; empty when the form is valid.
pub type FieldErrors = BTreeMap<String, String>;

/// Collects the failures of several field checks into one map.
pub fn collect_errors(checks: impl IntoIterator<Item = Result<(), FieldError>>) -> FieldErrors {
    checks
        .into_iter()
        .filter_map(Result::err)
        .map(|e| (e.field, e.message))
        .collect()
}

/// Puts a field error next to its field; returns the message of any other error for the
/// form as a whole.
pub fn show_error(errors: RwSignal<FieldErrors>, err: AppError) -> Option<String> {
    match err {
        AppError::Field(fe) => {
            errors.update(|e| {
                e.insert(fe.field, fe.message);
            });
            None
        }
        other => Some(other.to_string()),
    }
}

fn field_message(errors: RwSignal<FieldErrors>, name: &'static str) -> impl IntoView {
    move || {
        errors.with(|e| e.get(name).cloned()).map(|m| {
            view! {
                <p class="mt-1 text-sm text-red-600" data-field-error=name>
                    {m}
                </p>
            }
        })
    }
}

const INPUT: &str = "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-200 aria-[invalid=true]:border-red-400";

#[component]
pub fn TextField(
    label: &'static str,
    name: &'static str,
    value: RwSignal<String>,
    errors: RwSignal<FieldErrors>,
    #[prop(optional)] input_type: Option<&'static str>,
    #[prop(optional)] help: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional)] autofocus: bool,
    #[prop(optional)] autocomplete: Option<&'static str>,
    /// Called after the value changed by typing.
    #[prop(optional, into)]
    on_edit: Option<Callback<String>>,
) -> impl IntoView {
    let id = format!("field-{name}");
    view! {
        <div class="mb-4">
            <label for=id.clone() class="block text-sm font-medium text-slate-700">
                {label}
                {required.then(|| view! { <span class="text-red-600" aria-hidden="true">" *"</span> })}
            </label>
            <input
                id=id
                name=name
                type=input_type.unwrap_or("text")
                class=INPUT
                autofocus=autofocus
                autocomplete=autocomplete.unwrap_or("off")
                prop:value=move || value.get()
                aria-invalid=move || errors.with(|e| e.contains_key(name)).to_string()
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    value.set(v.clone());
                    errors.update(|e| {
                        e.remove(name);
                    });
                    if let Some(cb) = on_edit {
                        cb.run(v);
                    }
                }
            />
            {help.map(|h| view! { <p class="mt-1 text-xs text-slate-500">{h}</p> })}
            {field_message(errors, name)}
        </div>
    }
}

#[component]
pub fn TextArea(
    label: &'static str,
    name: &'static str,
    value: RwSignal<String>,
    errors: RwSignal<FieldErrors>,
    #[prop(optional)] help: Option<&'static str>,
) -> impl IntoView {
    let id = format!("field-{name}");
    view! {
        <div class="mb-4">
            <label for=id.clone() class="block text-sm font-medium text-slate-700">
                {label}
            </label>
            <textarea
                id=id
                name=name
                rows="3"
                class=INPUT
                prop:value=move || value.get()
                aria-invalid=move || errors.with(|e| e.contains_key(name)).to_string()
                on:input=move |ev| {
                    value.set(event_target_value(&ev));
                    errors.update(|e| {
                        e.remove(name);
                    });
                }
            ></textarea>
            {help.map(|h| view! { <p class="mt-1 text-xs text-slate-500">{h}</p> })}
            {field_message(errors, name)}
        </div>
    }
}

/// A drop-down of `(value, label)` options.
#[component]
pub fn SelectField(
    label: &'static str,
    name: &'static str,
    value: RwSignal<String>,
    options: Vec<(String, String)>,
    errors: RwSignal<FieldErrors>,
) -> impl IntoView {
    let id = format!("field-{name}");
    view! {
        <div class="mb-4">
            <label for=id.clone() class="block text-sm font-medium text-slate-700">
                {label}
            </label>
            <select
                id=id
                name=name
                class=INPUT
                prop:value=move || value.get()
                on:change=move |ev| {
                    value.set(event_target_value(&ev));
                    errors.update(|e| {
                        e.remove(name);
                    });
                }
            >
                {options
                    .into_iter()
                    .map(|(v, l)| {
                        let selected = v.clone();
                        view! {
                            <option value=v selected=move || value.get() == selected>
                                {l}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            {field_message(errors, name)}
        </div>
    }
}

/// A read-only list of label/value pairs, as on a wizard's Summary step.
#[component]
pub fn SummaryList(items: Vec<(&'static str, Signal<String>)>) -> impl IntoView {
    view! {
        <dl class="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-slate-50">
            {items
                .into_iter()
                .map(|(label, value)| {
                    view! {
                        <div class="grid grid-cols-3 gap-4 px-4 py-3 text-sm">
                            <dt class="font-medium text-slate-600">{label}</dt>
                            <dd class="col-span-2 whitespace-pre-wrap text-slate-900" data-summary=label>
                                {move || {
                                    let v = value.get();
                                    if v.is_empty() { "—".to_string() } else { v }
                                }}
                            </dd>
                        </div>
                    }
                })
                .collect_view()}
        </dl>
    }
}
