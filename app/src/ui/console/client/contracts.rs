//! The client version's Contracts tab: its contracts, a form for a new one, and deletion.

use leptos::prelude::*;

use super::use_client;
use crate::api::contracts::{CreateContract, DeleteContract, contractable_apis};
use crate::domain::catalog::{ClientVersionView, ContractStatus, ContractView, ContractableApi};
use crate::domain::client::ClientStatus;
use crate::domain::paging::PageRequest;
use crate::domain::refs::VersionRef;
use crate::ui::components::contracts::ContractTable;
use crate::ui::components::dialog::ConfirmDialog;
use crate::ui::components::loaded::Loaded;
use crate::ui::components::notice::FormError;
use crate::ui::components::outcome::{Failure, follow};
use crate::ui::components::paging::FilterBox;
use crate::ui::components::toast::use_toasts;

#[component]
pub fn ClientContractsTab() -> impl IntoView {
    let ctx = use_client();
    // The API picker lists one page of what may be contracted; the filter narrows it.
    let page = RwSignal::new(PageRequest::all_first());
    let apis = Resource::new(move || page.get(), contractable_apis);
    view! {
        <FilterBox page label="Find an API to contract with" />
        <Loaded resource=(ctx.view, apis) let:loaded>
            {
                let (v, a) = loaded;
                view! { <Contracts view=v apis=a.items /> }
            }
        </Loaded>
    }
}

#[component]
fn Contracts(view: ClientVersionView, apis: Vec<ContractableApi>) -> impl IntoView {
    let ctx = use_client();
    let toasts = use_toasts();
    let create = ServerAction::<CreateContract>::new();
    let delete = ServerAction::<DeleteContract>::new();
    let form_error = RwSignal::new(None::<String>);
    // The toast says whether the contract is active or awaits approval.
    let created = move |status| {
        toasts.success(match status {
            ContractStatus::Active => "Contract created.",
            ContractStatus::AwaitingApproval => {
                "Contract requested: it awaits approval by the plan's provider."
            }
        });
        ctx.refresh();
    };
    follow(create.value(), None, created, Failure::Form(form_error));
    let deleted = move |_| ctx.refresh();
    follow(delete.value(), "Contract deleted.", deleted, Failure::Toast);

    let apis = StoredValue::new(apis);
    let removing = RwSignal::new(None::<ContractView>);
    let confirm_open = RwSignal::new(false);
    let editable = view.can_edit && view.status != ClientStatus::Retired;
    let contracts = view.contracts.clone();
    let ask_delete = Callback::new(move |c: ContractView| {
        removing.set(Some(c));
        confirm_open.set(true);
    });

    view! {
        <ContractTable contracts show_client=false on_delete=editable.then_some(ask_delete) />
        <Show when=move || editable>
            <NewContractForm apis create form_error />
        </Show>
        <ConfirmDialog
            open=confirm_open
            title="Delete contract"
            message=Signal::derive(move || removing.get().map(|c| format!("Delete the contract with {} {} ({} {})?", c.api_name, c.api_version, c.plan_name, c.plan_version)).unwrap_or_default())
            confirm_label="Delete"
            on_confirm=move |_| {
                if let Some(c) = removing.get_untracked() {
                    delete.dispatch(DeleteContract { id: c.id });
                }
            }
        />
    }
}

/// "org/api/version" of an API version (VersionRef's Display), as the API picker's value.
fn api_key(a: &ContractableApi) -> String {
    a.version_ref().to_string()
}

/// The New Contract form: an API version, then one of its plans.
#[component]
fn NewContractForm(
    apis: StoredValue<Vec<ContractableApi>>,
    create: ServerAction<CreateContract>,
    form_error: RwSignal<Option<String>>,
) -> impl IntoView {
    let ctx = use_client();
    // The chosen API version ("org/api/version") and plan ("plan/version").
    let chosen_api = RwSignal::new(String::new());
    let chosen_plan = RwSignal::new(String::new());
    let plans_of_chosen = move || {
        let chosen = chosen_api.get();
        apis.with_value(|list| {
            list.iter()
                .find(|a| api_key(a) == chosen)
                .map(|a| a.plans.clone())
                .unwrap_or_default()
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form_error.set(None);
        let api = chosen_api.get_untracked();
        let plan = chosen_plan.get_untracked();
        // The options' values: `org/api/version` (VersionRef's Display) and `plan/version`.
        let (Ok(api), Some((plan_id, plan_version))) =
            (api.parse::<VersionRef>(), plan.split_once('/'))
        else {
            form_error.set(Some("Choose an API and one of its plans.".into()));
            return;
        };
        create.dispatch(CreateContract {
            client: VersionRef::new(
                ctx.org.get_untracked(),
                ctx.id.get_untracked(),
                ctx.version.get_untracked(),
            ),
            api,
            plan: plan_id.to_string(),
            plan_version: plan_version.to_string(),
        });
    };
    view! {
        <form class="mt-6 max-w-3xl rounded-xl border border-slate-200 bg-white p-5 shadow-sm" on:submit=submit>
            <h2 class="mb-3 text-base font-semibold">"New Contract"</h2>
            <FormError message=form_error />
            <div class="grid gap-4 md:grid-cols-2">
                <div>
                    <label for="contract-api" class="block text-sm font-medium text-slate-700">"API"</label>
                    <select id="contract-api" class="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
                        on:change=move |ev| { chosen_api.set(event_target_value(&ev)); chosen_plan.set(String::new()); }>
                        <option value="">"Choose a published API…"</option>
                        {apis.get_value().iter().map(|a| view! {
                            <option value=api_key(a)>{format!("{} {} ({})", a.name, a.version, a.org_id)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div>
                    <label for="contract-plan" class="block text-sm font-medium text-slate-700">"Plan"</label>
                    <select id="contract-plan" class="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
                        prop:value=move || chosen_plan.get()
                        on:change=move |ev| chosen_plan.set(event_target_value(&ev))>
                        <option value="">"Choose a plan…"</option>
                        {move || plans_of_chosen().into_iter().map(|p| {
                            let label = format!("{} {}{}", p.plan_name, p.version, if p.requires_approval { " (requires approval)" } else { "" });
                            view! { <option value=format!("{}/{}", p.plan_id, p.version)>{label}</option> }
                        }).collect_view()}
                    </select>
                </div>
            </div>
            <div class="mt-4 flex justify-end">
                <button type="submit" class="btn-primary" disabled=move || create.pending().get()>"Create Contract"</button>
            </div>
        </form>
    }
}
