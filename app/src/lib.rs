//! Gatehouse's shared crate: domain rules, server functions and the Leptos UI of the
//! management console and the developer portal. Compiled for the server (`ssr`) and for the
//! browser (`hydrate`).

#![recursion_limit = "256"]

pub mod api;
pub mod domain;
pub mod error;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod store;

pub use ui::app::{App, shell};
