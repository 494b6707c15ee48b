use leptos::prelude::*;

use crate::ui::components::table::EmptyState;

/// APIs arrive with the APIs issue; until then an organization has none, and says so.
#[component]
pub fn OrgApisTab() -> impl IntoView {
    view! { <EmptyState message="This organization has no APIs yet." /> }
}
