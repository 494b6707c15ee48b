//! Where the WebAssembly bundle splits: each area of the product is one `#[lazy]` function, and
//! `cargo leptos build --split` moves its code into a file the browser fetches on first use.
//!
//! Why areas, not pages: one split point per page (36) made ~500 shared chunk files, 197 of them
//! fetched by the organization page, and made wasm-opt take minutes per build. An area (the
//! organization frame and its tabs, say) is what a user moves around in, so its pages come in one
//! fetch. The portal home and the layouts stay in the main bundle: strangers see them first.
//!
//! On the server each area function runs at once (it only names the chunk so that the page's
//! `<head>` preloads it); in the browser the router awaits it before it renders or hydrates.

use leptos::prelude::*;
use leptos_router::{Lazy, LazyRoute};

/// `area!(fn_name, Enum { Route => component_fn, … })`: an enum naming the area's views, one
/// `#[lazy]` function rendering any of them, and per view a route type for `Lazy::<Route>`.
macro_rules! area {
    ($area:ident, $which:ident { $($route:ident => $view:path),* $(,)? }) => {
        #[derive(Clone, Copy)]
        pub enum $which { $($route),* }

        // A module per area so that the preload function `#[lazy]` makes beside `render` has a
        // name this macro can write: `$area::__preload_render`.
        mod $area {
            use super::*;

            #[leptos::lazy($area)]
            pub fn render(which: $which) -> AnyView {
                match which { $($which::$route => $view().into_any()),* }
            }
        }

        $(
            pub struct $route;

            impl LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                async fn view(_this: Self) -> AnyView {
                    $area::render($which::$route).await
                }

                // The router awaits this before it hydrates or renders the route, so the area's
                // code is there when the view is built (without it, hydration finds a pending
                // view where the server rendered the page, and fails).
                async fn preload() {
                    #[cfg(target_arch = "wasm32")]
                    $area::__preload_render().await;
                }
            }
        )*
    };
}

use super::console::{
    api, approvals, client, create_entity, create_org, dashboard, login, org, plan, search, users,
};
use super::portal::{account, api as portal_api, my_clients, signup, usage};

area!(account_area, Account {
    Login => login::LoginPage,
    Register => account::RegisterPage,
});

area!(portal_area, Portal {
    PortalApi => portal_api::PortalApiPage,
    Signup => signup::SignupPage,
    MyClients => my_clients::MyClientsPage,
    Usage => usage::UsagePage,
});

area!(console_area, Console {
    Dashboard => dashboard::DashboardPage,
    Search => search::SearchPage,
    CreateOrganization => create_org::CreateOrganizationPage,
    CreateApi => create_entity::CreateApiPage,
    CreatePlan => create_entity::CreatePlanPage,
    CreateClient => create_entity::CreateClientPage,
    Approvals => approvals::ApprovalsPage,
    Users => users::UsersPage,
});

area!(org_area, OrgView {
    OrgFrame => org::OrgPage,
    OrgApis => org::apis::OrgApisTab,
    OrgPlans => org::plans::OrgPlansTab,
    OrgClients => org::clients::OrgClientsTab,
    OrgMembers => org::members::OrgMembersTab,
    OrgMetrics => org::metrics::OrgMetricsTab,
    OrgLogs => org::metrics::OrgLogsTab,
    OrgActivity => org::activity::OrgActivityTab,
});

area!(api_area, ApiView {
    ApiFrame => api::ApiPage,
    ApiOverview => api::overview::ApiOverviewTab,
    ApiPlans => api::plans::ApiPlansTab,
    ApiPolicies => api::tabs::ApiPoliciesTab,
    ApiContracts => api::tabs::ApiContractsTab,
    ApiEndpoint => api::tabs::ApiEndpointTab,
    ApiDefinition => api::definition::ApiDefinitionTab,
    ApiMetrics => api::metrics::ApiMetricsTab,
    ApiLogs => api::metrics::ApiLogsTab,
    ApiActivity => api::tabs::ApiActivityTab,
});

area!(plan_area, PlanView {
    PlanFrame => plan::PlanPage,
    PlanOverview => plan::tabs::PlanOverviewTab,
    PlanPolicies => plan::tabs::PlanPoliciesTab,
    PlanActivity => plan::tabs::PlanActivityTab,
});

area!(client_area, ClientView {
    ClientFrame => client::ClientPage,
    ClientOverview => client::overview::ClientOverviewTab,
    ClientContracts => client::contracts::ClientContractsTab,
    ClientApis => client::tabs::ClientApisTab,
    ClientPolicies => client::tabs::ClientPoliciesTab,
    ClientMetrics => client::metrics::ClientMetricsTab,
    ClientActivity => client::tabs::ClientActivityTab,
});

/// The route view for `R`: `view=lazy::route::<lazy::Login>()`.
pub fn route<R: LazyRoute + Sync>() -> Lazy<R> {
    Lazy::new()
}
