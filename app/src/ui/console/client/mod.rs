//! The client version page: Overview, Contracts, APIs, Policies, Activity; Register,
//! Re-Register, Retire, New Version, Regenerate API key, Delete.

pub mod contracts;
pub mod metrics;
pub mod overview;
pub mod tabs;

use leptos::prelude::*;

use super::version_header::{
    DeleteButton, DeleteFlow, DeleteWords, NewVersionButton, NewVersionFlow, VersionHeader,
    VersionSummary,
};
use super::versioned::{EntityKind, VersionContext, VersionPage};
use crate::api::clients::{
    DeleteClient, NewClientVersion, RegenerateApiKey, RegisterClient, RetireClient,
    get_client_version,
};
use crate::domain::catalog::ClientVersionView;
use crate::domain::client::{self, ClientStatus};
use crate::ui::components::dialog::ConfirmDialog;
use crate::ui::components::outcome::{Failure, follow};

pub type ClientContext = VersionContext<ClientVersionView>;

pub fn use_client() -> ClientContext {
    expect_context::<ClientContext>()
}

#[component]
pub fn ClientPage() -> impl IntoView {
    view! {
        <VersionPage
            kind=EntityKind::Client
            fetch=get_client_version
            tabs=vec![
                ("Overview", "overview"),
                ("Contracts", "contracts"),
                ("APIs", "apis"),
                ("Policies", "policies"),
                ("Metrics", "metrics"),
                ("Activity", "activity"),
            ]
            header=|v| view! { <ClientHeader view=v /> }
        />
    }
}

const DELETE: DeleteWords = DeleteWords {
    title: "Delete client",
    message: "Delete this client with all its versions and contracts? This cannot be undone.",
    done: "Client deleted.",
};

const REREGISTER: &str = "This client changed since it was registered. Re-Register it so that the gateway applies the changes.";

/// Register (or Re-Register), Retire and Regenerate API Key, each refreshing the page when
/// done; Retire and Regenerate ask first.
#[derive(Clone, Copy)]
struct Lifecycle {
    register: ServerAction<RegisterClient>,
    retire: ServerAction<RetireClient>,
    regenerate: ServerAction<RegenerateApiKey>,
    confirm_retire: RwSignal<bool>,
    confirm_regenerate: RwSignal<bool>,
}

impl Lifecycle {
    fn new(ctx: ClientContext) -> Self {
        let lifecycle = Self {
            register: ServerAction::new(),
            retire: ServerAction::new(),
            regenerate: ServerAction::new(),
            confirm_retire: RwSignal::new(false),
            confirm_regenerate: RwSignal::new(false),
        };
        for (value, done) in [
            (
                lifecycle.register.value(),
                "Client registered: the gateway accepts its API key.",
            ),
            (
                lifecycle.retire.value(),
                "Client retired: the gateway no longer accepts its API key.",
            ),
            (lifecycle.regenerate.value(), "A new API key was generated."),
        ] {
            follow(value, done, move |_| ctx.refresh(), Failure::Toast);
        }
        lifecycle
    }
}

#[component]
fn ClientHeader(view: ClientVersionView) -> impl IntoView {
    let ctx = use_client();
    let lifecycle = Lifecycle::new(ctx);
    let Lifecycle {
        register,
        confirm_retire,
        confirm_regenerate,
        ..
    } = lifecycle;
    let key = StoredValue::new((
        view.org_id.clone(),
        view.client_id.clone(),
        view.version.clone(),
    ));
    let new_version = ServerAction::<NewClientVersion>::new();
    let new_flow = NewVersionFlow::new(
        ctx,
        new_version.value(),
        "New client version created, with its own API key.",
        move |v| {
            let (org, client, from_version) = key.get_value();
            new_version.dispatch(NewClientVersion {
                org,
                client,
                from_version,
                version: v,
            });
        },
    );
    let delete = ServerAction::<DeleteClient>::new();
    let delete_flow = DeleteFlow::new(ctx, delete.value(), DELETE, move || {
        let (org, client, _) = key.get_value();
        delete.dispatch(DeleteClient { org, client });
    });

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
    view! {
        <VersionHeader summary=summary(view) new_version=new_flow delete=delete_flow>
            <Show when=move || show_register>
                <button type="button" class="btn-primary" on:click=move |_| {
                    let (org, client, version) = key.get_value();
                    register.dispatch(RegisterClient { org, client, version });
                }>{register_label}</button>
            </Show>
            <Show when=move || can_edit && client::can_retire(status).is_ok()>
                <button type="button" class="btn-danger" on:click=move |_| confirm_retire.set(true)>"Retire"</button>
            </Show>
            <Show when=move || can_edit && client::can_regenerate_key(status).is_ok()>
                <button type="button" class="btn-secondary" on:click=move |_| confirm_regenerate.set(true)>"Regenerate API Key"</button>
            </Show>
            <Show when=move || can_edit>
                <NewVersionButton flow=new_flow />
            </Show>
            <Show when=move || can_edit && client::can_delete(status).is_ok()>
                <DeleteButton flow=delete_flow label="Delete" />
            </Show>
        </VersionHeader>
        <LifecycleDialogs lifecycle key />
    }
}

fn summary(view: ClientVersionView) -> VersionSummary {
    VersionSummary {
        kind: EntityKind::Client,
        org: view.org_id,
        id: view.client_id,
        name: view.name,
        version: view.version,
        versions: view.versions,
        status: view.status.label(),
        warning: view.needs_reregister.then_some(REREGISTER),
    }
}

/// The confirmations of Retire and Regenerate API Key.
#[component]
fn LifecycleDialogs(
    lifecycle: Lifecycle,
    key: StoredValue<(String, String, String)>,
) -> impl IntoView {
    let Lifecycle {
        retire,
        regenerate,
        confirm_retire,
        confirm_regenerate,
        ..
    } = lifecycle;
    view! {
        <ConfirmDialog
            open=confirm_retire
            title="Retire client version"
            message=Signal::derive(|| "Retiring unregisters this client version: the gateway stops accepting its API key at once. Retire it?".to_string())
            confirm_label="Retire"
            on_confirm=move |_| {
                let (org, client, version) = key.get_value();
                retire.dispatch(RetireClient { org, client, version });
            }
        />
        <ConfirmDialog
            open=confirm_regenerate
            title="Regenerate API key"
            message=Signal::derive(|| "The current key stops being valid for this client version. Generate a new one?".to_string())
            confirm_label="Regenerate"
            on_confirm=move |_| {
                let (org, client, version) = key.get_value();
                regenerate.dispatch(RegenerateApiKey { org, client, version });
            }
        />
    }
}
