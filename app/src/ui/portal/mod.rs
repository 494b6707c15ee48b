//! Pages of the Developer Portal.

pub mod home;
