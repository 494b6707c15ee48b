//! The keys of a client version, on the console's client page and in the portal's My Clients:
//! each with its state, creation, last use and end, and for those who may edit the client,
//! Rotate (with a grace period for the keys in use) and Revoke.

use leptos::prelude::*;

use super::badge::StatusBadge;
use super::copy::SecretValue;
use super::dialog::ConfirmDialog;
use super::figures::moment;
use super::form::{FieldErrors, TextField};
use super::loaded::Loaded;
use super::outcome::{Failure, follow};
use crate::api::keys::{RevokeKey, RotateKey, list_client_keys};
use crate::domain::keys::{ClientKey, ClientKeys, GRACE_HOURS_DEFAULT, Grace};
use crate::domain::refs::VersionRef;
use crate::error::AppError;

/// The keys of the client version `client` names. Made where the page makes its other
/// resources, outside any `Loaded`: one made while a page hydrates would not find what the
/// server sent for it.
pub fn keys_resource(
    client: impl Fn() -> VersionRef + Send + Sync + 'static,
) -> Resource<Result<ClientKeys, AppError>> {
    Resource::new(client, |c| list_client_keys(c.org, c.id, c.version))
}

#[component]
pub fn KeysPanel(
    client: VersionRef,
    keys: Resource<Result<ClientKeys, AppError>>,
) -> impl IntoView {
    let rotate = ServerAction::<RotateKey>::new();
    let revoke = ServerAction::<RevokeKey>::new();
    let rotating = RwSignal::new(false);
    let revoking = RwSignal::new(None::<ClientKey>);
    let errors = RwSignal::new(FieldErrors::new());
    follow(
        rotate.value(),
        "New key issued",
        move |_| {
            rotating.set(false);
            keys.refetch();
        },
        Failure::FieldOrToast(errors),
    );
    follow(
        revoke.value(),
        "Key revoked",
        move |_| keys.refetch(),
        Failure::Toast,
    );
    let revoke_message = Signal::derive(move || {
        revoking.with(|k| {
            k.as_ref().map_or_else(String::new, |k| {
                format!(
                    "Requests with key {} are refused from now on. This cannot be undone.",
                    k.hint
                )
            })
        })
    });
    let confirm_revoke = RwSignal::new(false);
    let c = client.clone();
    view! {
        <Loaded resource=keys let:list>
            <div class="mb-3 flex items-center justify-between gap-3">
                <p class="text-sm text-slate-600">
                    "Rotate issues a new key at once and keeps the keys in use valid for a grace period, so callers can switch without downtime."
                </p>
                {list.can_manage.then(|| view! {
                    <button type="button" class="btn-primary shrink-0" on:click=move |_| { errors.set(FieldErrors::new()); rotating.set(true); }>
                        "Rotate Key"
                    </button>
                })}
            </div>
            <KeyTable keys=list.keys can_manage=list.can_manage on_revoke=Callback::new(move |k: ClientKey| {
                revoking.set(Some(k));
                confirm_revoke.set(true);
            }) />
        </Loaded>
        <RotateDialog open=rotating errors on_rotate=Callback::new({
            let c = c.clone();
            move |hours: i64| {
                rotate.dispatch(RotateKey {
                    org: c.org.clone(),
                    client: c.id.clone(),
                    version: c.version.clone(),
                    grace_hours: hours,
                });
            }
        }) />
        <ConfirmDialog
            open=confirm_revoke
            title="Revoke API key"
            message=revoke_message
            confirm_label="Revoke"
            on_confirm=move |_| {
                if let Some(k) = revoking.get_untracked() {
                    revoke.dispatch(RevokeKey {
                        org: c.org.clone(),
                        client: c.id.clone(),
                        version: c.version.clone(),
                        key_id: k.id,
                    });
                }
            }
        />
    }
}

#[component]
fn KeyTable(
    keys: Vec<ClientKey>,
    can_manage: bool,
    on_revoke: Callback<ClientKey>,
) -> impl IntoView {
    let th = "px-3 py-2 text-left text-xs font-medium uppercase text-slate-500";
    view! {
        <div class="overflow-x-auto rounded-lg border border-slate-200">
            <table class="min-w-full divide-y divide-slate-200 text-sm" aria-label="API keys">
                <thead class="bg-slate-50">
                    <tr>
                        <th class=th>"Key"</th>
                        <th class=th>"State"</th>
                        <th class=th>"Created"</th>
                        <th class=th>"Last used"</th>
                        <th class=th>"Ends"</th>
                        <th class=th><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100 bg-white">
                    {keys.into_iter().map(|k| key_row(k, can_manage, on_revoke)).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

fn key_row(k: ClientKey, can_manage: bool, on_revoke: Callback<ClientKey>) -> impl IntoView {
    let td = "px-3 py-2 align-middle";
    let ends = match (k.revoked_at, k.expires_at) {
        (Some(at), _) => format!(
            "Revoked {} by {}",
            moment(at),
            k.revoked_by.clone().unwrap_or_default()
        ),
        (None, Some(at)) => moment(at),
        (None, None) => "—".to_string(),
    };
    let state = k.state;
    let shown = k.clone();
    view! {
        <tr data-testid="key-row" data-state=state.label() data-hint=k.hint.clone()>
            <td class=td>
                {match k.key.clone() {
                    Some(key) => view! { <SecretValue value=key testid="key-value" /> }.into_any(),
                    None => view! { <code class="font-mono text-slate-600" data-testid="key-hint">{k.hint.clone()}</code> }.into_any(),
                }}
            </td>
            <td class=td><StatusBadge label=state.label() /></td>
            <td class=td>
                <span class="block">{moment(k.created_at)}</span>
                <span class="block text-xs text-slate-500">{format!("by {}", k.created_by)}</span>
            </td>
            <td class=td>{k.last_used_at.map_or_else(|| "Never".to_string(), moment)}</td>
            <td class=td data-testid="key-ends">{ends}</td>
            <td class="px-3 py-2 text-right">
                {(can_manage && state.in_use()).then(|| view! {
                    <button type="button" class="btn-secondary" on:click=move |_| on_revoke.run(shown.clone())>"Revoke"</button>
                })}
            </td>
        </tr>
    }
}

/// The keys behind a disclosure, loaded when it is first opened: a list of many clients asks
/// for no keys it does not show.
#[component]
pub fn KeysDisclosure(client: VersionRef) -> impl IntoView {
    let opened = RwSignal::new(false);
    view! {
        <details class="mt-3 rounded-lg border border-slate-200 px-3 py-2" data-testid="keys-disclosure"
            on:toggle=move |_| opened.set(true)>
            <summary class="cursor-pointer text-sm font-medium text-indigo-700">"API keys: rotate or revoke"</summary>
            <div class="mt-3">
                <Show when=move || opened.get()>
                    {
                        let c = client.clone();
                        let keys = keys_resource(move || c.clone());
                        view! { <KeysPanel client=client.clone() keys /> }
                    }
                </Show>
            </div>
        </details>
    }
}

/// Asks for the grace period, checked with the server's own rule before sending.
#[component]
fn RotateDialog(
    open: RwSignal<bool>,
    errors: RwSignal<FieldErrors>,
    on_rotate: Callback<i64>,
) -> impl IntoView {
    let hours = RwSignal::new(GRACE_HOURS_DEFAULT.to_string());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let checked = match hours.get_untracked().trim().parse::<i64>() {
            Ok(h) => Grace::hours(h).map_err(|e| e.message),
            Err(_) => Err("Enter the grace period as a whole number of hours.".to_string()),
        };
        match checked {
            Ok(grace) => on_rotate.run(i64::from(grace.as_hours())),
            Err(message) => errors.set(FieldErrors::from([("grace_hours".to_string(), message)])),
        }
    };
    view! {
        <Show when=move || open.get()>
            <div class="fixed inset-0 z-40 flex items-center justify-center bg-slate-900/40 px-4">
                <form role="dialog" aria-modal="true" aria-label="Rotate API key" on:submit=submit
                    class="w-full max-w-md rounded-xl bg-white p-6 shadow-xl">
                    <h2 class="text-lg font-semibold text-slate-900">"Rotate API key"</h2>
                    <p class="mt-2 mb-4 text-sm text-slate-600">
                        "A new key is issued now. The keys in use keep working for the grace period, then expire: give callers that long to switch."
                    </p>
                    <TextField label="Grace period (hours)" name="grace_hours" value=hours errors input_type="number"
                        help="1 to 720 hours (30 days); 24 unless you choose otherwise." />
                    <div class="mt-6 flex justify-end gap-3">
                        <button type="button" class="btn-secondary" on:click=move |_| open.set(false)>"Cancel"</button>
                        <button type="submit" class="btn-primary">"Rotate"</button>
                    </div>
                </form>
            </div>
        </Show>
    }
}
