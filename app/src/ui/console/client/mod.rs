//! The client version page: Overview, Contracts, APIs, Policies, Activity; Register,
//! Re-Register, Retire, New Version, Regenerate API key, Delete.

pub mod contracts;
pub mod overview;
pub mod tabs;

use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::use_navigate;

use super::version_header::{NewVersionForm, VersionHeader, route_param};
use crate::api::clients::{
    DeleteClient, NewClientVersion, RegenerateApiKey, RegisterClient, RetireClient,
    get_client_version,
};
use crate::domain::catalog::ClientVersionView;
use crate::domain::client::{self, ClientStatus};
use crate::error::AppError;
use crate::ui::components::dialog::ConfirmDialog;
use crate::ui::components::form::FieldErrors;
use crate::ui::components::loaded::Loaded;
use crate::ui::components::outcome::{Failure, follow};
use crate::ui::components::tabs::Tabs;

#[derive(Clone, Copy)]
pub struct ClientContext {
    pub org: Memo<String>,
    pub client: Memo<String>,
    pub version: Memo<String>,
    pub view: Resource<Result<ClientVersionView, AppError>>,
    pub reload: RwSignal<u32>,
}

impl ClientContext {
    pub fn refresh(&self) {
        self.reload.update(|r| *r += 1);
    }
}

pub fn use_client() -> ClientContext {
    expect_context::<ClientContext>()
}

#[component]
pub fn ClientPage() -> impl IntoView {
    let (org, client, version) = (
        route_param("org"),
        route_param("client"),
        route_param("version"),
    );
    let reload = RwSignal::new(0u32);
    let view_res = Resource::new(
        move || (org.get(), client.get(), version.get(), reload.get()),
        |(o, c, v, _)| get_client_version(o, c, v),
    );
    provide_context(ClientContext {
        org,
        client,
        version,
        view: view_res,
        reload,
    });
    let base = Signal::derive(move || {
        format!(
            "/orgs/{}/clients/{}/{}",
            org.get(),
            client.get(),
            version.get()
        )
    });
    view! {
        <Loaded resource=view_res let:v>
            <ClientHeader view=v />
        </Loaded>
        <Tabs base tabs=vec![
            ("Overview", "overview"),
            ("Contracts", "contracts"),
            ("APIs", "apis"),
            ("Policies", "policies"),
            ("Activity", "activity"),
        ] />
        <div class="mt-6"><Outlet /></div>
    }
}

#[component]
fn ClientHeader(view: ClientVersionView) -> impl IntoView {
    let ctx = use_client();
    let navigate = use_navigate();
    let register = ServerAction::<RegisterClient>::new();
    let retire = ServerAction::<RetireClient>::new();
    let regenerate = ServerAction::<RegenerateApiKey>::new();
    let delete = ServerAction::<DeleteClient>::new();
    let new_version = ServerAction::<NewClientVersion>::new();
    let confirm_retire = RwSignal::new(false);
    let confirm_delete = RwSignal::new(false);
    let confirm_regenerate = RwSignal::new(false);
    let new_open = RwSignal::new(false);
    let errors = RwSignal::new(FieldErrors::new());
    let created = RwSignal::new(String::new());

    for (value, done) in [
        (
            register.value(),
            "Client registered: the gateway accepts its API key.",
        ),
        (
            retire.value(),
            "Client retired: the gateway no longer accepts its API key.",
        ),
        (regenerate.value(), "A new API key was generated."),
    ] {
        follow(value, done, move |_| ctx.refresh(), Failure::Toast);
    }
    let nav = navigate.clone();
    let deleted = move |_| {
        nav(
            &format!("/orgs/{}/clients", ctx.org.get_untracked()),
            Default::default(),
        )
    };
    follow(delete.value(), "Client deleted.", deleted, Failure::Toast);
    let versioned = move |_| {
        new_open.set(false);
        navigate(
            &format!(
                "/orgs/{}/clients/{}/{}",
                ctx.org.get_untracked(),
                ctx.client.get_untracked(),
                created.get_untracked()
            ),
            Default::default(),
        );
    };
    let done = "New client version created, with its own API key.";
    follow(
        new_version.value(),
        done,
        versioned,
        Failure::FieldOrToast(errors),
    );

    let versions = view
        .versions
        .iter()
        .map(|v| {
            (
                v.clone(),
                format!("/orgs/{}/clients/{}/{v}", view.org_id, view.client_id),
            )
        })
        .collect();
    let can_edit = view.can_edit;
    let status = view.status;
    let register_label = if status == ClientStatus::Registered {
        "Re-Register"
    } else {
        "Register"
    };
    let show_register = can_edit
        && (status == ClientStatus::Ready
            || (status == ClientStatus::Registered && view.needs_reregister));
    let key = (
        view.org_id.clone(),
        view.client_id.clone(),
        view.version.clone(),
    );
    let (k1, k2, k3, k4, k5) = (key.clone(), key.clone(), key.clone(), key.clone(), key);
    view! {
        <VersionHeader kind="Client" name=view.name.clone() org=view.org_id.clone() versions current=view.version.clone() status=status.label()>
            <Show when=move || show_register>
                <button type="button" class="btn-primary" on:click={
                    let (o, c, v) = k1.clone();
                    move |_| { register.dispatch(RegisterClient { org: o.clone(), client: c.clone(), version: v.clone() }); }
                }>{register_label}</button>
            </Show>
            <Show when=move || can_edit && client::can_retire(status).is_ok()>
                <button type="button" class="btn-danger" on:click=move |_| confirm_retire.set(true)>"Retire"</button>
            </Show>
            <Show when=move || can_edit && client::can_regenerate_key(status).is_ok()>
                <button type="button" class="btn-secondary" on:click=move |_| confirm_regenerate.set(true)>"Regenerate API Key"</button>
            </Show>
            <Show when=move || can_edit>
                <button type="button" class="btn-secondary" on:click=move |_| new_open.set(true)>"New Version"</button>
            </Show>
            <Show when=move || can_edit && client::can_delete(status).is_ok()>
                <button type="button" class="btn-secondary" on:click=move |_| confirm_delete.set(true)>"Delete"</button>
            </Show>
        </VersionHeader>
        {view.needs_reregister.then(|| view! {
            <p class="mt-4 rounded-md bg-amber-50 px-4 py-2 text-sm text-amber-800" role="status">
                "This client changed since it was registered. Re-Register it so that the gateway applies the changes."
            </p>
        })}
        <NewVersionForm open=new_open errors on_create=move |v: String| {
            created.set(v.clone());
            let (o, c, from) = k2.clone();
            new_version.dispatch(NewClientVersion { org: o, client: c, from_version: from, version: v });
        } />
        <ConfirmDialog
            open=confirm_retire
            title="Retire client version"
            message=Signal::derive(|| "Retiring unregisters this client version: the gateway stops accepting its API key at once. Retire it?".to_string())
            confirm_label="Retire"
            on_confirm=move |_| { let (o, c, v) = k3.clone(); retire.dispatch(RetireClient { org: o, client: c, version: v }); }
        />
        <ConfirmDialog
            open=confirm_regenerate
            title="Regenerate API key"
            message=Signal::derive(|| "The current key stops being valid for this client version. Generate a new one?".to_string())
            confirm_label="Regenerate"
            on_confirm=move |_| { let (o, c, v) = k4.clone(); regenerate.dispatch(RegenerateApiKey { org: o, client: c, version: v }); }
        />
        <ConfirmDialog
            open=confirm_delete
            title="Delete client"
            message=Signal::derive(|| "Delete this client with all its versions and contracts? This cannot be undone.".to_string())
            confirm_label="Delete"
            on_confirm=move |_| { let (o, c, _) = k5.clone(); delete.dispatch(DeleteClient { org: o, client: c }); }
        />
    }
}
