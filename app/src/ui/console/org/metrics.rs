//! The organization's Metrics tab (the traffic of all its APIs, the busiest APIs and clients)
//! and Logs tab (the Log Analyzer across its APIs).

use leptos::prelude::*;

use super::use_org;
use crate::api::analytics::org_metrics;
use crate::ui::components::loaded::Loaded;
use crate::ui::components::log_analyzer::{LogAnalyzer, LogScope};
use crate::ui::components::metrics::{ShareTable, TrafficPanel};
use crate::ui::components::range::{RangePicker, in_range, use_range};

#[component]
pub fn OrgMetricsTab() -> impl IntoView {
    let org = use_org().id;
    let range = use_range();
    let metrics = Resource::new(
        move || (org.get(), range.get()),
        |(org, range)| in_range(range, move |r| org_metrics(org, r)),
    );
    view! {
        <RangePicker />
        <Loaded resource=metrics let:m>
            {m.map(|m| {
                let total = m.traffic.totals.requests;
                view! {
                    <TrafficPanel traffic=m.traffic />
                    <div class="mt-6 grid gap-6 lg:grid-cols-2">
                        <ShareTable title="Top APIs" rows=m.top_apis total testid="top-api" />
                        <ShareTable title="Top clients" rows=m.top_clients total testid="top-client" />
                    </div>
                }
            })}
        </Loaded>
    }
}

#[component]
pub fn OrgLogsTab() -> impl IntoView {
    let org = use_org().id;
    view! { <LogAnalyzer scope=Signal::derive(move || LogScope::Org(org.get())) /> }
}
