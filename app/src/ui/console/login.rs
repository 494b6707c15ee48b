//! Sign in.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api::session::Login;
use crate::domain::model::SessionUser;
use crate::domain::redirect::local_path;
use crate::ui::components::form::{FieldErrors, TextField, show_error};
use crate::ui::components::notice::FormError;
use crate::ui::components::outcome::{Failure, follow};
use crate::ui::session::use_session;

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::new());
    let form_error = RwSignal::new(None::<String>);
    let login = ServerAction::<Login>::new();

    let signed_in = move |user: SessionUser| {
        session.refresh();
        // Only local paths, so a crafted link cannot send people elsewhere.
        let next = query
            .read_untracked()
            .get("next")
            .filter(|n| local_path(n).is_some());
        let target = match next {
            Some(n) => n,
            None if user.portal_only && !user.is_admin => "/portal".to_string(),
            None => "/".to_string(),
        };
        navigate(&target, Default::default());
    };
    // A failed sign-in also empties the password field.
    let failed = Callback::new(move |e| {
        password.set(String::new());
        form_error.set(show_error(errors, e));
    });
    follow(login.value(), None, signed_in, Failure::Handled(failed));

    view! {
        <div class="mx-auto mt-12 max-w-sm">
            <h1 class="text-center text-2xl font-semibold text-slate-900">"Sign in to Gatehouse"</h1>
            <p class="mt-2 text-center text-sm text-slate-500">"API Management and Developer Portal"</p>
            <form
                class="mt-8 rounded-xl border border-slate-200 bg-white p-6 shadow-sm"
                on:submit=move |ev| {
                    ev.prevent_default();
                    errors.set(FieldErrors::new());
                    form_error.set(None);
                    login.dispatch(Login {
                        username: username.get_untracked(),
                        password: password.get_untracked(),
                    });
                }
            >
                <FormError message=form_error />
                <TextField label="Username" name="username" value=username errors autofocus=true autocomplete="username" />
                <TextField label="Password" name="password" value=password errors input_type="password" autocomplete="current-password" />
                <button type="submit" class="btn-primary w-full" disabled=move || login.pending().get()>
                    {move || if login.pending().get() { "Signing in…" } else { "Sign in" }}
                </button>
            </form>
            <p class="mt-4 text-center text-sm text-slate-600">
                "New to the Developer Portal? "
                <a href="/register" class="text-indigo-600 hover:underline">"Create an account"</a>
            </p>
        </div>
    }
}
