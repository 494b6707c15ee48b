//! The Members tab: who belongs to the organization, with which role.

use leptos::prelude::*;

use super::invitations::PendingInvitations;
use super::{OrgContext, use_org};
use crate::api::members::{AddMember, ChangeMemberRole, RemoveMember, list_members};
use crate::domain::invitation::{MemberAdded, invited_message};
use crate::domain::model::Member;
use crate::domain::roles::Role;
use crate::ui::components::badge::StatusBadge;
use crate::ui::components::dialog::ConfirmDialog;
use crate::ui::components::form::{FieldErrors, SelectField, TextField};
use crate::ui::components::loaded::Loaded;
use crate::ui::components::notice::FormError;
use crate::ui::components::outcome::{Failure, follow};
use crate::ui::components::paging::{FilterBox, Pager, use_page};
use crate::ui::components::table::DataTable;
use crate::ui::components::toast::use_toasts;

fn role_options() -> Vec<(String, String)> {
    Role::ALL
        .into_iter()
        .map(|r| (r.as_str().to_string(), r.label().to_string()))
        .collect()
}

/// Whether the user may manage members, known once the organization has loaded. Awaited inside
/// each `Transition` that needs it: read synchronously, it is still unknown while the server
/// renders but already known when the browser hydrates, and the two renderings would differ.
pub(super) async fn may_manage(org: OrgContext) -> bool {
    org.view.await.is_ok_and(|v| v.can_manage_members)
}

#[component]
pub fn OrgMembersTab() -> impl IntoView {
    let org = use_org();
    let add = ServerAction::<AddMember>::new();
    let change = ServerAction::<ChangeMemberRole>::new();
    let remove = ServerAction::<RemoveMember>::new();
    let page = use_page();
    let members = Resource::new(
        move || {
            (
                org.id.get(),
                page.get(),
                add.version().get(),
                change.version().get(),
                remove.version().get(),
            )
        },
        |(id, page, ..)| list_members(id, page),
    );
    follow(change.value(), None, |_| {}, Failure::Toast);
    follow(remove.value(), "Member removed.", |_| {}, Failure::Toast);

    let removing = RwSignal::new(String::new());
    let confirm_open = RwSignal::new(false);
    let actions = RowActions {
        org: org.id,
        change,
        removing,
        confirm_open,
    };

    let members_and_rights = move || async move {
        let manage = may_manage(org).await;
        members.await.map(|list| (manage, list))
    };

    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                may_manage(org).await.then(|| view! { <AddMemberForm org=org.id add /> })
            })}
        </Transition>
        <PendingInvitations org add />
        <FilterBox page label="Filter members" />
        <Loaded resource=members_and_rights let:loaded>
            {
                let (manage, list) = loaded;
                let info = list.info();
                view! {
                    <DataTable headers=vec!["Member", "Name", "Role", ""]>
                        {list.items.into_iter().map(|m| view! { <MemberRow member=m manage actions /> }).collect_view()}
                    </DataTable>
                    <Pager page info />
                }
            }
        </Loaded>
        <ConfirmDialog
            open=confirm_open
            title="Remove member"
            message=Signal::derive(move || format!("Remove {} from this organization?", removing.get()))
            confirm_label="Remove"
            on_confirm=move |_| {
                remove.dispatch(RemoveMember { org: org.id.get_untracked(), username: removing.get_untracked() });
            }
        />
    }
}

#[component]
fn AddMemberForm(org: Memo<String>, add: ServerAction<AddMember>) -> impl IntoView {
    let toasts = use_toasts();
    let username = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Viewer.as_str().to_string());
    let errors = RwSignal::new(FieldErrors::new());
    let form_error = RwSignal::new(None::<String>);
    // The toast says which of the two happened.
    let added = move |outcome| {
        let name = username.get_untracked();
        toasts.success(match outcome {
            MemberAdded::Added => format!("{name} added."),
            MemberAdded::Invited => invited_message(&name),
        });
        username.set(String::new());
    };
    follow(
        add.value(),
        None,
        added,
        Failure::FieldOrForm(errors, form_error),
    );
    view! {
        <form
            class="mb-6 flex items-start gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
            on:submit=move |ev| {
                ev.prevent_default();
                form_error.set(None);
                errors.set(FieldErrors::new());
                let Some(r) = Role::parse(&role.get_untracked()) else { return };
                add.dispatch(AddMember { org: org.get_untracked(), username: username.get_untracked(), role: r });
            }
        >
            <div class="flex-1">
                <FormError message=form_error />
                <TextField label="Username" name="username" value=username errors help="Administrators add the user at once; others send an invitation that the user accepts." />
            </div>
            <div class="w-52">
                <SelectField label="Role" name="role" value=role options=role_options() errors />
            </div>
            <button type="submit" class="btn-primary mt-6" disabled=move || add.pending().get()>"Add Member"</button>
        </form>
    }
}

/// What a member row's controls act on.
#[derive(Clone, Copy)]
struct RowActions {
    org: Memo<String>,
    change: ServerAction<ChangeMemberRole>,
    removing: RwSignal<String>,
    confirm_open: RwSignal<bool>,
}

#[component]
fn MemberRow(member: Member, manage: bool, actions: RowActions) -> impl IntoView {
    let RowActions {
        org,
        change,
        removing,
        confirm_open,
    } = actions;
    let role_cell = if manage {
        let user = member.username.clone();
        let current = member.role.as_str();
        view! {
            <select
                aria-label=format!("Role of {user}")
                class="rounded-md border border-slate-300 px-2 py-1 text-sm"
                on:change=move |ev| {
                    if let Some(r) = Role::parse(&event_target_value(&ev)) {
                        change.dispatch(ChangeMemberRole { org: org.get_untracked(), username: user.clone(), role: r });
                    }
                }
            >
                {role_options().into_iter().map(|(v, l)| {
                    let selected = v == current;
                    view! { <option value=v selected=selected>{l}</option> }
                }).collect_view()}
            </select>
        }
        .into_any()
    } else {
        view! { <StatusBadge label=member.role.label() /> }.into_any()
    };
    let user = member.username.clone();
    view! {
        <tr data-testid="member-row">
            <td class="px-4 py-3 font-medium">{member.username.clone()}</td>
            <td class="px-4 py-3 text-slate-600">{member.display_name.clone()}</td>
            <td class="px-4 py-3">{role_cell}</td>
            <td class="px-4 py-3 text-right">
                {manage.then(|| view! {
                    <button
                        type="button"
                        class="text-sm font-medium text-red-600 hover:underline"
                        on:click=move |_| {
                            removing.set(user.clone());
                            confirm_open.set(true);
                        }
                    >
                        "Remove"
                    </button>
                })}
            </td>
        </tr>
    }
}
