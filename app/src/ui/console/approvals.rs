//! Approval requests: contracts on plans that require approval, for those who may approve.

use crate::domain::refs::Kind;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::contracts::{ApproveContract, RejectContract, approval_requests};
use crate::ui::components::form::{FieldErrors, TextField};
use crate::ui::components::loaded::Loaded;
use crate::ui::components::outcome::{Failure, follow};
use crate::ui::components::paging::{FilterBox, Pager, use_page};
use crate::ui::components::table::EmptyState;

#[component]
pub fn ApprovalsPage() -> impl IntoView {
    let approve = ServerAction::<ApproveContract>::new();
    let reject = ServerAction::<RejectContract>::new();
    let page = use_page();
    let requests = Resource::new(
        move || (page.get(), approve.version().get(), reject.version().get()),
        |(page, ..)| approval_requests(page),
    );
    let rejecting = RwSignal::new(None::<i64>);
    let reason = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::new());
    follow(
        approve.value(),
        "Request approved: the client can use the API.",
        |_| {},
        Failure::Toast,
    );
    let rejected = move |_| {
        rejecting.set(None);
        reason.set(String::new());
    };
    follow(
        reject.value(),
        "Request rejected.",
        rejected,
        Failure::FieldOrToast(errors),
    );

    view! {
        <h1 class="text-2xl font-semibold text-slate-900">"Approval requests"</h1>
        <p class="mt-1 text-sm text-slate-500">"Contracts on plans that require approval, waiting for a decision by the plan's provider."</p>
        <div class="mt-6">
            <FilterBox page label="Filter requests" />
            <Loaded resource=requests let:list>
                {if list.items.is_empty() {
                    view! { <EmptyState message="No requests are waiting for your approval." /> }.into_any()
                } else { let info = list.info(); view! {
                    <ul class="space-y-3">
                        {list.items.into_iter().map(|c| {
                            let id = c.id;
                            view! {
                                <li class="rounded-xl border border-slate-200 bg-white p-5 shadow-sm" data-testid="approval-request">
                                    <div class="flex items-start justify-between gap-4">
                                        <div class="text-sm">
                                            <p class="font-semibold text-slate-900">
                                                <A href=c.client_ref().console_url(Kind::Client) attr:class="hover:underline">{format!("{} {}", c.client_name, c.client_version)}</A>
                                                " (" {c.client_org.clone()} ") requests "
                                                <A href=c.api_ref().console_url(Kind::Api) attr:class="hover:underline">{format!("{} {}", c.api_name, c.api_version)}</A>
                                            </p>
                                            <p class="mt-1 text-slate-600">{format!("Plan {} {} · requested by {} on {}", c.plan_name, c.plan_version, c.requested_by, c.created_at.format("%Y-%m-%d %H:%M UTC"))}</p>
                                        </div>
                                        <div class="flex shrink-0 gap-2">
                                            <button type="button" class="btn-primary" on:click=move |_| { approve.dispatch(ApproveContract { id }); }>"Approve"</button>
                                            <button type="button" class="btn-secondary" on:click=move |_| { errors.set(FieldErrors::new()); rejecting.set(Some(id)); }>"Reject"</button>
                                        </div>
                                    </div>
                                    <Show when=move || rejecting.get() == Some(id)>
                                        <form class="mt-4 flex items-start gap-3" on:submit=move |ev| {
                                            ev.prevent_default();
                                            reject.dispatch(RejectContract { id, reason: reason.get_untracked() });
                                        }>
                                            <div class="flex-1">
                                                <TextField label="Reason" name="reason" value=reason errors help="The requester sees this on the client's page." />
                                            </div>
                                            <button type="submit" class="btn-danger mt-6">"Reject Request"</button>
                                        </form>
                                    </Show>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <Pager page info />
                }.into_any() }}
            </Loaded>
        </div>
    }
}
