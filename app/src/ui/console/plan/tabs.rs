//! The tabs of a plan version page.

use leptos::prelude::*;

use super::use_plan;
use crate::domain::catalog::{PolicyLevel, PolicyOwner};
use crate::ui::components::activity::ActivityList;
use crate::ui::components::badge::StatusBadge;
use crate::ui::components::loaded::Loaded;
use crate::ui::components::policy_editor::PolicyChainEditor;

#[component]
pub fn PlanOverviewTab() -> impl IntoView {
    let ctx = use_plan();
    view! {
        // Quiet: the page's header already shows why the version did not load.
        <Loaded resource=ctx.view quiet=true let:v>
            <dl class="grid max-w-3xl grid-cols-3 gap-4 rounded-xl border border-slate-200 bg-white p-6 text-sm shadow-sm">
                <dt class="font-medium text-slate-500">"Description"</dt>
                <dd class="col-span-2 text-slate-800">{if v.description.is_empty() { "—".to_string() } else { v.description.clone() }}</dd>
                <dt class="font-medium text-slate-500">"Status"</dt>
                <dd class="col-span-2"><StatusBadge label=v.status.as_str() /></dd>
                <dt class="font-medium text-slate-500">"Locked on"</dt>
                <dd class="col-span-2 text-slate-800">
                    {v.locked_on.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()).unwrap_or_else(|| "Not locked: policies can still change.".to_string())}
                </dd>
            </dl>
        </Loaded>
    }
}

#[component]
pub fn PlanPoliciesTab() -> impl IntoView {
    let ctx = use_plan();
    move || {
        // Re-created when the version or its status changes, so the chain reloads.
        let _ = ctx.reload.get();
        let owner = PolicyOwner {
            level: PolicyLevel::Plan,
            org: ctx.org.get(),
            entity: ctx.id.get(),
            version: ctx.version.get(),
        };
        view! { <PolicyChainEditor owner /> }
    }
}

#[component]
pub fn PlanActivityTab() -> impl IntoView {
    let ctx = use_plan();
    view! { <ActivityList org=ctx.org entity=("plan", ctx.id.into()) reload=ctx.reload /> }
}
