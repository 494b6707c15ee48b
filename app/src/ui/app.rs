//! The HTML shell and the route table.

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{SsrMode, path};

use super::components::layout::{ConsoleLayout, PlainLayout};
use super::components::toast::provide_toasts;
use super::console::not_found::NotFound;
use super::lazy;
use super::portal::{home::PortalHome, layout::PortalLayout};
use super::session::provide_session;

pub fn shell(options: LeptosOptions) -> impl IntoView {
    super::csp::set_page_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body class="min-h-screen bg-slate-50 text-slate-900 antialiased">
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_session();
    provide_toasts();

    view! {
        <Title text="Gatehouse" />
        <Router>
            <Routes fallback=NotFound>
                <ParentRoute path=path!("") view=PlainLayout ssr=SsrMode::Async>
                    <Route path=path!("login") view={lazy::route::<lazy::Login>()} />
                    <Route path=path!("register") view={lazy::route::<lazy::Register>()} />
                    <ParentRoute path=path!("portal") view=PortalLayout>
                        <Route path=path!("") view=PortalHome />
                        <Route path=path!("apis/:org/:api") view={lazy::route::<lazy::PortalApi>()} />
                        <Route path=path!("signup") view={lazy::route::<lazy::Signup>()} />
                        <Route path=path!("clients") view={lazy::route::<lazy::MyClients>()} />
                        <Route path=path!("usage") view={lazy::route::<lazy::Usage>()} />
                    </ParentRoute>
                </ParentRoute>
                <ParentRoute path=path!("") view=ConsoleLayout ssr=SsrMode::Async>
                    <Route path=path!("") view={lazy::route::<lazy::Dashboard>()} />
                    <Route path=path!("search") view={lazy::route::<lazy::Search>()} />
                    <Route path=path!("create/organization") view={lazy::route::<lazy::CreateOrganization>()} />
                    <Route path=path!("create/api") view={lazy::route::<lazy::CreateApi>()} />
                    <Route path=path!("create/plan") view={lazy::route::<lazy::CreatePlan>()} />
                    <Route path=path!("create/client") view={lazy::route::<lazy::CreateClient>()} />
                    <Route path=path!("approvals") view={lazy::route::<lazy::Approvals>()} />
                    <ParentRoute path=path!("orgs/:org/clients/:client/:version") view={lazy::route::<lazy::ClientFrame>()}>
                        <Route path=path!("") view={lazy::route::<lazy::ClientOverview>()} />
                        <Route path=path!("overview") view={lazy::route::<lazy::ClientOverview>()} />
                        <Route path=path!("contracts") view={lazy::route::<lazy::ClientContracts>()} />
                        <Route path=path!("apis") view={lazy::route::<lazy::ClientApis>()} />
                        <Route path=path!("policies") view={lazy::route::<lazy::ClientPolicies>()} />
                        <Route path=path!("metrics") view={lazy::route::<lazy::ClientMetrics>()} />
                        <Route path=path!("activity") view={lazy::route::<lazy::ClientActivity>()} />
                    </ParentRoute>
                    <Route path=path!("admin/users") view={lazy::route::<lazy::Users>()} />
                    <ParentRoute path=path!("orgs/:org/plans/:plan/:version") view={lazy::route::<lazy::PlanFrame>()}>
                        <Route path=path!("") view={lazy::route::<lazy::PlanOverview>()} />
                        <Route path=path!("overview") view={lazy::route::<lazy::PlanOverview>()} />
                        <Route path=path!("policies") view={lazy::route::<lazy::PlanPolicies>()} />
                        <Route path=path!("activity") view={lazy::route::<lazy::PlanActivity>()} />
                    </ParentRoute>
                    <ParentRoute path=path!("orgs/:org/apis/:api/:version") view={lazy::route::<lazy::ApiFrame>()}>
                        <Route path=path!("") view={lazy::route::<lazy::ApiOverview>()} />
                        <Route path=path!("overview") view={lazy::route::<lazy::ApiOverview>()} />
                        <Route path=path!("plans") view={lazy::route::<lazy::ApiPlans>()} />
                        <Route path=path!("policies") view={lazy::route::<lazy::ApiPolicies>()} />
                        <Route path=path!("contracts") view={lazy::route::<lazy::ApiContracts>()} />
                        <Route path=path!("endpoint") view={lazy::route::<lazy::ApiEndpoint>()} />
                        <Route path=path!("definition") view={lazy::route::<lazy::ApiDefinition>()} />
                        <Route path=path!("metrics") view={lazy::route::<lazy::ApiMetrics>()} />
                        <Route path=path!("logs") view={lazy::route::<lazy::ApiLogs>()} />
                        <Route path=path!("activity") view={lazy::route::<lazy::ApiActivity>()} />
                    </ParentRoute>
                    <ParentRoute path=path!("orgs/:org") view={lazy::route::<lazy::OrgFrame>()}>
                        <Route path=path!("") view={lazy::route::<lazy::OrgApis>()} />
                        <Route path=path!("apis") view={lazy::route::<lazy::OrgApis>()} />
                        <Route path=path!("plans") view={lazy::route::<lazy::OrgPlans>()} />
                        <Route path=path!("clients") view={lazy::route::<lazy::OrgClients>()} />
                        <Route path=path!("members") view={lazy::route::<lazy::OrgMembers>()} />
                        <Route path=path!("metrics") view={lazy::route::<lazy::OrgMetrics>()} />
                        <Route path=path!("logs") view={lazy::route::<lazy::OrgLogs>()} />
                        <Route path=path!("activity") view={lazy::route::<lazy::OrgActivity>()} />
                    </ParentRoute>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
