//! The organization's APIs tab.

use crate::domain::refs::Kind;
use leptos::prelude::*;

use super::entities::{EntityKind, EntityList, EntityRow};
use crate::api::apis::list_apis;
use crate::domain::paging::{Page, PageRequest};
use crate::error::AppError;

const KIND: EntityKind = EntityKind {
    heading: "API",
    noun: "API",
    plural: "APIs",
    kind: Kind::Api,
    create: "/create/api",
    testid: "api",
    create_link_above: false,
    filter: "Filter APIs",
};

async fn rows(org: String, page: PageRequest) -> Result<Page<EntityRow>, AppError> {
    Ok(list_apis(org, page).await?.map(|e| EntityRow {
        status: e.latest_status.as_str().to_string(),
        id: e.id,
        name: e.name,
        version: e.latest_version,
        description: e.description,
    }))
}

#[component]
pub fn OrgApisTab() -> impl IntoView {
    view! { <EntityList kind=KIND fetch=rows /> }
}
