//! Self sign-up for Developer Portal accounts.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::api::portal::{CreatePortalAccount, self_signup_enabled};
use crate::domain::text;
use crate::ui::components::form::{FieldErrors, TextField, collect_errors};
use crate::ui::components::notice::{FormError, Loading};
use crate::ui::components::outcome::{Failure, follow};
use crate::ui::session::use_session;

#[component]
pub fn RegisterPage() -> impl IntoView {
    let enabled = Resource::new(|| (), |_| self_signup_enabled());
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                if enabled.await.unwrap_or(false) {
                    view! { <RegisterForm /> }.into_any()
                } else {
                    view! {
                        <div class="mx-auto mt-12 max-w-md text-center">
                            <h1 class="text-2xl font-semibold">"Create an account"</h1>
                            <p class="mt-3 text-slate-600">"Self sign-up is switched off here. Ask an administrator for an account."</p>
                        </div>
                    }.into_any()
                }
            })}
        </Transition>
    }
}

#[component]
fn RegisterForm() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let username = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::new());
    let form_error = RwSignal::new(None::<String>);
    let create = ServerAction::<CreatePortalAccount>::new();
    let signed_in = move |_| {
        session.refresh();
        navigate("/portal", Default::default());
    };
    follow(
        create.value(),
        None,
        signed_in,
        Failure::FieldOrForm(errors, form_error),
    );
    view! {
        <div class="mx-auto mt-8 max-w-md">
            <h1 class="text-center text-2xl font-semibold text-slate-900">"Create a Developer Portal account"</h1>
            <p class="mt-2 text-center text-sm text-slate-500">"Browse APIs, sign up for plans and manage your API keys."</p>
            <form class="mt-8 rounded-xl border border-slate-200 bg-white p-6 shadow-sm" on:submit=move |ev| {
                ev.prevent_default();
                form_error.set(None);
                let mut found = collect_errors([
                    text::validate_username("username", username.get_untracked().trim()),
                    text::validate_name("display_name", &display_name.get_untracked()),
                    text::validate_email("email", email.get_untracked().trim()),
                    text::validate_password("password", &password.get_untracked()),
                ]);
                if email.get_untracked().trim().is_empty() {
                    found.insert("email".into(), "Enter your e-mail address.".into());
                }
                if !found.is_empty() {
                    errors.set(found);
                    return;
                }
                create.dispatch(CreatePortalAccount {
                    username: username.get_untracked(),
                    display_name: display_name.get_untracked(),
                    email: email.get_untracked(),
                    password: password.get_untracked(),
                });
            }>
                <FormError message=form_error />
                <TextField label="Username" name="username" value=username errors required=true autocomplete="username" />
                <TextField label="Full name" name="display_name" value=display_name errors required=true />
                <TextField label="E-mail" name="email" value=email errors input_type="email" required=true autocomplete="email" />
                <TextField label="Password" name="password" value=password errors input_type="password" required=true autocomplete="new-password"
                    help="At least 8 characters, mixing letters with digits or symbols." />
                <button type="submit" class="btn-primary w-full" disabled=move || create.pending().get()>"Create Account"</button>
            </form>
            <p class="mt-4 text-center text-sm text-slate-600">"Already have an account? " <A href="/login" attr:class="text-indigo-600 hover:underline">"Sign in"</A></p>
        </div>
    }
}
