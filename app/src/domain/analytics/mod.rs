//! Gateway analytics: latency histograms, chart windows, the reports the Metrics tabs and the
//! portal's Usage page show, and the Log Analyzer's search. The gateway records with the same
//! histogram and path rules (server/src/gateway/analytics.rs).

pub mod histogram;
pub mod log;
pub mod report;
pub mod window;
