//! The API version page: Overview, Plans, Policies, Contracts, Endpoint, Activity; Publish,
//! Retire, New Version, Delete.

pub mod overview;
pub mod plans;
pub mod tabs;

use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::use_navigate;

use super::version_header::{NewVersionForm, VersionHeader, route_param};
use crate::api::apis::{DeleteApi, NewApiVersion, PublishApi, RetireApi, get_api_version};
use crate::domain::catalog::ApiVersionView;
use crate::domain::lifecycle::ApiStatus;
use crate::error::AppError;
use crate::ui::components::dialog::ConfirmDialog;
use crate::ui::components::form::FieldErrors;
use crate::ui::components::loaded::Loaded;
use crate::ui::components::outcome::{Failure, follow};
use crate::ui::components::tabs::Tabs;

#[derive(Clone, Copy)]
pub struct ApiContext {
    pub org: Memo<String>,
    pub api: Memo<String>,
    pub version: Memo<String>,
    pub view: Resource<Result<ApiVersionView, AppError>>,
    pub reload: RwSignal<u32>,
}

impl ApiContext {
    pub fn refresh(&self) {
        self.reload.update(|r| *r += 1);
    }
}

pub fn use_api() -> ApiContext {
    expect_context::<ApiContext>()
}

#[component]
pub fn ApiPage() -> impl IntoView {
    let (org, api, version) = (
        route_param("org"),
        route_param("api"),
        route_param("version"),
    );
    let reload = RwSignal::new(0u32);
    let view_res = Resource::new(
        move || (org.get(), api.get(), version.get(), reload.get()),
        |(o, a, v, _)| get_api_version(o, a, v),
    );
    provide_context(ApiContext {
        org,
        api,
        version,
        view: view_res,
        reload,
    });
    let base =
        Signal::derive(move || format!("/orgs/{}/apis/{}/{}", org.get(), api.get(), version.get()));

    view! {
        <Loaded resource=view_res let:v>
            <ApiHeader view=v />
        </Loaded>
        <Tabs base tabs=vec![
            ("Overview", "overview"),
            ("Plans", "plans"),
            ("Policies", "policies"),
            ("Contracts", "contracts"),
            ("Endpoint", "endpoint"),
            ("Activity", "activity"),
        ] />
        <div class="mt-6"><Outlet /></div>
    }
}

#[component]
fn ApiHeader(view: ApiVersionView) -> impl IntoView {
    let ctx = use_api();
    let navigate = use_navigate();
    let publish = ServerAction::<PublishApi>::new();
    let retire = ServerAction::<RetireApi>::new();
    let delete = ServerAction::<DeleteApi>::new();
    let new_version = ServerAction::<NewApiVersion>::new();
    let confirm_retire = RwSignal::new(false);
    let confirm_delete = RwSignal::new(false);
    let new_open = RwSignal::new(false);
    let errors = RwSignal::new(FieldErrors::new());
    let created = RwSignal::new(String::new());

    let refresh = move |_| ctx.refresh();
    follow(
        publish.value(),
        "API version published.",
        refresh,
        Failure::Toast,
    );
    follow(
        retire.value(),
        "API version retired.",
        refresh,
        Failure::Toast,
    );
    let nav = navigate.clone();
    let deleted = move |_| {
        nav(
            &format!("/orgs/{}/apis", ctx.org.get_untracked()),
            Default::default(),
        )
    };
    follow(delete.value(), "API deleted.", deleted, Failure::Toast);
    let versioned = move |_| {
        new_open.set(false);
        navigate(
            &format!(
                "/orgs/{}/apis/{}/{}",
                ctx.org.get_untracked(),
                ctx.api.get_untracked(),
                created.get_untracked()
            ),
            Default::default(),
        );
    };
    let failure = Failure::FieldOrToast(errors);
    follow(
        new_version.value(),
        "New API version created.",
        versioned,
        failure,
    );

    let versions = view
        .versions
        .iter()
        .map(|v| {
            (
                v.clone(),
                format!("/orgs/{}/apis/{}/{v}", view.org_id, view.api_id),
            )
        })
        .collect();
    let can_edit = view.can_edit;
    let status = view.status;
    let key = (
        view.org_id.clone(),
        view.api_id.clone(),
        view.version.clone(),
    );
    let (k1, k2, k3, k4) = (key.clone(), key.clone(), key.clone(), key);
    view! {
        <VersionHeader kind="API" name=view.name.clone() org=view.org_id.clone() versions current=view.version.clone() status=view.status.as_str()>
            <Show when=move || can_edit && matches!(status, ApiStatus::Created | ApiStatus::Ready)>
                <button type="button" class="btn-primary" disabled=status != ApiStatus::Ready
                    title=if status == ApiStatus::Ready { "" } else { "Complete the checklist on the Overview tab first." }
                    on:click={
                        let (o, a, v) = k1.clone();
                        move |_| { publish.dispatch(PublishApi { org: o.clone(), api: a.clone(), version: v.clone() }); }
                    }>"Publish"</button>
            </Show>
            <Show when=move || can_edit && status == ApiStatus::Published>
                <button type="button" class="btn-danger" on:click=move |_| confirm_retire.set(true)>"Retire"</button>
            </Show>
            <Show when=move || can_edit>
                <button type="button" class="btn-secondary" on:click=move |_| new_open.set(true)>"New Version"</button>
                <button type="button" class="btn-secondary" on:click=move |_| confirm_delete.set(true)>"Delete API"</button>
            </Show>
        </VersionHeader>
        <NewVersionForm open=new_open errors on_create=move |v: String| {
            created.set(v.clone());
            let (o, a, from) = k2.clone();
            new_version.dispatch(NewApiVersion { org: o, api: a, from_version: from, version: v });
        } />
        <ConfirmDialog
            open=confirm_retire
            title="Retire API version"
            message=Signal::derive(|| "A retired version is no longer served by the gateway and cannot be published again. Retire it?".to_string())
            confirm_label="Retire"
            on_confirm=move |_| {
                let (o, a, v) = k3.clone();
                retire.dispatch(RetireApi { org: o, api: a, version: v });
            }
        />
        <ConfirmDialog
            open=confirm_delete
            title="Delete API"
            message=Signal::derive(|| "Delete this API with all its versions? This cannot be undone; an API with a published version cannot be deleted.".to_string())
            confirm_label="Delete"
            on_confirm=move |_| {
                let (o, a, _) = k4.clone();
                delete.dispatch(DeleteApi { org: o, api: a });
            }
        />
    }
}
