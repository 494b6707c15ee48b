//! `Loaded`: fetched data on a page, with "Loading…" until it arrives and the error in its place
//! when fetching failed.

use std::future::Future;
use std::sync::Arc;

use leptos::prelude::*;

use super::notice::{ErrorNotice, Loading};
use crate::error::AppError;

/// What a `Loaded` awaits: a resource, a pair of resources, or a function returning a future
/// (for a resource awaited together with something else, such as a permission).
pub trait Load: Copy + Send + Sync + 'static {
    type Value: Send + 'static;

    fn load(self) -> impl Future<Output = Result<Self::Value, AppError>> + Send;
}

impl<T> Load for Resource<Result<T, AppError>>
where
    T: Clone + Send + Sync + 'static,
{
    type Value = T;

    fn load(self) -> impl Future<Output = Result<T, AppError>> + Send {
        self.into_future()
    }
}

/// Both are awaited before either's error counts, so that the server sends both with the page.
impl<A: Load, B: Load> Load for (A, B) {
    type Value = (A::Value, B::Value);

    async fn load(self) -> Result<Self::Value, AppError> {
        let a = self.0.load().await;
        let b = self.1.load().await;
        Ok((a?, b?))
    }
}

impl<F, Fut, T> Load for F
where
    F: Fn() -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send,
    T: Send + 'static,
{
    type Value = T;

    fn load(self) -> impl Future<Output = Result<T, AppError>> + Send {
        self()
    }
}

/// `<Loaded resource=r let:value>…</Loaded>`: a `Transition` that shows "Loading…" (or
/// `fallback`) first, then the children with the loaded value, or an `ErrorNotice`. The
/// children run inside the `Suspend`, after the await, as hand-written blocks did, so the server
/// and the hydrating browser render the same markup.
#[component]
pub fn Loaded<L, F, V>(
    resource: L,
    children: F,
    /// Shows nothing on failure: for tabs whose page header already shows the error.
    #[prop(optional)]
    quiet: bool,
    /// What shows while loading, instead of "Loading…".
    #[prop(optional, into)]
    fallback: Option<ViewFnOnce>,
) -> impl IntoView
where
    L: Load,
    F: Fn(L::Value) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let children = Arc::new(children);
    let fallback = fallback.unwrap_or_else(|| ViewFnOnce::from(Loading));
    view! {
        <Transition fallback>
            {move || {
                let children = Arc::clone(&children);
                Suspend::new(async move {
                    match resource.load().await {
                        Ok(value) => Some(children(value).into_any()),
                        Err(_) if quiet => None,
                        Err(e) => Some(view! { <ErrorNotice error=e /> }.into_any()),
                    }
                })
            }}
        </Transition>
    }
}
