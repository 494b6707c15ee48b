//! The Sign Up wizard: choose the organization and client, check the Summary, Confirm; then
//! the API key and endpoint (or word that the request awaits approval), and Finish.

mod choice;
mod done;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use self::choice::{Choice, OrgStep};
use self::done::{SignupDone, empty_result};

use super::for_param;
use crate::api::portal::{PortalSignUp, portal_api, signup_organizations};
use crate::domain::paging::{MAX_LIMIT, PageRequest};
use crate::domain::portal::{PortalApiDetails, PortalPlan, SignupOrg, SignupResult};
use crate::domain::refs::VersionRef;
use crate::error::AppError;
use crate::ui::components::form::SummaryList;
use crate::ui::components::loaded::Loaded;
use crate::ui::components::notice::ErrorNotice;
use crate::ui::components::outcome::follow;
use crate::ui::components::wizard::{Wizard, WizardState, WizardStep};

#[derive(Clone, PartialEq)]
struct Wanted {
    org: String,
    api: String,
    version: String,
    plan: String,
    plan_version: String,
    for_client: Option<VersionRef>,
}

#[component]
pub fn SignupPage() -> impl IntoView {
    let query = use_query_map();
    let q = query.read_untracked();
    let get = |k: &str| q.get(k).unwrap_or_default();
    let wanted = Wanted {
        org: get("org"),
        api: get("api"),
        version: get("version"),
        plan: get("plan"),
        plan_version: get("plan_version"),
        for_client: for_param(&q),
    };
    let w = wanted.clone();
    let details = Resource::new(
        move || (w.org.clone(), w.api.clone(), w.version.clone()),
        |(o, a, v)| portal_api(o, a, v),
    );
    // The largest page of organizations; signing up a given client asks for its organization.
    let first = match &wanted.for_client {
        Some(client) => PageRequest::new(&client.org, 0, MAX_LIMIT),
        None => PageRequest::all_first(),
    };
    let orgs = Resource::new(move || first.clone(), signup_organizations);
    view! {
        <Loaded resource=(details, orgs) let:loaded>
            {
                let (d, o) = loaded;
                view! { <SignupWizard details=d orgs=o.items wanted=wanted.clone() /> }
            }
        </Loaded>
    }
}

#[component]
fn SignupWizard(details: PortalApiDetails, orgs: Vec<SignupOrg>, wanted: Wanted) -> impl IntoView {
    let Some(plan) = details
        .plans
        .iter()
        .find(|p| p.plan_id == wanted.plan && p.version == wanted.plan_version)
        .cloned()
    else {
        let missing = AppError::NotFound("This API does not offer that plan.".into());
        return view! { <ErrorNotice error=missing /> }.into_any();
    };
    let choice = Choice::new(orgs, wanted.for_client.as_ref());
    let state = WizardState::new();
    let errors = state.errors;
    let org_step = WizardStep {
        title: "Organization",
        fields: vec!["org", "client", "name", "version"],
        validate: Callback::new(move |_| choice.validate()),
        view: ViewFn::from(move || view! { <OrgStep choice errors /> }),
    };
    let steps = vec![org_step, summary_step(&details, &plan, choice)];

    let confirm = ServerAction::<PortalSignUp>::new();
    let result = RwSignal::new(None::<SignupResult>);
    let failure = state.failure(steps.clone());
    follow(confirm.value(), None, move |r| result.set(Some(r)), failure);
    let w = StoredValue::new(wanted);
    view! {
        <Show
            when=move || result.get().is_none()
            fallback=move || view! { <SignupDone result=result.get().unwrap_or_else(empty_result) /> }
        >
            <Wizard
                title="Sign Up"
                steps=steps.clone()
                state
                submit_label="Confirm"
                pending=confirm.pending()
                on_submit=move |_| {
                    state.form_error.set(None);
                    let w = w.get_value();
                    confirm.dispatch(PortalSignUp { api_org: w.org, api: w.api, api_version: w.version, plan: w.plan, plan_version: w.plan_version, target: choice.target() });
                }
            />
        </Show>
    }
    .into_any()
}

/// The read-only Summary: the API, the plan and its policies, and the client chosen.
fn summary_step(details: &PortalApiDetails, plan: &PortalPlan, choice: Choice) -> WizardStep {
    let api_label = format!(
        "{} {} ({})",
        details.name, details.version, details.org_name
    );
    let approval = if plan.requires_approval {
        " (approval required)"
    } else {
        ""
    };
    let plan_label = format!("{} {}{approval}", plan.name, plan.version);
    let policies = if plan.policies.is_empty() {
        "No limits".to_string()
    } else {
        plan.policies.join("; ")
    };
    let Choice {
        org,
        existing,
        new_client,
        new_name,
        new_version,
        ..
    } = choice;
    WizardStep::read_only("Summary", move || {
        let (a, p, pol) = (api_label.clone(), plan_label.clone(), policies.clone());
        view! {
            <SummaryList items=vec![
                ("API", Signal::derive(move || a.clone())),
                ("Plan", Signal::derive(move || p.clone())),
                ("Policies", Signal::derive(move || pol.clone())),
                ("Organization", Signal::derive(move || if org.get().is_empty() { "Your personal organization".to_string() } else { org.get() })),
                ("Client", Signal::derive(move || if new_client.get() { format!("{} {} (new)", new_name.get(), new_version.get()) } else { existing.get().replace('/', " ") })),
            ] />
        }
    })
}
