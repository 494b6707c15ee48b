//! User administration: create accounts, portal-only switch, reset passwords, disable.

use leptos::prelude::*;

use crate::api::users::{
    CreateUser, ResetPassword, SetUserDisabled, SetUserPortalOnly, list_users,
};
use crate::domain::model::UserSummary;
use crate::domain::text;
use crate::ui::components::badge::StatusBadge;
use crate::ui::components::form::{FieldErrors, TextField, collect_errors};
use crate::ui::components::loaded::Loaded;
use crate::ui::components::notice::FormError;
use crate::ui::components::outcome::{Failure, follow};
use crate::ui::components::paging::{FilterBox, Pager, use_page};
use crate::ui::components::table::DataTable;
use crate::ui::components::toast::use_toasts;
use crate::ui::session::use_session;

#[component]
pub fn UsersPage() -> impl IntoView {
    let session = use_session();
    let create = ServerAction::<CreateUser>::new();
    let portal = ServerAction::<SetUserPortalOnly>::new();
    let disable = ServerAction::<SetUserDisabled>::new();
    let reset = ServerAction::<ResetPassword>::new();
    let page = use_page();
    let users = Resource::new(
        move || {
            (
                page.get(),
                create.version().get(),
                portal.version().get(),
                disable.version().get(),
            )
        },
        |(page, ..)| list_users(page),
    );

    for value in [portal.value(), disable.value()] {
        follow(value, None, |_| {}, Failure::Toast);
    }
    let actions = UserActions::new(portal, disable, reset);

    view! {
        <h1 class="text-2xl font-semibold text-slate-900">"Users"</h1>
        <p class="mt-1 text-sm text-slate-500">"Accounts that can sign in to the console or the Developer Portal."</p>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                // Only administrators get the form; everyone else is told by the list below.
                let admin = session.user.await.ok().flatten().is_some_and(|u| u.is_admin);
                admin.then(|| view! { <NewUserForm create /> })
            })}
        </Transition>
        <div class="mt-6">
            <FilterBox page label="Filter users" />
            <Loaded resource=users let:list>
                {
                    let info = list.info();
                    view! {
                        <DataTable headers=vec!["User", "E-mail", "Access", "Status", ""]>
                            {list.items.into_iter().map(|user| view! { <UserRow user actions /> }).collect_view()}
                        </DataTable>
                        <Pager page info />
                    }
                }
            </Loaded>
        </div>
    }
}

/// What a user row's controls act on. Password reset is one user at a time, in an inline form.
#[derive(Clone, Copy)]
struct UserActions {
    portal: ServerAction<SetUserPortalOnly>,
    disable: ServerAction<SetUserDisabled>,
    reset: ServerAction<ResetPassword>,
    /// The user whose reset form is open.
    resetting: RwSignal<Option<String>>,
    new_password: RwSignal<String>,
    reset_errors: RwSignal<FieldErrors>,
}

impl UserActions {
    fn new(
        portal: ServerAction<SetUserPortalOnly>,
        disable: ServerAction<SetUserDisabled>,
        reset: ServerAction<ResetPassword>,
    ) -> Self {
        let resetting = RwSignal::new(None::<String>);
        let new_password = RwSignal::new(String::new());
        let reset_errors = RwSignal::new(FieldErrors::new());
        let done = move |_| {
            resetting.set(None);
            new_password.set(String::new());
        };
        let failure = Failure::FieldOrToast(reset_errors);
        let said = "Password reset. The user's sessions were ended.";
        follow(reset.value(), said, done, failure);
        Self {
            portal,
            disable,
            reset,
            resetting,
            new_password,
            reset_errors,
        }
    }
}

#[component]
fn UserRow(user: UserSummary, actions: UserActions) -> impl IntoView {
    let UserActions {
        portal,
        disable,
        reset,
        resetting,
        new_password,
        reset_errors,
    } = actions;
    let u = user;
    let name = u.username.clone();
    let (n1, n2, n3) = (name.clone(), name.clone(), name.clone());
    let shows_reset = {
        let n = name.clone();
        move || resetting.get().as_deref() == Some(n.as_str())
    };
    view! {
        <tr data-testid="user-row">
            <td class="px-4 py-3">
                <div class="font-medium">{u.username.clone()}</div>
                <div class="text-xs text-slate-500">{u.display_name.clone()}</div>
            </td>
            <td class="px-4 py-3 text-slate-600">{u.email.clone()}</td>
            <td class="px-4 py-3">
                <StatusBadge label=if u.is_admin { "Administrator" } else if u.portal_only { "Portal only" } else { "Console" } />
            </td>
            <td class="px-4 py-3">
                <StatusBadge label=if u.disabled { "Disabled" } else { "Active" } />
            </td>
            <td class="space-x-3 whitespace-nowrap px-4 py-3 text-right text-sm">
                <button type="button" class="text-indigo-600 hover:underline"
                    on:click=move |_| { portal.dispatch(SetUserPortalOnly { username: n1.clone(), value: !u.portal_only }); }>
                    {if u.portal_only { "Allow console" } else { "Set portal-only" }}
                </button>
                <button type="button" class="text-indigo-600 hover:underline"
                    on:click=move |_| { reset_errors.set(FieldErrors::new()); resetting.set(Some(n2.clone())); }>
                    "Reset password"
                </button>
                <button type="button" class="text-red-600 hover:underline"
                    on:click=move |_| { disable.dispatch(SetUserDisabled { username: n3.clone(), value: !u.disabled }); }>
                    {if u.disabled { "Enable" } else { "Disable" }}
                </button>
                <Show when=shows_reset.clone()>
                    <form class="mt-2 flex items-start justify-end gap-2 text-left"
                        on:submit={
                            let n = name.clone();
                            move |ev| {
                                ev.prevent_default();
                                reset.dispatch(ResetPassword { username: n.clone(), password: new_password.get_untracked() });
                            }
                        }>
                        <TextField label="New password" name="new_password" value=new_password errors=reset_errors input_type="password" autocomplete="new-password" />
                        <button type="submit" class="btn-primary mt-6">"Save"</button>
                    </form>
                </Show>
            </td>
        </tr>
    }
}

/// The administrator's form for a new account.
#[component]
fn NewUserForm(create: ServerAction<CreateUser>) -> impl IntoView {
    let toasts = use_toasts();
    let username = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let portal_only = RwSignal::new(false);
    let is_admin = RwSignal::new(false);
    let errors = RwSignal::new(FieldErrors::new());
    let form_error = RwSignal::new(None::<String>);
    let created = move |_| {
        toasts.success(format!("User {} created.", username.get_untracked()));
        for s in [username, display_name, email, password] {
            s.set(String::new());
        }
        portal_only.set(false);
        is_admin.set(false);
    };
    follow(
        create.value(),
        None,
        created,
        Failure::FieldOrForm(errors, form_error),
    );
    view! {
        <form
            class="mt-6 rounded-xl border border-slate-200 bg-white p-5 shadow-sm"
            on:submit=move |ev| {
                ev.prevent_default();
                form_error.set(None);
                let found = collect_errors([
                    text::validate_username("username", username.get_untracked().trim()),
                    text::validate_name("display_name", &display_name.get_untracked()),
                    text::validate_email("email", email.get_untracked().trim()),
                    text::validate_password("password", &password.get_untracked()),
                ]);
                if !found.is_empty() {
                    errors.set(found);
                    return;
                }
                create.dispatch(CreateUser {
                    username: username.get_untracked(),
                    display_name: display_name.get_untracked(),
                    email: email.get_untracked(),
                    password: password.get_untracked(),
                    portal_only: portal_only.get_untracked(),
                    is_admin: is_admin.get_untracked(),
                });
            }
        >
            <h2 class="mb-3 text-lg font-medium">"New user"</h2>
            <FormError message=form_error />
            <div class="grid grid-cols-2 gap-x-4">
                <TextField label="Username" name="username" value=username errors required=true />
                <TextField label="Display name" name="display_name" value=display_name errors required=true />
                <TextField label="E-mail" name="email" value=email errors input_type="email" />
                <TextField label="Initial password" name="password" value=password errors input_type="password" required=true autocomplete="new-password" />
            </div>
            <div class="flex items-center gap-6">
                <label class="flex items-center gap-2 text-sm">
                    <input type="checkbox" prop:checked=move || portal_only.get() on:change=move |ev| portal_only.set(event_target_checked(&ev)) />
                    "Developer Portal only"
                </label>
                <label class="flex items-center gap-2 text-sm">
                    <input type="checkbox" prop:checked=move || is_admin.get() on:change=move |ev| is_admin.set(event_target_checked(&ev)) />
                    "Administrator"
                </label>
                <div class="flex-1"></div>
                <button type="submit" class="btn-primary" disabled=move || create.pending().get()>"Create User"</button>
            </div>
        </form>
    }
}
