//! The signed-in user as seen by the UI, shared through context.

use leptos::prelude::*;

use crate::api::session::whoami;
use crate::domain::model::SessionUser;
use crate::error::AppError;

#[derive(Clone, Copy)]
pub struct Session {
    pub user: Resource<Result<Option<SessionUser>, AppError>>,
    version: RwSignal<u32>,
}

impl Session {
    /// Reloads the user after signing in or out.
    pub fn refresh(&self) {
        self.version.update(|v| *v += 1);
    }
}

pub fn provide_session() -> Session {
    let version = RwSignal::new(0u32);
    let user = Resource::new(move || version.get(), |_| whoami());
    let session = Session { user, version };
    provide_context(session);
    session
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}
