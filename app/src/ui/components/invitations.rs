//! The signed-in user's pending invitations, with Accept and Decline: on the console home and
//! on the portal's My Clients, since portal-only users are invited too.

use leptos::prelude::*;

use crate::api::members::{RespondToInvitation, my_invitations};
use crate::ui::components::outcome::{Failure, follow};

/// Shows nothing when there is no invitation. `joined` ticks after every answer, so the page
/// can reload what membership changes.
#[component]
pub fn MyInvitations(joined: RwSignal<u32>) -> impl IntoView {
    let respond = ServerAction::<RespondToInvitation>::new();
    let list = Resource::new(move || respond.version().get(), |_| my_invitations());
    follow(
        respond.value(),
        "Invitation answered.",
        move |_| joined.update(|n| *n += 1),
        Failure::Toast,
    );
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let items = list.await.ok().filter(|l| !l.is_empty())?;
                Some(view! {
                    <section class="mt-6 rounded-xl border border-indigo-200 bg-indigo-50 p-4" aria-label="Invitations">
                        <h2 class="text-sm font-semibold text-indigo-900">"Invitations"</h2>
                        <ul class="mt-2 space-y-2">
                            {items.into_iter().map(|i| {
                                let (accept_org, decline_org) = (i.org_id.clone(), i.org_id.clone());
                                view! {
                                    <li class="flex items-center justify-between gap-3 text-sm" data-testid="invitation">
                                        <span>
                                            {format!("{} invites you to {} ({}) as {}.", i.invited_by, i.org_name, i.org_id, i.role.label())}
                                        </span>
                                        <span class="flex gap-2">
                                            <button type="button" class="btn-primary" on:click=move |_| {
                                                respond.dispatch(RespondToInvitation { org: accept_org.clone(), accept: true });
                                            }>"Accept"</button>
                                            <button type="button" class="btn-secondary" on:click=move |_| {
                                                respond.dispatch(RespondToInvitation { org: decline_org.clone(), accept: false });
                                            }>"Decline"</button>
                                        </span>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                })
            })}
        </Transition>
    }
}
