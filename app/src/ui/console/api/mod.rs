//! The API version page: Overview, Plans, Policies, Contracts, Endpoint, Definition, Metrics, Logs,
//! Activity; Publish,
//! Retire, New Version, Delete.

pub mod definition;
pub mod metrics;
pub mod overview;
pub mod plans;
pub mod tabs;

use leptos::prelude::*;

use super::version_header::{
    DeleteButton, DeleteFlow, DeleteWords, NewVersionButton, NewVersionFlow, VersionHeader,
    VersionSummary,
};
use super::versioned::{EntityKind, VersionContext, VersionPage};
use crate::api::apis::{DeleteApi, NewApiVersion, PublishApi, RetireApi, get_api_version};
use crate::domain::catalog::ApiVersionView;
use crate::domain::lifecycle::ApiStatus;
use crate::ui::components::dialog::ConfirmDialog;
use crate::ui::components::outcome::{Failure, follow};

pub type ApiContext = VersionContext<ApiVersionView>;

pub fn use_api() -> ApiContext {
    expect_context::<ApiContext>()
}

#[component]
pub fn ApiPage() -> impl IntoView {
    view! {
        <VersionPage
            kind=EntityKind::Api
            fetch=get_api_version
            tabs=vec![
                ("Overview", "overview"),
                ("Plans", "plans"),
                ("Policies", "policies"),
                ("Contracts", "contracts"),
                ("Endpoint", "endpoint"),
                ("Definition", "definition"),
                ("Metrics", "metrics"),
                ("Logs", "logs"),
                ("Activity", "activity"),
            ]
            header=|v| view! { <ApiHeader view=v /> }
        />
    }
}

const DELETE: DeleteWords = DeleteWords {
    title: "Delete API",
    message: "Delete this API with all its versions? This cannot be undone; an API with a published version cannot be deleted.",
    done: "API deleted.",
};

#[component]
fn ApiHeader(view: ApiVersionView) -> impl IntoView {
    let ctx = use_api();
    let publish = ServerAction::<PublishApi>::new();
    let retire = ServerAction::<RetireApi>::new();
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
    let confirm_retire = RwSignal::new(false);

    let (org, api, version) = (
        view.org_id.clone(),
        view.api_id.clone(),
        view.version.clone(),
    );
    let key = StoredValue::new((org.clone(), api.clone(), version.clone()));
    let new_version = ServerAction::<NewApiVersion>::new();
    let new_flow = NewVersionFlow::new(
        ctx,
        new_version.value(),
        "New API version created.",
        move |v| {
            let (org, api, from_version) = key.get_value();
            new_version.dispatch(NewApiVersion {
                org,
                api,
                from_version,
                version: v,
            });
        },
    );
    let delete = ServerAction::<DeleteApi>::new();
    let delete_flow = DeleteFlow::new(ctx, delete.value(), DELETE, move || {
        let (org, api, _) = key.get_value();
        delete.dispatch(DeleteApi { org, api });
    });

    let can_edit = view.can_edit;
    let status = view.status;
    let summary = VersionSummary {
        kind: EntityKind::Api,
        org,
        id: api,
        name: view.name,
        version,
        versions: view.versions,
        status: status.as_str(),
        warning: None,
    };
    view! {
        <VersionHeader summary new_version=new_flow delete=delete_flow>
            <Show when=move || can_edit && matches!(status, ApiStatus::Created | ApiStatus::Ready)>
                <button type="button" class="btn-primary" disabled=status != ApiStatus::Ready
                    title=if status == ApiStatus::Ready { "" } else { "Complete the checklist on the Overview tab first." }
                    on:click=move |_| {
                        let (org, api, version) = key.get_value();
                        publish.dispatch(PublishApi { org, api, version });
                    }>"Publish"</button>
            </Show>
            <Show when=move || can_edit && status == ApiStatus::Published>
                <button type="button" class="btn-danger" on:click=move |_| confirm_retire.set(true)>"Retire"</button>
            </Show>
            <Show when=move || can_edit>
                <NewVersionButton flow=new_flow />
                <DeleteButton flow=delete_flow label="Delete API" />
            </Show>
        </VersionHeader>
        <ConfirmDialog
            open=confirm_retire
            title="Retire API version"
            message=Signal::derive(|| "A retired version is no longer served by the gateway and cannot be published again. Retire it?".to_string())
            confirm_label="Retire"
            on_confirm=move |_| {
                let (org, api, version) = key.get_value();
                retire.dispatch(RetireApi { org, api, version });
            }
        />
    }
}
