//! What a page does when one of its server actions finishes: on success a toast and the page's
//! next step, on failure the error where the page shows it.

use leptos::prelude::*;

use super::form::{FieldErrors, show_error};
use super::toast::{Toasts, use_toasts};
use crate::error::AppError;

/// Where a failed action's error shows.
#[derive(Clone, Copy)]
pub enum Failure {
    /// In a toast.
    Toast,
    /// Next to its field when it names one, else in a toast.
    FieldOrToast(RwSignal<FieldErrors>),
    /// Next to its field when it names one, else as the form's message.
    FieldOrForm(RwSignal<FieldErrors>, RwSignal<Option<String>>),
    /// As the form's message, whatever it is.
    Form(RwSignal<Option<String>>),
    /// Handed to the page, which shows it its own way (a wizard's step, a preview).
    Handled(Callback<AppError>),
}

impl Failure {
    fn show(self, err: AppError, toasts: Toasts) {
        match self {
            Failure::Toast => toasts.failure(err.to_string()),
            Failure::FieldOrToast(errors) => {
                if let Some(m) = show_error(errors, err) {
                    toasts.failure(m);
                }
            }
            Failure::FieldOrForm(errors, message) => message.set(show_error(errors, err)),
            Failure::Form(message) => message.set(Some(err.to_string())),
            Failure::Handled(page) => page.run(err),
        }
    }
}

/// Follows a server action's `value()`: once it succeeds, a toast saying `done` (when given)
/// and then `then` with the result; once it fails, the error where `failure` says.
pub fn follow<T, S>(
    value: S,
    done: impl Into<Option<&'static str>>,
    then: impl Fn(T) + 'static,
    failure: Failure,
) where
    T: 'static,
    S: Get<Value = Option<Result<T, AppError>>> + 'static,
{
    let done = done.into();
    let toasts = use_toasts();
    Effect::new(move |_| match value.get() {
        Some(Ok(result)) => {
            if let Some(message) = done {
                toasts.success(message);
            }
            then(result);
        }
        Some(Err(e)) => failure.show(e, toasts),
        None => {}
    });
}
