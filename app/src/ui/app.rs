//! The HTML shell and the route table.

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{SsrMode, path};

use super::components::layout::{ConsoleLayout, PlainLayout};
use super::components::toast::provide_toasts;
use super::console::{
    api, approvals::ApprovalsPage, client, create_entity::CreateApiPage,
    create_entity::CreateClientPage, create_entity::CreatePlanPage,
    create_org::CreateOrganizationPage, dashboard::DashboardPage, login::LoginPage,
    not_found::NotFound, org, plan, search::SearchPage, users::UsersPage,
};
use super::portal::{
    account::RegisterPage, api::PortalApiPage, home::PortalHome, layout::PortalLayout,
    my_clients::MyClientsPage, signup::SignupPage,
};
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
                    <Route path=path!("login") view=LoginPage />
                    <Route path=path!("register") view=RegisterPage />
                    <ParentRoute path=path!("portal") view=PortalLayout>
                        <Route path=path!("") view=PortalHome />
                        <Route path=path!("apis/:org/:api") view=PortalApiPage />
                        <Route path=path!("signup") view=SignupPage />
                        <Route path=path!("clients") view=MyClientsPage />
                    </ParentRoute>
                </ParentRoute>
                <ParentRoute path=path!("") view=ConsoleLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=DashboardPage />
                    <Route path=path!("search") view=SearchPage />
                    <Route path=path!("create/organization") view=CreateOrganizationPage />
                    <Route path=path!("create/api") view=CreateApiPage />
                    <Route path=path!("create/plan") view=CreatePlanPage />
                    <Route path=path!("create/client") view=CreateClientPage />
                    <Route path=path!("approvals") view=ApprovalsPage />
                    <ParentRoute path=path!("orgs/:org/clients/:client/:version") view=client::ClientPage>
                        <Route path=path!("") view=client::overview::ClientOverviewTab />
                        <Route path=path!("overview") view=client::overview::ClientOverviewTab />
                        <Route path=path!("contracts") view=client::contracts::ClientContractsTab />
                        <Route path=path!("apis") view=client::tabs::ClientApisTab />
                        <Route path=path!("policies") view=client::tabs::ClientPoliciesTab />
                        <Route path=path!("activity") view=client::tabs::ClientActivityTab />
                    </ParentRoute>
                    <Route path=path!("admin/users") view=UsersPage />
                    <ParentRoute path=path!("orgs/:org/plans/:plan/:version") view=plan::PlanPage>
                        <Route path=path!("") view=plan::tabs::PlanOverviewTab />
                        <Route path=path!("overview") view=plan::tabs::PlanOverviewTab />
                        <Route path=path!("policies") view=plan::tabs::PlanPoliciesTab />
                        <Route path=path!("activity") view=plan::tabs::PlanActivityTab />
                    </ParentRoute>
                    <ParentRoute path=path!("orgs/:org/apis/:api/:version") view=api::ApiPage>
                        <Route path=path!("") view=api::overview::ApiOverviewTab />
                        <Route path=path!("overview") view=api::overview::ApiOverviewTab />
                        <Route path=path!("plans") view=api::plans::ApiPlansTab />
                        <Route path=path!("policies") view=api::tabs::ApiPoliciesTab />
                        <Route path=path!("contracts") view=api::tabs::ApiContractsTab />
                        <Route path=path!("endpoint") view=api::tabs::ApiEndpointTab />
                        <Route path=path!("activity") view=api::tabs::ApiActivityTab />
                    </ParentRoute>
                    <ParentRoute path=path!("orgs/:org") view=org::OrgPage>
                        <Route path=path!("") view=org::apis::OrgApisTab />
                        <Route path=path!("apis") view=org::apis::OrgApisTab />
                        <Route path=path!("plans") view=org::plans::OrgPlansTab />
                        <Route path=path!("clients") view=org::clients::OrgClientsTab />
                        <Route path=path!("members") view=org::members::OrgMembersTab />
                        <Route path=path!("activity") view=org::activity::OrgActivityTab />
                    </ParentRoute>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
