use leptos::prelude::*;

use crate::ui::components::table::EmptyState;

/// Plans arrive with the plans issue; until then an organization has none, and says so.
#[component]
pub fn OrgPlansTab() -> impl IntoView {
    view! { <EmptyState message="This organization has no plans yet." /> }
}
