//! The API reference of an API version in the portal, made by the server from its OpenAPI
//! definition: operations grouped by tag, each with a deep link (`#op-…`), parameters, request
//! body and responses with their schemas and examples; a filter box; the document's download.

use leptos::prelude::*;

use crate::api::definitions::portal_reference;
use crate::domain::openapi::{ApiReference, Media, Operation, Schema, download_url};
use crate::domain::refs::VersionRef;
use crate::error::AppError;
use crate::ui::components::loaded::Loaded;
use crate::ui::components::markdown::Markdown;
use crate::ui::portal::try_it::TryIt;

/// The reference of the API version the page's `(org, api, version)` names (an empty version
/// is the newest). Made with the page's other resources, outside any `Loaded`, so that it
/// hydrates from what the server sent.
pub fn reference_resource(
    key: impl Fn() -> (String, String, String) + Send + Sync + 'static,
) -> Resource<Result<Option<ApiReference>, AppError>> {
    Resource::new(key, |(o, a, v)| portal_reference(o, a, v))
}

#[component]
pub fn ApiReferenceSection(
    api: VersionRef,
    reference: Resource<Result<Option<ApiReference>, AppError>>,
) -> impl IntoView {
    let download = download_url(&api);
    view! {
        <Loaded resource=reference quiet=true let:r>
            {r.map(|r| view! { <Reference reference=r download=download.clone() api=api.clone() /> })}
        </Loaded>
    }
}

fn method_class(method: &str) -> &'static str {
    match method {
        "GET" => "bg-sky-100 text-sky-800",
        "POST" => "bg-emerald-100 text-emerald-800",
        "PUT" | "PATCH" => "bg-amber-100 text-amber-800",
        "DELETE" => "bg-red-100 text-red-800",
        _ => "bg-slate-100 text-slate-700",
    }
}

#[component]
fn Reference(reference: ApiReference, download: String, api: VersionRef) -> impl IntoView {
    let filter = RwSignal::new(String::new());
    let description = reference.description.clone();
    view! {
        <section class="mt-10" aria-label="API reference">
            <div class="flex flex-wrap items-center justify-between gap-3">
                <h2 class="text-xl font-semibold text-slate-900">"API reference"</h2>
                <a class="btn-secondary" href=download rel="external" data-testid="download-openapi">"Download OpenAPI"</a>
            </div>
            <p class="mt-1 text-xs text-slate-500">{format!("{} {} · OpenAPI {}", reference.title, reference.version, reference.openapi)}</p>
            <div class="mt-3"><Markdown html=Signal::derive(move || description.clone()) /></div>
            <input type="search" class="mt-4 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm" placeholder="Filter operations by method, path or text"
                aria-label="Filter operations" data-testid="reference-filter"
                prop:value=move || filter.get() on:input=move |ev| filter.set(event_target_value(&ev).to_lowercase()) />
            {reference.groups.into_iter().map(|g| {
                let description = g.description.clone();
                view! {
                    <div class="mt-8" data-testid="reference-tag" data-tag=g.tag.clone()>
                        <h3 class="text-lg font-semibold text-slate-800">{g.tag.clone()}</h3>
                        <Markdown html=Signal::derive(move || description.clone()) />
                        <div class="mt-3 space-y-4">
                            {g.operations.into_iter().map(|op| {
                                let shown = op.clone();
                                let api = api.clone();
                                view! {
                                    <Show when=move || shown.matches(&filter.get())>
                                        <OperationCard op=op.clone() api=api.clone() />
                                    </Show>
                                }
                            }).collect_view()}
                        </div>
                    </div>
                }
            }).collect_view()}
        </section>
    }
}

#[component]
fn OperationCard(op: Operation, api: VersionRef) -> impl IntoView {
    let id = format!("op-{}", op.anchor);
    let href = format!("#{id}");
    let description = op.description.clone();
    view! {
        <article id=id class="scroll-mt-20 rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-testid="operation" data-anchor=op.anchor.clone()>
            <header class="flex flex-wrap items-center gap-3">
                <span class=format!("rounded px-2 py-0.5 font-mono text-xs font-semibold {}", method_class(&op.method))>{op.method.clone()}</span>
                <code class="font-mono text-sm text-slate-900">{op.path.clone()}</code>
                <span class="text-sm text-slate-600">{op.summary.clone()}</span>
                {op.deprecated.then(|| view! { <span class="rounded bg-slate-200 px-2 py-0.5 text-xs">"Deprecated"</span> })}
                <a href=href class="ml-auto text-xs text-indigo-600 hover:underline" aria-label=format!("Link to {} {}", op.method, op.path)>"#"</a>
            </header>
            <div class="mt-2"><Markdown html=Signal::derive(move || description.clone()) /></div>
            {(!op.parameters.is_empty()).then(|| view! {
                <h4 class="mt-3 text-xs font-semibold uppercase text-slate-500">"Parameters"</h4>
                <table class="mt-1 w-full text-sm" data-testid="parameters">
                    <tbody class="divide-y divide-slate-100">
                        {op.parameters.iter().map(|p| {
                            let description = p.description.clone();
                            view! {
                                <tr data-testid="parameter" data-name=p.name.clone()>
                                    <td class="py-1 pr-3 align-top font-mono">{p.name.clone()}{p.required.then_some(" *")}</td>
                                    <td class="py-1 pr-3 align-top text-xs text-slate-500">{p.location.label()}</td>
                                    <td class="py-1 pr-3 align-top text-xs">{p.schema.as_ref().map(|s| s.kind.clone()).unwrap_or_default()}</td>
                                    <td class="py-1 align-top"><Markdown html=Signal::derive(move || description.clone()) />
                                        {p.example.clone().map(|e| view! { <span class="text-xs text-slate-500">"Example: " <code>{e}</code></span> })}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            })}
            {op.request_body.clone().map(|b| {
                let description = b.description.clone();
                view! {
                    <h4 class="mt-3 text-xs font-semibold uppercase text-slate-500">{if b.required { "Request body (required)" } else { "Request body" }}</h4>
                    <Markdown html=Signal::derive(move || description.clone()) />
                    {b.media.into_iter().map(|m| view! { <MediaView media=m /> }).collect_view()}
                }
            })}
            <h4 class="mt-3 text-xs font-semibold uppercase text-slate-500">"Responses"</h4>
            {op.responses.clone().into_iter().map(|r| {
                let description = r.description.clone();
                view! {
                    <div class="mt-2 border-l-2 border-slate-200 pl-3" data-testid="response" data-status=r.status.clone()>
                        <span class="font-mono text-sm font-semibold">{r.status.clone()}</span>
                        <Markdown html=Signal::derive(move || description.clone()) />
                        {r.media.into_iter().map(|m| view! { <MediaView media=m /> }).collect_view()}
                    </div>
                }
            }).collect_view()}
            <TryIt api op=op.clone() />
        </article>
    }
}

#[component]
fn MediaView(media: Media) -> impl IntoView {
    view! {
        <div class="mt-2 grid gap-3 md:grid-cols-2">
            <div>
                <p class="font-mono text-xs text-slate-500">{media.content_type.clone()}</p>
                {media.schema.map(|s| schema_tree(s, 0))}
            </div>
            {media.example.map(|e| view! {
                <pre class="max-h-80 overflow-auto rounded-md bg-slate-900 p-3 text-xs text-emerald-200" data-testid="example">{e}</pre>
            })}
        </div>
    }
}

/// A schema and what it nests, as nested lists (recursive, so built as `AnyView`).
fn schema_tree(s: Schema, level: usize) -> AnyView {
    let label = match &s.name {
        Some(name) if *name != s.kind => format!("{name}: {}", s.kind),
        _ => s.kind.clone(),
    };
    view! {
        <div class="text-xs" data-testid="schema" data-level=level.to_string()>
            <span class="font-mono text-slate-700">{label}</span>
            {s.truncated.then_some(" …")}
            {(!s.description.is_empty()).then(|| view! { <span class="ml-2 text-slate-500">{s.description.clone()}</span> })}
            {(!s.enum_values.is_empty()).then(|| view! { <span class="ml-2 text-slate-500">{format!("one of: {}", s.enum_values.join(", "))}</span> })}
            {(!s.properties.is_empty()).then(|| view! {
                <ul class="ml-4 mt-1 space-y-1 border-l border-slate-200 pl-2">
                    {s.properties.into_iter().map(|p| view! {
                        <li data-testid="property" data-name=p.name.clone()>
                            <span class="font-mono">{p.name.clone()}</span>{p.required.then_some(" *")}" "
                            {schema_tree(p.schema, level + 1)}
                        </li>
                    }).collect_view()}
                </ul>
            })}
            {s.items.map(|i| view! { <div class="ml-4 mt-1">{schema_tree(*i, level + 1)}</div> })}
            {(!s.variants.is_empty()).then(|| view! {
                <div class="ml-4 mt-1">
                    <span class="text-slate-500">{s.combinator.clone().unwrap_or_default()}</span>
                    {s.variants.into_iter().map(|v| schema_tree(v, level + 1)).collect_view()}
                </div>
            })}
        </div>
    }
    .into_any()
}
