//! The Members tab's pending invitations, which those who manage members can cancel.

use leptos::prelude::*;

use super::OrgContext;
use super::members::may_manage;
use crate::api::members::{AddMember, CancelInvitation, list_invitations};
use crate::ui::components::loaded::Loaded;
use crate::ui::components::outcome::{Failure, follow};
use crate::ui::components::table::DataTable;

#[component]
pub fn PendingInvitations(org: OrgContext, add: ServerAction<AddMember>) -> impl IntoView {
    let cancel = ServerAction::<CancelInvitation>::new();
    let list = Resource::new(
        move || (org.id.get(), add.version().get(), cancel.version().get()),
        |(id, ..)| list_invitations(id),
    );
    follow(
        cancel.value(),
        "Invitation cancelled.",
        |_| {},
        Failure::Toast,
    );
    let loaded = move || async move {
        let manage = may_manage(org).await;
        list.await.map(|items| (manage, items))
    };
    view! {
        <Loaded resource=loaded fallback=|| () let:loaded>
            {
                let (manage, items) = loaded;
                (!items.is_empty()).then(|| view! {
                    <section class="mb-6" aria-label="Pending invitations">
                        <h2 class="mb-2 text-sm font-semibold text-slate-700">"Pending invitations"</h2>
                        <DataTable headers=vec!["Invited", "Role", "By", "Expires", ""]>
                            {items.into_iter().map(|i| {
                                let name = i.username.clone();
                                view! {
                                    <tr data-testid="invitation-row">
                                        <td class="px-4 py-3 font-medium">{i.username.clone()}</td>
                                        <td class="px-4 py-3">{i.role.label()}</td>
                                        <td class="px-4 py-3 text-slate-600">{i.invited_by.clone()}</td>
                                        <td class="px-4 py-3 text-slate-600">{i.expires_at.format("%Y-%m-%d %H:%M UTC").to_string()}</td>
                                        <td class="px-4 py-3 text-right">
                                            {manage.then(|| view! {
                                                <button
                                                    type="button"
                                                    class="btn-secondary"
                                                    aria-label=format!("Cancel the invitation of {name}")
                                                    on:click=move |_| {
                                                        cancel.dispatch(CancelInvitation { org: org.id.get_untracked(), username: name.clone() });
                                                    }
                                                >"Cancel"</button>
                                            })}
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </DataTable>
                    </section>
                })
            }
        </Loaded>
    }
}
