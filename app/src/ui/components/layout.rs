//! Page frames: the top bar, the signed-in console frame and the plain frame for sign-in.

use leptos::prelude::*;
use leptos_router::components::{A, Outlet, Redirect};
use leptos_router::hooks::{use_location, use_navigate};

use super::create_button::CreateButton;
use super::notice::Loading;
use super::toast::ToastArea;
use crate::api::contracts::approval_requests;
use crate::api::session::Logout;
use crate::domain::model::SessionUser;
use crate::domain::paging::PageRequest;
use crate::ui::session::use_session;

/// "Approvals" with the number of requests waiting for the user, refreshed on navigation.
/// The count is fetched by the browser alone, after hydration, and starts at 0 on both sides. A
/// resource here would be created when the user has loaded: later than the page's own resources
/// on the server, at once in the hydrating browser. Resources are paired with the values the
/// server sent by creation order, so the page's resources would get each other's data and the
/// page would hydrate markup the server never sent (seen on /register).
#[component]
fn ApprovalsLink() -> impl IntoView {
    let location = use_location();
    let count = RwSignal::new(0usize);
    Effect::new(move |_| {
        location.pathname.track();
        leptos::task::spawn_local(async move {
            // One row is enough: the page says how many wait in all.
            let first = PageRequest::new("", 0, 1);
            if let Ok(page) = approval_requests(first).await {
                // The top bar may be gone by now (signed out); then there is nothing to update.
                let _ = count.try_set(usize::try_from(page.total).unwrap_or(usize::MAX));
            }
        });
    });
    view! {
        <A href="/approvals" attr:class="flex items-center gap-1.5 text-sm text-slate-300 hover:text-white">
            "Approvals"
            {move || (count.get() > 0).then(|| view! {
                <span class="rounded-full bg-amber-400 px-1.5 text-xs font-semibold text-slate-900" data-testid="approval-count">{count.get()}</span>
            })}
        </A>
    }
}

#[component]
fn TopBar(user: Option<SessionUser>, portal: bool) -> impl IntoView {
    let session = use_session();
    let logout = ServerAction::<Logout>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = logout.value().get() {
            session.refresh();
            navigate("/login", Default::default());
        }
    });
    let menu_open = RwSignal::new(false);
    let switch_class = |active: bool| {
        if active {
            "rounded-md bg-slate-700 px-3 py-1.5 text-sm font-medium text-white"
        } else {
            "rounded-md px-3 py-1.5 text-sm font-medium text-slate-300 hover:bg-slate-800 hover:text-white"
        }
    };
    let show_console = user.as_ref().is_some_and(|u| !u.portal_only || u.is_admin);
    view! {
        <header class="sticky top-0 z-20 bg-slate-900 shadow">
            <div class="mx-auto flex h-14 max-w-7xl items-center gap-6 px-6">
                <A href="/" attr:class="flex items-center gap-2 text-lg font-semibold tracking-tight text-white">
                    <span class="flex h-7 w-7 items-center justify-center rounded-md bg-indigo-500 text-sm">"G"</span>
                    "Gatehouse"
                </A>
                {user.is_some().then(|| view! {
                    <nav class="flex gap-1" aria-label="Switch">
                        {show_console.then(|| view! {
                            <A href="/" attr:class=switch_class(!portal)>"API Management"</A>
                        })}
                        <A href="/portal" attr:class=switch_class(portal)>"Developer Portal"</A>
                    </nav>
                })}
                <div class="flex-1"></div>
                {show_console.then(|| view! {
                    <A href="/search" attr:class="text-sm text-slate-300 hover:text-white">"Search"</A>
                    <ApprovalsLink />
                })}
                {user.map(|u| {
                    let is_admin = u.is_admin;
                    view! {
                        <div class="relative">
                            <button
                                type="button"
                                class="flex items-center gap-2 rounded-md px-3 py-1.5 text-sm text-slate-200 hover:bg-slate-800"
                                aria-haspopup="menu"
                                aria-expanded=move || menu_open.get().to_string()
                                on:click=move |_| menu_open.update(|o| *o = !*o)
                            >
                                <span class="flex h-7 w-7 items-center justify-center rounded-full bg-indigo-400 text-xs font-semibold uppercase text-slate-900">
                                    {u.display_name.chars().next().unwrap_or('?').to_string()}
                                </span>
                                <span data-testid="user-name">{u.display_name.clone()}</span>
                            </button>
                            <Show when=move || menu_open.get()>
                                <div role="menu" class="absolute right-0 mt-2 w-48 overflow-hidden rounded-lg border border-slate-200 bg-white py-1 shadow-lg">
                                    {is_admin.then(|| view! {
                                        <A href="/admin/users" attr:role="menuitem" attr:class="block px-4 py-2 text-sm text-slate-700 hover:bg-slate-50" on:click=move |_| menu_open.set(false)>"Users"</A>
                                    })}
                                    <button
                                        type="button"
                                        role="menuitem"
                                        class="block w-full px-4 py-2 text-left text-sm text-slate-700 hover:bg-slate-50"
                                        on:click=move |_| {
                                            menu_open.set(false);
                                            logout.dispatch(Logout {});
                                        }
                                    >
                                        "Sign out"
                                    </button>
                                </div>
                            </Show>
                        </div>
                    }
                })}
            </div>
        </header>
    }
}

/// The frame of pages that need no console rights: sign-in and the portal.
#[component]
pub fn PlainLayout() -> impl IntoView {
    let session = use_session();
    let location = use_location();
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let user = session.user.await.ok().flatten();
                let portal = location.pathname.get_untracked().starts_with("/portal");
                view! { <TopBar user portal /> }
            })}
        </Transition>
        <ToastArea />
        <main class="mx-auto max-w-7xl px-6 py-8">
            <Outlet />
        </main>
    }
}

/// The frame of every console page: signed-in console users only, with the Create button.
#[component]
pub fn ConsoleLayout() -> impl IntoView {
    let session = use_session();
    let location = use_location();
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match session.user.await {
                    Ok(Some(user)) if !user.portal_only || user.is_admin => {
                        view! {
                            <TopBar user=Some(user) portal=false />
                            <ToastArea />
                            <main class="mx-auto max-w-7xl px-6 py-8 pb-28">
                                <Outlet />
                            </main>
                            <CreateButton />
                        }
                            .into_any()
                    }
                    Ok(Some(_)) => view! { <Redirect path="/portal" /> }.into_any(),
                    _ => {
                        let next = location.pathname.get_untracked();
                        view! { <Redirect path=format!("/login?next={next}") /> }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
