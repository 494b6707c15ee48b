//! Usage: for each of the user's clients and each API it uses, calls, errors and latency over a
//! range, and how much of the contract's rate limits and quotas is left right now.

use leptos::prelude::*;

use crate::api::analytics::my_usage;
use crate::ui::components::loaded::Loaded;
use crate::ui::components::metrics::ApiUsageCard;
use crate::ui::components::range::{RangePicker, in_range, use_range};
use crate::ui::components::table::EmptyState;

#[component]
pub fn UsagePage() -> impl IntoView {
    let range = use_range();
    let usage = Resource::new(move || range.get(), |range| in_range(range, my_usage));
    view! {
        <h1 class="mb-6 text-2xl font-semibold text-slate-900">"Usage"</h1>
        <RangePicker />
        <Loaded resource=usage let:clients>
            {clients.map(|clients| if clients.is_empty() {
                view! {
                    <EmptyState message="You have no clients yet: sign up for an API's plan on the portal's home, then call it with your key." />
                }.into_any()
            } else {
                view! {
                    <div class="space-y-10">
                        {clients.into_iter().map(|c| view! {
                            <section data-testid="usage-client" data-client=c.client.clone()>
                                <h2 class="mb-3 font-mono text-base font-semibold">{c.client.clone()}</h2>
                                {if c.apis.is_empty() {
                                    view! { <EmptyState message="This client has no contract and made no calls in this range." /> }.into_any()
                                } else {
                                    view! {
                                        <div class="space-y-6">
                                            {c.apis.into_iter().map(|usage| view! { <ApiUsageCard usage /> }).collect_view()}
                                        </div>
                                    }.into_any()
                                }}
                            </section>
                        }).collect_view()}
                    </div>
                }.into_any()
            })}
        </Loaded>
    }
}
