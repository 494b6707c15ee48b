use leptos::prelude::*;

use crate::ui::components::table::EmptyState;

/// Clients arrive with the clients issue; until then an organization has none, and says so.
#[component]
pub fn OrgClientsTab() -> impl IntoView {
    view! { <EmptyState message="This organization has no clients yet." /> }
}
