//! The plan version page: Overview, Policies, Activity; Lock and New Version.

pub mod tabs;

use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::use_navigate;

use super::version_header::{NewVersionForm, VersionHeader, route_param};
use crate::api::plans::{LockPlan, NewPlanVersion, get_plan_version};
use crate::domain::catalog::PlanVersionView;
use crate::domain::lifecycle::PlanStatus;
use crate::error::AppError;
use crate::ui::components::dialog::ConfirmDialog;
use crate::ui::components::form::FieldErrors;
use crate::ui::components::loaded::Loaded;
use crate::ui::components::outcome::{Failure, follow};
use crate::ui::components::tabs::Tabs;

#[derive(Clone, Copy)]
pub struct PlanContext {
    pub org: Memo<String>,
    pub plan: Memo<String>,
    pub version: Memo<String>,
    pub view: Resource<Result<PlanVersionView, AppError>>,
    pub reload: RwSignal<u32>,
}

pub fn use_plan() -> PlanContext {
    expect_context::<PlanContext>()
}

#[component]
pub fn PlanPage() -> impl IntoView {
    let (org, plan, version) = (
        route_param("org"),
        route_param("plan"),
        route_param("version"),
    );
    let reload = RwSignal::new(0u32);
    let view_res = Resource::new(
        move || (org.get(), plan.get(), version.get(), reload.get()),
        |(o, p, v, _)| get_plan_version(o, p, v),
    );
    provide_context(PlanContext {
        org,
        plan,
        version,
        view: view_res,
        reload,
    });
    let base = Signal::derive(move || {
        format!("/orgs/{}/plans/{}/{}", org.get(), plan.get(), version.get())
    });

    view! {
        <Loaded resource=view_res let:v>
            <PlanHeader view=v />
        </Loaded>
        <Tabs base tabs=vec![("Overview", "overview"), ("Policies", "policies"), ("Activity", "activity")] />
        <div class="mt-6"><Outlet /></div>
    }
}

#[component]
fn PlanHeader(view: PlanVersionView) -> impl IntoView {
    let ctx = use_plan();
    let navigate = use_navigate();
    let lock = ServerAction::<LockPlan>::new();
    let new_version = ServerAction::<NewPlanVersion>::new();
    let confirm_lock = RwSignal::new(false);
    let new_open = RwSignal::new(false);
    let errors = RwSignal::new(FieldErrors::new());
    let created = RwSignal::new(String::new());

    let locked = move |_| ctx.reload.update(|r| *r += 1);
    follow(lock.value(), "Plan version locked.", locked, Failure::Toast);
    let versioned = move |_| {
        new_open.set(false);
        let v = created.get_untracked();
        navigate(
            &format!(
                "/orgs/{}/plans/{}/{v}",
                ctx.org.get_untracked(),
                ctx.plan.get_untracked()
            ),
            Default::default(),
        );
    };
    let failure = Failure::FieldOrToast(errors);
    follow(
        new_version.value(),
        "New plan version created.",
        versioned,
        failure,
    );

    let versions = view
        .versions
        .iter()
        .map(|v| {
            (
                v.clone(),
                format!("/orgs/{}/plans/{}/{v}", view.org_id, view.plan_id),
            )
        })
        .collect();
    let can_lock = view.can_edit && view.status == PlanStatus::Created;
    let can_edit = view.can_edit;
    let (org, plan, from) = (
        view.org_id.clone(),
        view.plan_id.clone(),
        view.version.clone(),
    );
    let (lock_org, lock_plan, lock_version) = (org.clone(), plan.clone(), from.clone());
    view! {
        <VersionHeader kind="Plan" name=view.name.clone() org=view.org_id.clone() versions current=view.version.clone() status=view.status.as_str()>
            <Show when=move || can_lock>
                <button type="button" class="btn-primary" on:click=move |_| confirm_lock.set(true)>"Lock"</button>
            </Show>
            <Show when=move || can_edit>
                <button type="button" class="btn-secondary" on:click=move |_| new_open.set(true)>"New Version"</button>
            </Show>
        </VersionHeader>
        <NewVersionForm open=new_open errors on_create=move |v: String| {
            created.set(v.clone());
            new_version.dispatch(NewPlanVersion { org: org.clone(), plan: plan.clone(), from_version: from.clone(), version: v });
        } />
        <ConfirmDialog
            open=confirm_lock
            title="Lock plan version"
            message=Signal::derive(|| "A locked plan version can no longer be revised: its policies stay as they are, so that consumers keep the service level they signed up for. Lock it now?".to_string())
            confirm_label="Lock"
            on_confirm=move |_| {
                lock.dispatch(LockPlan { org: lock_org.clone(), plan: lock_plan.clone(), version: lock_version.clone() });
            }
        />
    }
}
