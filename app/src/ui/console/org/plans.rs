//! The organization's Plans tab.

use crate::domain::refs::Kind;
use leptos::prelude::*;

use super::entities::{EntityKind, EntityList, EntityRow};
use crate::api::plans::list_plans;
use crate::domain::paging::{Page, PageRequest};
use crate::error::AppError;

const KIND: EntityKind = EntityKind {
    heading: "Plan",
    noun: "plan",
    plural: "plans",
    kind: Kind::Plan,
    create: "/create/plan",
    testid: "plan",
    create_link_above: false,
    filter: "Filter plans",
};

async fn rows(org: String, page: PageRequest) -> Result<Page<EntityRow>, AppError> {
    Ok(list_plans(org, page).await?.map(|e| EntityRow {
        status: e.latest_status.as_str().to_string(),
        id: e.id,
        name: e.name,
        version: e.latest_version,
        description: e.description,
    }))
}

#[component]
pub fn OrgPlansTab() -> impl IntoView {
    view! { <EntityList kind=KIND fetch=rows /> }
}
