//! The organization's Clients tab.

use crate::domain::refs::Kind;
use leptos::prelude::*;

use super::entities::{EntityKind, EntityList, EntityRow};
use crate::api::clients::list_clients;
use crate::domain::paging::{Page, PageRequest};
use crate::error::AppError;

const KIND: EntityKind = EntityKind {
    heading: "Client",
    noun: "client",
    plural: "clients",
    kind: Kind::Client,
    create: "/create/client",
    testid: "client",
    create_link_above: true,
    filter: "Filter clients",
};

async fn rows(org: String, page: PageRequest) -> Result<Page<EntityRow>, AppError> {
    Ok(list_clients(org, page).await?.map(|e| EntityRow {
        status: e.latest_status.label().to_string(),
        id: e.id,
        name: e.name,
        version: e.latest_version,
        description: e.description,
    }))
}

#[component]
pub fn OrgClientsTab() -> impl IntoView {
    view! { <EntityList kind=KIND fetch=rows /> }
}
