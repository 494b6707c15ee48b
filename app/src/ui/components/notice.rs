//! Loading and error placeholders shown while data is fetched or when it failed.

use leptos::prelude::*;

use crate::error::AppError;

#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="py-8 text-center text-sm text-slate-500">"Loading…"</p> }
}

#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    view! {
        <div role="alert" class="rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
            {error.to_string()}
        </div>
    }
}

/// A form-level message (for errors that belong to no single field).
#[component]
pub fn FormError(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message.get().map(|m| {
            view! {
                <p role="alert" class="mb-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
                    {m}
                </p>
            }
        })
    }
}
