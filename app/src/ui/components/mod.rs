//! Reusable UI pieces used by every console and portal page.

pub mod activity;
pub mod badge;
pub mod chart;
pub mod chart_spec;
pub mod contracts;
pub mod copy;
pub mod create_button;
pub mod dialog;
pub mod figures;
pub mod form;
pub mod invitations;
pub mod keys;
pub mod layout;
pub mod loaded;
pub mod log_analyzer;
pub mod markdown;
pub mod metrics;
pub mod notice;
pub mod outcome;
pub mod paging;
pub mod policy_editor;
pub mod range;
pub mod table;
pub mod tabs;
pub mod toast;
pub mod wizard;
