//! The API version's Metrics tab (its traffic, top clients and plans over a range) and Logs tab
//! (the Log Analyzer of its requests).

use leptos::prelude::*;

use super::use_api;
use crate::api::analytics::api_metrics;
use crate::domain::refs::VersionRef;
use crate::ui::components::loaded::Loaded;
use crate::ui::components::log_analyzer::{LogAnalyzer, LogScope};
use crate::ui::components::metrics::{ShareTable, TrafficPanel};
use crate::ui::components::range::{RangePicker, in_range, use_range};

fn use_api_ref() -> Memo<VersionRef> {
    let ctx = use_api();
    Memo::new(move |_| VersionRef::new(ctx.org.get(), ctx.id.get(), ctx.version.get()))
}

#[component]
pub fn ApiMetricsTab() -> impl IntoView {
    let api = use_api_ref();
    let range = use_range();
    let metrics = Resource::new(
        move || (api.get(), range.get()),
        |(api, range)| in_range(range, move |r| api_metrics(api, r)),
    );
    view! {
        <RangePicker />
        <Loaded resource=metrics let:m>
            {m.map(|m| {
                let total = m.traffic.totals.requests;
                view! {
                    <TrafficPanel traffic=m.traffic />
                    <div class="mt-6 grid gap-6 lg:grid-cols-2">
                        <ShareTable title="Top clients" rows=m.top_clients total testid="top-client" />
                        <ShareTable title="By plan" rows=m.plans total testid="plan-share" />
                    </div>
                }
            })}
        </Loaded>
    }
}

#[component]
pub fn ApiLogsTab() -> impl IntoView {
    let api = use_api_ref();
    view! { <LogAnalyzer scope=Signal::derive(move || LogScope::Api(api.get())) /> }
}
