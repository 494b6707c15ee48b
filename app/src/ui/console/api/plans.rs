//! The API version's Plans tab: which locked plan versions it offers, and which need approval.

use std::collections::BTreeMap;

use leptos::prelude::*;

use super::use_api;
use crate::api::apis::{PlanOfferInput, SetApiPlans};
use crate::api::plans::plan_choices;
use crate::domain::catalog::{ApiVersionView, PlanChoice};
use crate::domain::lifecycle::{ApiChange, api_change_allowed};
use crate::domain::paging::PageRequest;
use crate::ui::components::form::FieldErrors;
use crate::ui::components::loaded::Loaded;
use crate::ui::components::notice::FormError;
use crate::ui::components::outcome::{Failure, follow};
use crate::ui::components::table::{DataTable, EmptyState};

#[component]
pub fn ApiPlansTab() -> impl IntoView {
    let ctx = use_api();
    // The largest page of locked plans: an organization offers a handful, not hundreds.
    let choices = Resource::new(
        move || ctx.org.get(),
        |org| plan_choices(org, PageRequest::all_first()),
    );
    view! {
        <Loaded resource=(ctx.view, choices) let:loaded>
            {
                let (v, c) = loaded;
                view! { <PlanOffers view=v choices=c.items /> }
            }
        </Loaded>
    }
}

/// Key of a plan version in the form state.
fn key(plan: &str, version: &str) -> String {
    format!("{plan}:{version}")
}

#[component]
fn PlanOffers(view: ApiVersionView, choices: Vec<PlanChoice>) -> impl IntoView {
    let editable = view.can_edit && api_change_allowed(view.status, ApiChange::Plans).is_ok();
    if !editable {
        return view! { <OfferedPlans view /> }.into_any();
    }
    if choices.is_empty() {
        return view! {
            <EmptyState message="This organization has no locked plans yet. Create a plan, add its policies and lock it: only locked plans can be offered." />
        }
        .into_any();
    }
    view! { <OfferForm view choices /> }.into_any()
}

/// The plans offered, read-only, with why they cannot change.
#[component]
fn OfferedPlans(view: ApiVersionView) -> impl IntoView {
    view! {
        {api_change_allowed(view.status, ApiChange::Plans).err().map(|r| view! {
            <p class="mb-4 rounded-md bg-slate-100 px-4 py-2 text-sm text-slate-600">{r}</p>
        })}
        {if view.plans.is_empty() {
            view! { <EmptyState message="This API version offers no plans." /> }.into_any()
        } else {
            view! {
                <DataTable headers=vec!["Plan", "Version", "Approval"]>
                    {view.plans.into_iter().map(|p| view! {
                        <tr data-testid="offered-plan">
                            <td class="px-4 py-3 font-medium">{p.plan_name}</td>
                            <td class="px-4 py-3 font-mono text-xs">{p.version}</td>
                            <td class="px-4 py-3">{if p.requires_approval { "Requires approval" } else { "Automatic" }}</td>
                        </tr>
                    }).collect_view()}
                </DataTable>
            }.into_any()
        }}
    }
}

/// (offered, requires approval) per plan version key.
type Offers = RwSignal<BTreeMap<String, (bool, bool)>>;

/// Rows in offer order: what is offered now first, in its saved order, then the rest.
fn in_offer_order(view: &ApiVersionView, choices: Vec<PlanChoice>) -> Vec<PlanChoice> {
    let offered = |c: &PlanChoice| {
        view.plans
            .iter()
            .any(|p| p.plan_id == c.plan_id && p.version == c.version)
    };
    let mut ordered: Vec<PlanChoice> = view
        .plans
        .iter()
        .filter_map(|p| {
            choices
                .iter()
                .find(|c| c.plan_id == p.plan_id && c.version == p.version)
                .cloned()
        })
        .collect();
    ordered.extend(choices.into_iter().filter(|c| !offered(c)));
    ordered
}

/// The editable table of plan versions: offer, approval, order; and Save Plans.
#[component]
fn OfferForm(view: ApiVersionView, choices: Vec<PlanChoice>) -> impl IntoView {
    let ctx = use_api();
    // Starts from what is offered now.
    let state: Offers = RwSignal::new(
        view.plans
            .iter()
            .map(|p| (key(&p.plan_id, &p.version), (true, p.requires_approval)))
            .collect(),
    );
    let errors = RwSignal::new(FieldErrors::new());
    let form_error = RwSignal::new(None::<String>);
    let save = ServerAction::<SetApiPlans>::new();
    let failure = Failure::FieldOrForm(errors, form_error);
    follow(
        save.value(),
        "Plans saved.",
        move |_| ctx.refresh(),
        failure,
    );
    let choices = RwSignal::new(in_offer_order(&view, choices));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form_error.set(None);
        let chosen = state.get_untracked();
        let plans = choices.with_untracked(|cs| {
            cs.iter()
                .filter_map(|c| {
                    chosen
                        .get(&key(&c.plan_id, &c.version))
                        .filter(|(offered, _)| *offered)
                        .map(|(_, approval)| PlanOfferInput {
                            plan_id: c.plan_id.clone(),
                            version: c.version.clone(),
                            requires_approval: *approval,
                        })
                })
                .collect()
        });
        save.dispatch(SetApiPlans {
            org: ctx.org.get_untracked(),
            api: ctx.id.get_untracked(),
            version: ctx.version.get_untracked(),
            plans,
        });
    };
    view! {
        <form on:submit=submit>
            <FormError message=form_error />
            {move || errors.with(|e| e.get("plans").cloned()).map(|m| view! { <p class="mb-3 text-sm text-red-600" data-field-error="plans">{m}</p> })}
            <DataTable headers=vec!["Offer", "Plan", "Version", "Requires approval", "Order"]>
                {move || { let count = choices.with(Vec::len); choices.get().into_iter().enumerate().map(|(i, choice)| {
                    view! { <OfferRow choice position=i count state choices /> }
                }).collect_view() }}
            </DataTable>
            <div class="mt-4 flex justify-end">
                <button type="submit" class="btn-primary" disabled=move || save.pending().get()>"Save Plans"</button>
            </div>
        </form>
    }
}

/// One plan version: offered or not, approval or not, and its place in the order.
#[component]
fn OfferRow(
    choice: PlanChoice,
    position: usize,
    count: usize,
    state: Offers,
    choices: RwSignal<Vec<PlanChoice>>,
) -> impl IntoView {
    let i = position;
    let shift = move |up: bool| {
        choices.update(|cs| {
            let j = if up {
                i.checked_sub(1)
            } else {
                Some(i + 1).filter(|j| *j < cs.len())
            };
            if let Some(j) = j {
                cs.swap(i, j);
            }
        });
    };
    let k = key(&choice.plan_id, &choice.version);
    let (k1, k2, k3, k4) = (k.clone(), k.clone(), k.clone(), k);
    let label = format!("{} {}", choice.plan_name, choice.version);
    view! {
        <tr data-testid="plan-choice">
            <td class="px-4 py-3">
                <input type="checkbox" aria-label=format!("Offer {label}")
                    prop:checked=move || state.with(|s| s.get(&k1).is_some_and(|e| e.0))
                    on:change=move |ev| { let on = event_target_checked(&ev); state.update(|s| { s.entry(k2.clone()).or_default().0 = on; }); } />
            </td>
            <td class="px-4 py-3 font-medium">{choice.plan_name.clone()}</td>
            <td class="px-4 py-3 font-mono text-xs">{choice.version.clone()}</td>
            <td class="px-4 py-3">
                <input type="checkbox" aria-label=format!("{label} requires approval")
                    prop:checked=move || state.with(|s| s.get(&k3).is_some_and(|e| e.1))
                    on:change=move |ev| { let on = event_target_checked(&ev); state.update(|s| { s.entry(k4.clone()).or_default().1 = on; }); } />
            </td>
            <td class="space-x-2 px-4 py-3 text-slate-500">
                <button type="button" aria-label=format!("Move {label} up") disabled=i == 0 class="disabled:opacity-30" on:click=move |_| shift(true)>"↑"</button>
                <button type="button" aria-label=format!("Move {label} down") disabled=i + 1 == count class="disabled:opacity-30" on:click=move |_| shift(false)>"↓"</button>
            </td>
        </tr>
    }
}
