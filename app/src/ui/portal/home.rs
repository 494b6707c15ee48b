use leptos::prelude::*;
use leptos_router::components::A;

/// The portal's home. Featured APIs, sign-up and My Clients come with the portal issue;
/// until then the page says plainly that the portal is not open yet.
#[component]
pub fn PortalHome() -> impl IntoView {
    view! {
        <div class="mx-auto max-w-2xl py-16 text-center">
            <h1 class="text-3xl font-semibold text-slate-900">"Developer Portal"</h1>
            <p class="mt-4 text-slate-600">
                "The Developer Portal is not open yet: browsing published APIs and signing up for plans will appear here."
            </p>
            <A href="/" attr:class="mt-6 inline-block text-indigo-600 hover:underline">"Go to API Management"</A>
        </div>
    }
}
