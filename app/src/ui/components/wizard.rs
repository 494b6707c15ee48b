//! The multi-step creation wizard: step indicator, per-step validation, Next / Back / Cancel,
//! a read-only Summary as last step, and a final button named for the action.
//! Values live in the caller's signals, so going Back keeps them.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::form::FieldErrors;
use super::notice::FormError;
use super::outcome::Failure;
use crate::error::AppError;

#[derive(Clone)]
pub struct WizardStep {
    pub title: &'static str,
    /// Field names shown on this step, so a server error for one of them leads back here.
    pub fields: Vec<&'static str>,
    /// Checks this step's fields; an empty map lets the user go on.
    pub validate: Callback<(), FieldErrors>,
    pub view: ViewFn,
}

impl WizardStep {
    /// A step without fields of its own, such as the Summary.
    pub fn read_only(title: &'static str, view: impl Into<ViewFn>) -> Self {
        Self {
            title,
            fields: Vec::new(),
            validate: Callback::new(|_| FieldErrors::new()),
            view: view.into(),
        }
    }
}

/// Shared state of one wizard: which step shows, the field messages and the form message.
#[derive(Clone, Copy)]
pub struct WizardState {
    pub current: RwSignal<usize>,
    pub errors: RwSignal<FieldErrors>,
    pub form_error: RwSignal<Option<String>>,
}

impl WizardState {
    pub fn new() -> Self {
        Self {
            current: RwSignal::new(0),
            errors: RwSignal::new(FieldErrors::new()),
            form_error: RwSignal::new(None),
        }
    }

    /// Shows a failed submission: a field error goes next to its field on its step.
    pub fn show_error(&self, steps: &[WizardStep], err: AppError) {
        match err {
            AppError::Field(fe) => {
                if let Some(i) = steps
                    .iter()
                    .position(|s| s.fields.contains(&fe.field.as_str()))
                {
                    self.current.set(i);
                }
                self.errors.update(|e| {
                    e.insert(fe.field, fe.message);
                });
            }
            other => self.form_error.set(Some(other.to_string())),
        }
    }

    /// Where a failed submission shows, for `outcome::follow`: as `show_error` says.
    pub fn failure(self, steps: Vec<WizardStep>) -> Failure {
        Failure::Handled(Callback::new(move |e| self.show_error(&steps, e)))
    }
}

impl Default for WizardState {
    fn default() -> Self {
        Self::new()
    }
}

#[component]
pub fn Wizard(
    title: &'static str,
    steps: Vec<WizardStep>,
    state: WizardState,
    submit_label: &'static str,
    #[prop(into)] on_submit: Callback<()>,
    #[prop(into)] pending: Signal<bool>,
) -> impl IntoView {
    let WizardState {
        current,
        errors,
        form_error,
    } = state;
    let count = steps.len();
    let titles: Vec<&'static str> = steps.iter().map(|s| s.title).collect();
    let steps = StoredValue::new(steps);
    // Moves on only when the step's own checks pass; on the last step the form submits instead.
    let next = move || {
        let i = current.get_untracked();
        let found = steps.with_value(|s| s[i].validate.run(()));
        if found.is_empty() {
            form_error.set(None);
            current.set((i + 1).min(count - 1));
        } else {
            errors.set(found);
        }
    };

    view! {
        <div class="mx-auto max-w-2xl">
            <h1 class="text-2xl font-semibold text-slate-900">{title}</h1>
            <StepIndicator titles current />
            <form
                class="mt-6 rounded-xl border border-slate-200 bg-white p-6 shadow-sm"
                on:submit=move |ev| {
                    ev.prevent_default();
                    if current.get_untracked() + 1 < count {
                        next();
                    } else {
                        on_submit.run(());
                    }
                }
            >
                <h2 class="mb-4 text-lg font-medium text-slate-800">
                    {move || steps.with_value(|s| s[current.get()].title)}
                </h2>
                <FormError message=form_error />
                {move || steps.with_value(|s| s[current.get()].view.run())}
                <WizardButtons state count submit_label pending />
            </form>
        </div>
    }
}

/// The numbered steps, the current one highlighted and those done tinted.
#[component]
fn StepIndicator(titles: Vec<&'static str>, current: RwSignal<usize>) -> impl IntoView {
    let count = titles.len();
    view! {
        <ol class="mt-6 flex items-center gap-2" aria-label="Steps">
            {titles
                .into_iter()
                .enumerate()
                .map(|(i, t)| {
                    view! {
                        <li
                            class="flex flex-1 items-center gap-2"
                            aria-current=move || (current.get() == i).then_some("step")
                        >
                            <span class=move || {
                                if current.get() == i {
                                    "flex h-7 w-7 shrink-0 items-center justify-center rounded-full bg-indigo-600 text-xs font-semibold text-white"
                                } else if current.get() > i {
                                    "flex h-7 w-7 shrink-0 items-center justify-center rounded-full bg-indigo-100 text-xs font-semibold text-indigo-700"
                                } else {
                                    "flex h-7 w-7 shrink-0 items-center justify-center rounded-full bg-slate-200 text-xs font-semibold text-slate-600"
                                }
                            }>{i + 1}</span>
                            <span class="text-sm font-medium text-slate-700">{t}</span>
                            {(i + 1 < count).then(|| view! { <span class="h-px flex-1 bg-slate-200"></span> })}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

/// Cancel, Back, and Next (a submit button, so Enter goes on) or the final action.
#[component]
fn WizardButtons(
    state: WizardState,
    count: usize,
    submit_label: &'static str,
    pending: Signal<bool>,
) -> impl IntoView {
    let WizardState {
        current,
        form_error,
        ..
    } = state;
    let navigate = use_navigate();
    // Cancel discards the entries and returns to where the wizard was opened from.
    let cancel = move |_| {
        #[cfg(feature = "hydrate")]
        {
            if let Ok(history) = window().history()
                && history.length().unwrap_or(0) > 1
            {
                let _ = history.back();
                return;
            }
        }
        navigate("/", Default::default());
    };
    let back = move |_| {
        form_error.set(None);
        current.update(|i| *i = i.saturating_sub(1));
    };
    view! {
        <div class="mt-6 flex items-center justify-between border-t border-slate-100 pt-4">
            <button type="button" class="btn-secondary" on:click=cancel>
                "Cancel"
            </button>
            <div class="flex gap-3">
                <Show when=move || { current.get() > 0 }>
                    <button type="button" class="btn-secondary" on:click=back>
                        "Back"
                    </button>
                </Show>
                <Show
                    when=move || { current.get() + 1 < count }
                    fallback=move || {
                        view! {
                            <button type="submit" class="btn-primary" disabled=move || pending.get()>
                                {submit_label}
                            </button>
                        }
                    }
                >
                    <button type="submit" class="btn-primary">
                        "Next"
                    </button>
                </Show>
            </div>
        </div>
    }
}
