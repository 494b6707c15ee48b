//! The Log Analyzer of an API version (its Logs tab) or of a whole organization: the range
//! picker, filters, the requests newest first with Load more, a detail panel per request, and
//! Export CSV of what the filters select. Keys show only as the gateway's log shortens them.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::figures::{count, moment, ms};
use super::form::FieldErrors;
use super::loaded::Loaded;
use super::range::{RangePicker, use_range};
use super::table::{DataTable, EmptyState};
use crate::api::analytics::{api_log, log_choices, org_log};
use crate::domain::analytics::csv;
use crate::domain::analytics::log::{Cursor, LogPage, LogQuery, LogRow, METHODS};
use crate::domain::analytics::report::{LogChoices, StatusClass};
use crate::domain::analytics::window::Range;
use crate::domain::refs::VersionRef;
use crate::error::AppError;

/// Whose requests: one API version's, or those of every API of an organization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum LogScope {
    Api(VersionRef),
    Org(String),
}

impl LogScope {
    fn org(&self) -> String {
        match self {
            LogScope::Api(api) => api.org.clone(),
            LogScope::Org(org) => org.clone(),
        }
    }

    fn api(&self) -> Option<VersionRef> {
        match self {
            LogScope::Api(api) => Some(api.clone()),
            LogScope::Org(_) => None,
        }
    }
}

/// The CSV export of what the Log Analyzer shows: the scope, the range and every filter set.
pub fn export_url(scope: &LogScope, range: &Range, q: &LogQuery) -> String {
    csv::export_url(&scope.org(), scope.api().as_ref(), range, q)
}

async fn fetch(
    scope: LogScope,
    range: Range,
    query: LogQuery,
    after: Option<Cursor>,
) -> Result<LogPage, AppError> {
    match scope {
        LogScope::Api(api) => api_log(api, range, query, after).await,
        LogScope::Org(org) => org_log(org, range, query, after).await,
    }
}

/// A first page with what it was asked with, so Load more continues the same search.
#[derive(Clone, Serialize, Deserialize)]
struct Search {
    scope: LogScope,
    range: Range,
    query: LogQuery,
    page: LogPage,
}

#[component]
pub fn LogAnalyzer(#[prop(into)] scope: Signal<LogScope>) -> impl IntoView {
    let range = use_range();
    let applied = RwSignal::new(LogQuery::default());
    let choices = Resource::new(
        move || scope.get(),
        |s| async move { log_choices(s.api(), s.org()).await },
    );
    let first = Resource::new(
        move || (scope.get(), range.get(), applied.get()),
        |(scope, range, query)| async move {
            let Ok(range) = range else { return Ok(None) };
            let page = fetch(scope.clone(), range, query.clone(), None).await?;
            Ok(Some(Search {
                scope,
                range,
                query,
                page,
            }))
        },
    );
    let export = move || {
        let range = range.get().unwrap_or_default();
        export_url(&scope.get(), &range, &applied.get())
    };
    let selected = RwSignal::new(None::<LogRow>);
    let with_api = matches!(scope.get_untracked(), LogScope::Org(_));
    let heading = if with_api {
        "Log Analyzer: every API of the organization"
    } else {
        "Log Analyzer"
    };
    view! {
        <h2 class="mb-3 text-base font-semibold">{heading}</h2>
        <RangePicker />
        <Loaded resource=choices quiet=true let:choices>
            <Filters choices applied />
        </Loaded>
        <div class="mb-3 flex justify-end">
            <a class="btn-secondary" href=export download="gatehouse-log.csv" rel="external" data-testid="export-csv">"Export CSV"</a>
        </div>
        <Loaded resource=first let:search>
            {search.map(|search| view! { <LogTable search with_api selected /> })}
        </Loaded>
        <Detail selected />
    }
}

const INPUT: &str = "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm shadow-sm aria-[invalid=true]:border-red-400";

/// The filter form; Search applies it (checked with the server's own rules first).
#[component]
fn Filters(choices: LogChoices, applied: RwSignal<LogQuery>) -> impl IntoView {
    let q = applied.get_untracked();
    let (client, plan) = (RwSignal::new(q.client), RwSignal::new(q.plan));
    let (status, method) = (RwSignal::new(q.status), RwSignal::new(q.method));
    let (path, failure) = (RwSignal::new(q.path_contains), RwSignal::new(q.failure));
    let errors = RwSignal::new(FieldErrors::new());
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let query = LogQuery {
            client: client.get_untracked(),
            plan: plan.get_untracked(),
            status: status.get_untracked(),
            method: method.get_untracked(),
            path_contains: path.get_untracked(),
            failure: failure.get_untracked(),
        };
        match query.check() {
            Ok(_) => {
                errors.set(FieldErrors::new());
                applied.set(query);
            }
            Err(e) => errors.set(FieldErrors::from([(e.field, e.message)])),
        }
    };
    let clear = move |_| {
        client.set(None);
        plan.set(None);
        for text in [status, method, path, failure] {
            text.set(String::new());
        }
        errors.set(FieldErrors::new());
        applied.set(LogQuery::default());
    };
    let message = move |name: &'static str| {
        move || {
            errors.with(|e| e.get(name).cloned()).map(|m| {
                view! { <span class="mt-1 block text-sm text-red-600" data-field-error=name>{m}</span> }
            })
        }
    };
    let invalid =
        move |name: &'static str| move || errors.with(|e| e.contains_key(name)).to_string();
    let id_select = |label: &'static str,
                     id: &'static str,
                     any: &'static str,
                     options: Vec<(i64, String)>,
                     value: RwSignal<Option<i64>>| {
        view! {
            <label class="text-xs font-medium text-slate-600" for=id>{label}
                <select id=id class=INPUT
                    prop:value=move || value.get().map(|v| v.to_string()).unwrap_or_default()
                    on:change=move |ev| value.set(event_target_value(&ev).parse().ok())>
                    <option value="">{any}</option>
                    {options.into_iter().map(|(id, label)| view! { <option value=id.to_string()>{label}</option> }).collect_view()}
                </select>
            </label>
        }
    };
    let text = move |label: &'static str,
                     id: &'static str,
                     name: &'static str,
                     hint: &'static str,
                     value: RwSignal<String>| {
        view! {
            <label class="text-xs font-medium text-slate-600" for=id>{label}
                <input id=id type="text" class=INPUT placeholder=hint autocomplete="off"
                    aria-invalid=invalid(name)
                    prop:value=move || value.get()
                    on:input=move |ev| {
                        value.set(event_target_value(&ev));
                        errors.update(|e| { e.remove(name); });
                    } />
                {message(name)}
            </label>
        }
    };
    view! {
        <form class="mb-4 grid grid-cols-2 items-start gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm md:grid-cols-4 xl:grid-cols-7"
            aria-label="Log filters" on:submit=search>
            {id_select("Client", "log-client", "Any client", choices.clients, client)}
            {id_select("Plan", "log-plan", "Any plan", choices.plans, plan)}
            {text("Status", "log-status", "status", "404 or 4xx", status)}
            <label class="text-xs font-medium text-slate-600" for="log-method">"Method"
                <select id="log-method" class=INPUT aria-invalid=invalid("method")
                    prop:value=move || method.get()
                    on:change=move |ev| method.set(event_target_value(&ev))>
                    <option value="">"Any method"</option>
                    {METHODS.into_iter().chain(["OTHER"]).map(|m| view! { <option value=m>{m}</option> }).collect_view()}
                </select>
                {message("method")}
            </label>
            {text("Path contains", "log-path", "path_contains", "/users", path)}
            {text("Failure code", "log-failure", "failure", "10005", failure)}
            <div class="flex gap-2 pt-5">
                <button type="submit" class="btn-primary">"Search"</button>
                <button type="button" class="btn-secondary" on:click=clear>"Clear"</button>
            </div>
        </form>
    }
}

/// The colour of a status by its class.
fn status_class(status: u16) -> &'static str {
    match StatusClass::of(status) {
        StatusClass::Success => "bg-emerald-50 text-emerald-800",
        StatusClass::Redirect => "bg-sky-50 text-sky-800",
        StatusClass::ClientError => "bg-amber-50 text-amber-800",
        StatusClass::ServerError => "bg-red-50 text-red-800",
        StatusClass::Other => "bg-slate-100 text-slate-700",
    }
}

fn latency(v: f64) -> String {
    ms(Some(v))
}

#[component]
fn LogTable(search: Search, with_api: bool, selected: RwSignal<Option<LogRow>>) -> impl IntoView {
    let Search {
        scope,
        range,
        query,
        page,
    } = search;
    if page.rows.is_empty() {
        return view! {
            <EmptyState message="No calls match. Calls through the gateway show here a few seconds after they are made." />
        }
        .into_any();
    }
    let rows = RwSignal::new(page.rows);
    let next = RwSignal::new(page.next);
    let loading = RwSignal::new(false);
    let failed = RwSignal::new(None::<String>);
    let more = move |_| {
        let Some(after) = next.get_untracked() else {
            return;
        };
        let (scope, query) = (scope.clone(), query.clone());
        loading.set(true);
        leptos::task::spawn_local(async move {
            match fetch(scope, range, query, Some(after)).await {
                Ok(p) => {
                    rows.try_update(|r| r.extend(p.rows));
                    next.try_set(p.next);
                    failed.try_set(None);
                }
                Err(e) => {
                    failed.try_set(Some(e.to_string()));
                }
            }
            loading.try_set(false);
        });
    };
    let mut headers = vec!["Time"];
    if with_api {
        headers.push("API");
    }
    headers.extend([
        "Client", "Plan", "Method", "Path", "Status", "Latency", "Key",
    ]);
    let cell = "px-4 py-2 whitespace-nowrap";
    view! {
        <DataTable headers>
            <For each=move || rows.get() key=|r| r.id let:row>
                {
                    let open = row.clone();
                    let open_key = row.clone();
                    view! {
                        <tr data-testid="log-row" data-status=row.status tabindex="0"
                            class="cursor-pointer hover:bg-slate-50 focus:bg-indigo-50 focus:outline-none"
                            on:click=move |_| selected.set(Some(open.clone()))
                            on:keydown=move |ev| if ev.key() == "Enter" { selected.set(Some(open_key.clone())) }>
                            <td class=cell>{moment(row.at)}</td>
                            {with_api.then(|| view! { <td class=format!("{cell} font-mono text-xs")>{row.api.clone()}</td> })}
                            <td class=format!("{cell} font-mono text-xs")>{row.client.clone().unwrap_or_else(|| "–".into())}</td>
                            <td class=cell>{row.plan.clone().unwrap_or_else(|| "–".into())}</td>
                            <td class=format!("{cell} font-mono text-xs")>{row.method.clone()}</td>
                            <td class="max-w-xs truncate px-4 py-2 font-mono text-xs" title=row.path.clone()>{row.path.clone()}</td>
                            <td class=cell><span class=format!("rounded px-1.5 py-0.5 text-xs font-semibold {}", status_class(row.status))>{row.status}</span></td>
                            <td class=format!("{cell} tabular-nums")>{latency(row.latency_ms)}</td>
                            <td class=format!("{cell} font-mono text-xs") data-testid="key-hint">{row.key_hint.clone().unwrap_or_else(|| "–".into())}</td>
                        </tr>
                    }
                }
            </For>
        </DataTable>
        <div class="mt-3 flex items-center justify-between text-sm text-slate-600">
            <span data-testid="log-count">{move || format!("{} requests shown", rows.with(Vec::len))}</span>
            {move || failed.get().map(|m| view! { <span role="alert" class="text-red-700">{m}</span> })}
            <Show when=move || next.with(Option::is_some)>
                <button type="button" class="btn-secondary" disabled=move || loading.get() on:click=more.clone()>
                    {move || if loading.get() { "Loading…" } else { "Load more" }}
                </button>
            </Show>
        </div>
    }
    .into_any()
}

/// Every field of the request clicked, beside the table.
#[component]
fn Detail(selected: RwSignal<Option<LogRow>>) -> impl IntoView {
    move || {
        selected.get().map(|row| {
            let bytes = |n: i64| format!("{} bytes", count(n));
            let mut fields: Vec<(&str, String)> = vec![("Time", moment(row.at))];
            fields.extend([
                ("API", row.api.clone()),
                ("Client", row.client.clone().unwrap_or_else(|| "–".into())),
                ("Plan", row.plan.clone().unwrap_or_else(|| "–".into())),
                ("Method", row.method.clone()),
                ("Path", row.path.clone()),
                ("Status", row.status.to_string()),
                ("Latency", latency(row.latency_ms)),
                ("Request body", bytes(row.bytes_in)),
                ("Response body", bytes(row.bytes_out)),
                ("Client address", row.client_ip.clone().unwrap_or_else(|| "–".into())),
                ("API key", row.key_hint.clone().unwrap_or_else(|| "–".into())),
                ("Failure", row.failure.clone().unwrap_or_else(|| "–".into())),
                ("Log id", row.id.to_string()),
            ]);
            view! {
                <aside class="fixed inset-y-0 right-0 z-30 w-full max-w-md overflow-y-auto border-l border-slate-200 bg-white p-6 shadow-xl"
                    role="dialog" aria-label="Request details" data-testid="log-detail">
                    <div class="flex items-center justify-between">
                        <h2 class="text-base font-semibold">"Request details"</h2>
                        <button type="button" class="btn-secondary" on:click=move |_| selected.set(None)>"Close"</button>
                    </div>
                    <dl class="mt-4 divide-y divide-slate-100 text-sm">
                        {fields.into_iter().map(|(k, v)| view! {
                            <div class="grid grid-cols-3 gap-3 py-2">
                                <dt class="text-slate-500">{k}</dt>
                                <dd class="col-span-2 break-all font-mono text-xs text-slate-900" data-field=k>{v}</dd>
                            </div>
                        }).collect_view()}
                    </dl>
                </aside>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::analytics::window::Preset;

    #[test]
    fn exports_carry_the_scope_range_and_the_filters_set() {
        let api = LogScope::Api(VersionRef::new("STRINGER", "Echo", "1.0"));
        let q = LogQuery {
            client: Some(7),
            status: "4xx".into(),
            ..Default::default()
        };
        assert_eq!(
            export_url(&api, &Range::Last(Preset::Hour), &q),
            "/api/analytics/export.csv?scope=api&org=STRINGER&api=Echo&version=1.0&range=1h\
             &client=7&status=4xx"
        );
        let org = LogScope::Org("STRINGER".into());
        let url = export_url(&org, &Range::default(), &LogQuery::default());
        assert_eq!(
            url,
            "/api/analytics/export.csv?scope=org&org=STRINGER&range=24h"
        );
    }
}
