//! Reusable UI pieces used by every console and portal page.

pub mod badge;
pub mod create_button;
pub mod dialog;
pub mod form;
pub mod layout;
pub mod notice;
pub mod table;
pub mod tabs;
pub mod toast;
pub mod wizard;
