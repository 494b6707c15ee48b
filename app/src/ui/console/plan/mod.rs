//! The plan version page: Overview, Policies, Activity; Lock and New Version.

pub mod tabs;

use leptos::prelude::*;

use super::version_header::{NewVersionButton, NewVersionFlow, VersionHeader, VersionSummary};
use super::versioned::{EntityKind, VersionContext, VersionPage};
use crate::api::plans::{LockPlan, NewPlanVersion, get_plan_version};
use crate::domain::catalog::PlanVersionView;
use crate::domain::lifecycle::PlanStatus;
use crate::ui::components::dialog::ConfirmDialog;
use crate::ui::components::outcome::{Failure, follow};

pub type PlanContext = VersionContext<PlanVersionView>;

pub fn use_plan() -> PlanContext {
    expect_context::<PlanContext>()
}

#[component]
pub fn PlanPage() -> impl IntoView {
    view! {
        <VersionPage
            kind=EntityKind::Plan
            fetch=get_plan_version
            tabs=vec![("Overview", "overview"), ("Policies", "policies"), ("Activity", "activity")]
            header=|v| view! { <PlanHeader view=v /> }
        />
    }
}

#[component]
fn PlanHeader(view: PlanVersionView) -> impl IntoView {
    let ctx = use_plan();
    let lock = ServerAction::<LockPlan>::new();
    follow(
        lock.value(),
        "Plan version locked.",
        move |_| ctx.refresh(),
        Failure::Toast,
    );
    let confirm_lock = RwSignal::new(false);

    let (org, plan, version) = (
        view.org_id.clone(),
        view.plan_id.clone(),
        view.version.clone(),
    );
    let key = StoredValue::new((org.clone(), plan.clone(), version.clone()));
    let new_version = ServerAction::<NewPlanVersion>::new();
    let new_flow = NewVersionFlow::new(
        ctx,
        new_version.value(),
        "New plan version created.",
        move |v| {
            let (org, plan, from_version) = key.get_value();
            new_version.dispatch(NewPlanVersion {
                org,
                plan,
                from_version,
                version: v,
            });
        },
    );

    let can_lock = view.can_edit && view.status == PlanStatus::Created;
    let can_edit = view.can_edit;
    let summary = VersionSummary {
        kind: EntityKind::Plan,
        org,
        id: plan,
        name: view.name,
        version,
        versions: view.versions,
        status: view.status.as_str(),
        warning: None,
    };
    view! {
        <VersionHeader summary new_version=new_flow>
            <Show when=move || can_lock>
                <button type="button" class="btn-primary" on:click=move |_| confirm_lock.set(true)>"Lock"</button>
            </Show>
            <Show when=move || can_edit>
                <NewVersionButton flow=new_flow />
            </Show>
        </VersionHeader>
        <ConfirmDialog
            open=confirm_lock
            title="Lock plan version"
            message=Signal::derive(|| "A locked plan version can no longer be revised: its policies stay as they are, so that consumers keep the service level they signed up for. Lock it now?".to_string())
            confirm_label="Lock"
            on_confirm=move |_| {
                let (org, plan, version) = key.get_value();
                lock.dispatch(LockPlan { org, plan, version });
            }
        />
    }
}
