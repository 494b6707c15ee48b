//! The header shared by API, plan and client version pages: where the entity belongs, its name
//! and status, its versions, and the New Version and Delete flows. The buttons only one kind of
//! entity has (Publish, Lock, Register…) are the header's children.

use crate::domain::refs::org_url;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use super::versioned::{EntityKind, VersionContext};
use crate::error::AppError;
use crate::ui::components::badge::StatusBadge;
use crate::ui::components::dialog::ConfirmDialog;
use crate::ui::components::form::{FieldErrors, TextField};
use crate::ui::components::outcome::{Failure, follow};

/// What the header says about the version shown.
pub struct VersionSummary {
    pub kind: EntityKind,
    pub org: String,
    pub id: String,
    pub name: String,
    pub version: String,
    pub versions: Vec<String>,
    pub status: &'static str,
    /// A warning below the header, such as a client's "Re-Register it".
    pub warning: Option<&'static str>,
}

/// The New Version flow: its button opens an inline form; the entity's action copies the version
/// shown into the one typed; on success the page moves to it.
#[derive(Clone, Copy)]
pub struct NewVersionFlow {
    open: RwSignal<bool>,
    errors: RwSignal<FieldErrors>,
    create: Callback<String>,
}

impl NewVersionFlow {
    /// `value` is the entity's New Version action's value; `dispatch` dispatches it for the new
    /// version's text; `done` is the success toast.
    pub fn new<V, T, S>(
        ctx: VersionContext<V>,
        value: S,
        done: &'static str,
        dispatch: impl Fn(String) + Send + Sync + 'static,
    ) -> Self
    where
        V: Send + Sync,
        T: 'static,
        S: Get<Value = Option<Result<T, AppError>>> + 'static,
    {
        let open = RwSignal::new(false);
        let errors = RwSignal::new(FieldErrors::new());
        let created = RwSignal::new(String::new());
        let navigate = use_navigate();
        let moved = move |_| {
            open.set(false);
            navigate(
                &ctx.version_page(&created.get_untracked()),
                Default::default(),
            );
        };
        follow(value, done, moved, Failure::FieldOrToast(errors));
        let create = Callback::new(move |version: String| {
            created.set(version.clone());
            dispatch(version);
        });
        Self {
            open,
            errors,
            create,
        }
    }
}

/// The Delete flow: its button asks for confirmation; on success the page moves to the
/// organization's list of this kind of entity.
#[derive(Clone, Copy)]
pub struct DeleteFlow {
    confirm: RwSignal<bool>,
    words: DeleteWords,
    run: Callback<()>,
}

/// What a Delete flow says: the confirmation's title and question, and the success toast.
#[derive(Clone, Copy)]
pub struct DeleteWords {
    pub title: &'static str,
    pub message: &'static str,
    pub done: &'static str,
}

impl DeleteFlow {
    /// `value` is the entity's Delete action's value, `dispatch` dispatches it.
    pub fn new<V, T, S>(
        ctx: VersionContext<V>,
        value: S,
        words: DeleteWords,
        dispatch: impl Fn() + Send + Sync + 'static,
    ) -> Self
    where
        V: Send + Sync,
        T: 'static,
        S: Get<Value = Option<Result<T, AppError>>> + 'static,
    {
        let navigate = use_navigate();
        let gone = move |_| navigate(&ctx.kind.list(&ctx.org.get_untracked()), Default::default());
        follow(value, words.done, gone, Failure::Toast);
        Self {
            confirm: RwSignal::new(false),
            words,
            run: Callback::new(move |()| dispatch()),
        }
    }
}

#[component]
pub fn NewVersionButton(flow: NewVersionFlow) -> impl IntoView {
    view! {
        <button type="button" class="btn-secondary" on:click=move |_| flow.open.set(true)>"New Version"</button>
    }
}

#[component]
pub fn DeleteButton(flow: DeleteFlow, label: &'static str) -> impl IntoView {
    view! {
        <button type="button" class="btn-secondary" on:click=move |_| flow.confirm.set(true)>{label}</button>
    }
}

/// The header; `children` are the entity's buttons, in its order, including the
/// `NewVersionButton` and the `DeleteButton` where it shows them.
#[component]
pub fn VersionHeader(
    summary: VersionSummary,
    new_version: NewVersionFlow,
    #[prop(optional)] delete: Option<DeleteFlow>,
    children: Children,
) -> impl IntoView {
    let VersionSummary {
        kind,
        org,
        id,
        name,
        version,
        versions,
        status,
        warning,
    } = summary;
    let (org_page, org_name) = (org_url(&org), org.clone());
    view! {
        <div class="flex items-start justify-between gap-6">
            <div>
                <p class="text-xs font-medium uppercase tracking-wide text-slate-500">
                    <A href=org_page attr:class="hover:underline">{org_name}</A>
                    " / " {kind.noun()}
                </p>
                <h1 class="mt-1 flex items-center gap-3 text-2xl font-semibold text-slate-900">
                    {name}
                    <StatusBadge label=status />
                </h1>
                <VersionLinks kind org id current=version versions />
            </div>
            <div class="flex shrink-0 flex-wrap justify-end gap-2">{children()}</div>
        </div>
        {warning.map(|w| view! {
            <p class="mt-4 rounded-md bg-amber-50 px-4 py-2 text-sm text-amber-800" role="status">{w}</p>
        })}
        <NewVersionForm flow=new_version />
        {delete.map(|d| view! {
            <ConfirmDialog
                open=d.confirm
                title=d.words.title
                message=Signal::derive(move || d.words.message.to_string())
                confirm_label="Delete"
                on_confirm=move |_| d.run.run(())
            />
        })}
    }
}

/// "Version 1.0 2.0 …", each linking to its page, the current one highlighted.
#[component]
fn VersionLinks(
    kind: EntityKind,
    org: String,
    id: String,
    current: String,
    versions: Vec<String>,
) -> impl IntoView {
    view! {
        <nav class="mt-2 flex flex-wrap items-center gap-2 text-sm" aria-label="Versions">
            <span class="text-slate-500">"Version"</span>
            {versions.into_iter().map(|v| {
                let class = if v == current {
                    "rounded-md bg-indigo-600 px-2 py-0.5 font-mono text-xs text-white"
                } else {
                    "rounded-md bg-slate-100 px-2 py-0.5 font-mono text-xs text-slate-700 hover:bg-slate-200"
                };
                view! { <A href=kind.page(&org, &id, &v) attr:class=class>{v}</A> }
            }).collect_view()}
        </nav>
    }
}

/// The inline "New Version" form.
#[component]
fn NewVersionForm(flow: NewVersionFlow) -> impl IntoView {
    let version = RwSignal::new(String::new());
    let NewVersionFlow {
        open,
        errors,
        create,
    } = flow;
    view! {
        <Show when=move || open.get()>
            <form
                class="mt-4 flex max-w-lg items-start gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
                on:submit=move |ev| {
                    ev.prevent_default();
                    create.run(version.get_untracked().trim().to_string());
                }
            >
                <div class="flex-1">
                    <TextField label="New version" name="version" value=version errors help="It starts as a copy of this version." />
                </div>
                <button type="button" class="btn-secondary mt-6" on:click=move |_| open.set(false)>"Cancel"</button>
                <button type="submit" class="btn-primary mt-6">"Create Version"</button>
            </form>
        </Show>
    }
}
