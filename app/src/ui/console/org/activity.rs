//! The organization's Activity tab.

use leptos::prelude::*;

use super::use_org;
use crate::api::activity::org_activity;
use crate::ui::components::activity::ActivityList;

#[component]
pub fn OrgActivityTab() -> impl IntoView {
    let org = use_org();
    let entries = Resource::new(move || org.id.get(), org_activity);
    view! { <ActivityList entries /> }
}
