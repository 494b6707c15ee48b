//! The pieces of the Metrics tabs and the portal's Usage page: totals, the three traffic charts,
//! the "top" tables and a contract's limits.

use leptos::prelude::*;

use super::chart::Chart;
use super::chart_spec::ChartSpec;
use super::figures::{count, count_u, moment, ms, percent, share};
use super::table::{DataTable, EmptyState};
use crate::domain::analytics::report::{ApiUsage, LimitUse, Share, Totals, Traffic};

/// What an empty window says.
pub const NO_TRAFFIC: &str = "No calls in this range yet. Calls through the gateway show here a few seconds after they are made.";

#[component]
fn Figure(label: &'static str, value: String, testid: &'static str) -> impl IntoView {
    view! {
        <div class="rounded-lg border border-slate-200 bg-white px-4 py-3 shadow-sm">
            <dt class="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
            <dd class="mt-1 text-xl font-semibold text-slate-900" data-testid=testid>{value}</dd>
        </div>
    }
}

/// Requests, errors, error rate and latency quantiles of a window.
#[component]
pub fn TotalsRow(totals: Totals) -> impl IntoView {
    view! {
        <dl class="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6" aria-label="Totals">
            <Figure label="Requests" value=count(totals.requests) testid="total-requests" />
            <Figure label="Errors" value=count(totals.errors) testid="total-errors" />
            <Figure label="Error rate" value=percent(totals.error_rate()) testid="total-error-rate" />
            <Figure label="p50" value=ms(totals.p50_ms) testid="total-p50" />
            <Figure label="p95" value=ms(totals.p95_ms) testid="total-p95" />
            <Figure label="p99" value=ms(totals.p99_ms) testid="total-p99" />
        </dl>
    }
}

/// Totals, then requests by status class, error rate and latency over time; an empty state
/// when nothing came in.
#[component]
pub fn TrafficPanel(traffic: Traffic) -> impl IntoView {
    if traffic.totals.requests == 0 {
        return view! { <EmptyState message=NO_TRAFFIC /> }.into_any();
    }
    let requests = ChartSpec::requests(&traffic);
    let errors = ChartSpec::error_rate(&traffic);
    let latency = ChartSpec::latency(&traffic);
    view! {
        <TotalsRow totals=traffic.totals.clone() />
        <div class="mt-4 grid gap-4 lg:grid-cols-2">
            <div class="lg:col-span-2">
                <Chart spec=Signal::stored(requests) height="h-64" />
            </div>
            <Chart spec=Signal::stored(errors) />
            <Chart spec=Signal::stored(latency) />
        </div>
    }
    .into_any()
}

/// A "top clients", "plans" or "top APIs" table: name (linked when visible), requests, errors
/// and the share of all requests.
#[component]
pub fn ShareTable(
    title: &'static str,
    rows: Vec<Share>,
    /// All requests of the window, for the share column.
    total: i64,
    testid: &'static str,
) -> impl IntoView {
    let body = if rows.is_empty() {
        view! { <EmptyState message="Nothing in this range." /> }.into_any()
    } else {
        view! {
            <DataTable headers=vec!["Name", "Requests", "Errors", "Share"]>
                {rows.into_iter().map(|row| view! {
                    <tr data-testid=testid>
                        <td class="px-4 py-2">
                            {match row.href {
                                Some(href) => view! { <a class="text-indigo-700 hover:underline" href=href>{row.label}</a> }.into_any(),
                                None => view! { <span>{row.label}</span> }.into_any(),
                            }}
                        </td>
                        <td class="px-4 py-2 tabular-nums">{count(row.requests)}</td>
                        <td class="px-4 py-2 tabular-nums">{count(row.errors)}</td>
                        <td class="px-4 py-2 tabular-nums">{share(row.requests, total)}</td>
                    </tr>
                }).collect_view()}
            </DataTable>
        }
        .into_any()
    };
    view! {
        <section>
            <h2 class="mb-2 text-base font-semibold">{title}</h2>
            {body}
        </section>
    }
}

/// A contract's rate limits and quotas as the gateway counts them now.
#[component]
pub fn LimitTable(limits: Vec<LimitUse>) -> impl IntoView {
    if limits.is_empty() {
        return view! { <p class="text-sm text-slate-500">"No rate limit or quota applies."</p> }
            .into_any();
    }
    view! {
        <DataTable headers=vec!["Policy", "Level", "Period", "Limit", "Used", "Remaining", "Resets at"]>
            {limits.into_iter().map(|l| view! {
                <tr data-testid="limit-row">
                    <td class="px-4 py-2">{l.policy}</td>
                    <td class="px-4 py-2">{l.level}</td>
                    <td class="px-4 py-2">{l.period}</td>
                    <td class="px-4 py-2 tabular-nums">{count_u(l.limit)}</td>
                    <td class="px-4 py-2 tabular-nums">{count_u(l.used)}</td>
                    <td class="px-4 py-2 font-semibold tabular-nums" data-testid="limit-remaining">{count_u(l.remaining)}</td>
                    <td class="px-4 py-2 text-slate-600">{moment(l.resets_at)}</td>
                </tr>
            }).collect_view()}
        </DataTable>
    }
    .into_any()
}

/// One API a client uses: its plan, calls, errors and latency over the window, and its limits
/// now. The client's Metrics tab and the portal's Usage page show one per API.
#[component]
pub fn ApiUsageCard(usage: ApiUsage) -> impl IntoView {
    let ApiUsage {
        api,
        href,
        plan,
        traffic,
        limits,
    } = usage;
    let totals = traffic.totals.clone();
    let name = api.clone();
    let charts = if totals.requests > 0 {
        let requests = ChartSpec::requests(&traffic);
        let latency = ChartSpec::latency(&traffic);
        view! {
            <div class="mt-4 grid gap-4 lg:grid-cols-2">
                <Chart spec=Signal::stored(requests) height="h-44" />
                <Chart spec=Signal::stored(latency) height="h-44" />
            </div>
        }
        .into_any()
    } else {
        view! { <p class="mt-4 text-sm text-slate-500">{NO_TRAFFIC}</p> }.into_any()
    };
    view! {
        <article class="rounded-xl border border-slate-200 bg-slate-50/60 p-5" data-testid="api-usage" data-api=name>
            <header class="flex flex-wrap items-baseline justify-between gap-3">
                <h3 class="font-mono text-sm font-semibold text-slate-900">
                    {match href {
                        Some(href) => view! { <a class="text-indigo-700 hover:underline" href=href>{api}</a> }.into_any(),
                        None => view! { <span>{api}</span> }.into_any(),
                    }}
                </h3>
                <p class="text-sm text-slate-600">
                    {plan.map_or_else(|| "No contract".to_string(), |p| format!("Plan {p}"))}
                </p>
            </header>
            <dl class="mt-3 flex flex-wrap gap-x-8 gap-y-2 text-sm">
                <div><dt class="inline text-slate-500">"Calls "</dt><dd class="inline font-semibold tabular-nums" data-testid="usage-calls">{count(totals.requests)}</dd></div>
                <div><dt class="inline text-slate-500">"Errors "</dt><dd class="inline font-semibold tabular-nums" data-testid="usage-errors">{count(totals.errors)}</dd></div>
                <div><dt class="inline text-slate-500">"p95 "</dt><dd class="inline font-semibold tabular-nums">{ms(totals.p95_ms)}</dd></div>
            </dl>
            {charts}
            <h4 class="mb-2 mt-5 text-sm font-semibold text-slate-700">"Limits now"</h4>
            <LimitTable limits />
        </article>
    }
}
