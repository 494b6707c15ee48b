//! The client version's Metrics tab: per API it calls, a small chart, totals and the limits of
//! its contract as the gateway counts them now.

use leptos::prelude::*;

use super::use_client;
use crate::api::analytics::client_metrics;
use crate::domain::refs::VersionRef;
use crate::ui::components::loaded::Loaded;
use crate::ui::components::metrics::{ApiUsageCard, NO_TRAFFIC};
use crate::ui::components::range::{RangePicker, in_range, use_range};
use crate::ui::components::table::EmptyState;

#[component]
pub fn ClientMetricsTab() -> impl IntoView {
    let ctx = use_client();
    let client =
        Memo::new(move |_| VersionRef::new(ctx.org.get(), ctx.id.get(), ctx.version.get()));
    let range = use_range();
    let metrics = Resource::new(
        move || (client.get(), range.get()),
        |(client, range)| in_range(range, move |r| client_metrics(client, r)),
    );
    view! {
        <RangePicker />
        <Loaded resource=metrics let:m>
            {m.map(|m| if m.apis.is_empty() {
                view! { <EmptyState message=NO_TRAFFIC /> }.into_any()
            } else {
                view! {
                    <div class="space-y-6">
                        {m.apis.into_iter().map(|usage| view! { <ApiUsageCard usage /> }).collect_view()}
                    </div>
                }.into_any()
            })}
        </Loaded>
    }
}
