//! Gateway analytics: latency histograms, chart windows, the reports the Metrics tabs and the
//! portal's Usage page show, and the Log Analyzer's search. The gateway records with the same
//! histogram and path rules (server/src/gateway/analytics.rs).

pub mod chart;
pub mod csv;
pub mod histogram;
pub mod log;
pub mod report;
pub mod window;

/// Days the minute rollups are kept unless configured otherwise
/// (`GATEHOUSE_ANALYTICS_MINUTE_DAYS`): older windows are drawn from the hour rollups.
pub const DEFAULT_MINUTE_DAYS: i64 = 30;
