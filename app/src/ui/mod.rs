//! The user interface: the shell and routes, reusable components, console and portal pages.

pub mod app;
pub mod components;
pub mod console;
pub mod csp;
pub mod lazy;
pub mod portal;
pub mod session;
