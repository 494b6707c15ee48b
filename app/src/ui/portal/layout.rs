//! The portal's frame: signed-in users only, with its own navigation.

use leptos::prelude::*;
use leptos_router::components::{A, Outlet, Redirect};
use leptos_router::hooks::use_location;

use crate::ui::components::notice::Loading;
use crate::ui::session::use_session;

#[component]
pub fn PortalLayout() -> impl IntoView {
    let session = use_session();
    let location = use_location();
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match session.user.await {
                    Ok(Some(_)) => view! {
                        <nav class="mb-6 flex gap-6 border-b border-slate-200 text-sm font-medium" aria-label="Portal">
                            <A href="/portal" exact=true attr:class="-mb-px border-b-2 border-transparent pb-3 text-slate-600 hover:text-slate-900 aria-[current=page]:border-indigo-600 aria-[current=page]:text-indigo-700">"Home"</A>
                            <A href="/portal/clients" attr:class="-mb-px border-b-2 border-transparent pb-3 text-slate-600 hover:text-slate-900 aria-[current=page]:border-indigo-600 aria-[current=page]:text-indigo-700">"My Clients"</A>
                            <A href="/portal/usage" attr:class="-mb-px border-b-2 border-transparent pb-3 text-slate-600 hover:text-slate-900 aria-[current=page]:border-indigo-600 aria-[current=page]:text-indigo-700">"Usage"</A>
                        </nav>
                        <Outlet />
                    }.into_any(),
                    _ => {
                        let next = location.pathname.get_untracked();
                        view! { <Redirect path=format!("/login?next={next}") /> }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
