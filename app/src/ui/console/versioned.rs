//! What the API, plan and client version pages share: the kind of entity, the version named by
//! the route (shared with the tabs through context), and the page frame around the tabs.

use std::future::Future;

use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::use_params_map;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::domain::refs::{Kind, VersionRef, org_tab_url};
use crate::domain::roles::Permission;
use crate::error::AppError;
use crate::ui::components::loaded::Loaded;
use crate::ui::components::tabs::Tabs;

/// The three versioned entities.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum EntityKind {
    Api,
    Plan,
    Client,
}

impl EntityKind {
    /// "API", "Plan", "Client": in headings and toasts.
    pub fn noun(self) -> &'static str {
        match self {
            EntityKind::Api => "API",
            EntityKind::Plan => "Plan",
            EntityKind::Client => "Client",
        }
    }

    /// The URL segment of the organization's list: "apis", "plans", "clients".
    pub fn segment(self) -> &'static str {
        self.kind().segment()
    }

    /// The same kind as the domain's references name it (their URLs use it).
    pub fn kind(self) -> Kind {
        match self {
            EntityKind::Api => Kind::Api,
            EntityKind::Plan => Kind::Plan,
            EntityKind::Client => Kind::Client,
        }
    }

    /// The route parameter naming the entity: "api", "plan", "client".
    pub fn param(self) -> &'static str {
        match self {
            EntityKind::Api => "api",
            EntityKind::Plan => "plan",
            EntityKind::Client => "client",
        }
    }

    /// The permission that creating and changing this kind of entity needs.
    pub fn permission(self) -> Permission {
        match self {
            EntityKind::Api => Permission::EditApis,
            EntityKind::Plan => Permission::EditPlans,
            EntityKind::Client => Permission::EditClients,
        }
    }

    /// The organization's list of this kind of entity.
    pub fn list(self, org: &str) -> String {
        org_tab_url(org, self.segment())
    }

    /// The page of one version.
    pub fn page(self, org: &str, id: &str, version: &str) -> String {
        VersionRef::new(org, id, version).console_url(self.kind())
    }
}

/// One parameter of the current route (org, api, plan, client, version), as a memo.
pub fn route_param(name: &'static str) -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get(name).unwrap_or_default())
}

/// The version a page shows (`V`: the API's, plan's or client's view), shared with its tabs.
pub struct VersionContext<V: Send + Sync + 'static> {
    pub kind: EntityKind,
    pub org: Memo<String>,
    /// The entity's id.
    pub id: Memo<String>,
    pub version: Memo<String>,
    pub view: Resource<Result<V, AppError>>,
    /// Ticks after a change, so the version and the tabs reload.
    pub reload: RwSignal<u32>,
}

// By hand: derived, they would ask `V: Copy`.
impl<V: Send + Sync> Clone for VersionContext<V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<V: Send + Sync> Copy for VersionContext<V> {}

impl<V: Send + Sync> VersionContext<V> {
    pub fn refresh(&self) {
        self.reload.update(|r| *r += 1);
    }

    /// The page of another version of the same entity.
    pub fn version_page(&self, version: &str) -> String {
        self.kind
            .page(&self.org.get_untracked(), &self.id.get_untracked(), version)
    }
}

/// The frame of a version page: provides the `VersionContext`, then shows `header` once the
/// version has loaded (or why it did not), the tabs, and the current tab.
#[component]
pub fn VersionPage<V, F, Fut, H, HV>(
    kind: EntityKind,
    /// Fetches a version: `(org, id, version)`.
    fetch: F,
    /// `(label, path segment)` of each tab.
    tabs: Vec<(&'static str, &'static str)>,
    header: H,
) -> impl IntoView
where
    V: Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
    F: Fn(String, String, String) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = Result<V, AppError>> + Send + 'static,
    H: Fn(V) -> HV + Send + Sync + 'static,
    HV: IntoView + 'static,
{
    let (org, id, version) = (
        route_param("org"),
        route_param(kind.param()),
        route_param("version"),
    );
    let reload = RwSignal::new(0u32);
    let view = Resource::new(
        move || (org.get(), id.get(), version.get(), reload.get()),
        move |(o, i, v, _)| fetch(o, i, v),
    );
    provide_context(VersionContext {
        kind,
        org,
        id,
        version,
        view,
        reload,
    });
    let base = Signal::derive(move || kind.page(&org.get(), &id.get(), &version.get()));
    view! {
        <Loaded resource=view let:v>
            {header(v)}
        </Loaded>
        <Tabs base tabs />
        <div class="mt-6"><Outlet /></div>
    }
}
