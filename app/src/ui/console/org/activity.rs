//! The organization's Activity tab.

use leptos::prelude::*;

use super::use_org;
use crate::ui::components::activity::ActivityList;

#[component]
pub fn OrgActivityTab() -> impl IntoView {
    let org = use_org();
    view! { <ActivityList org=org.id reload=Signal::stored(0) /> }
}
