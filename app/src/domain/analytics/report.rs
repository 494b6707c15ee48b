//! What the Metrics tabs, the organization overview and the portal's Usage page show: shapes
//! shared by the store (which fills them), the server functions and the charts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::histogram::Histogram;
use super::window::Window;

/// Status classes, the stacks of the requests chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StatusClass {
    Success,
    Redirect,
    ClientError,
    ServerError,
    /// 1xx, and anything outside 100..=599.
    Other,
}

impl StatusClass {
    pub const ALL: [StatusClass; 5] = [
        StatusClass::Success,
        StatusClass::Redirect,
        StatusClass::ClientError,
        StatusClass::ServerError,
        StatusClass::Other,
    ];

    pub fn of(status: u16) -> Self {
        match status {
            200..=299 => StatusClass::Success,
            300..=399 => StatusClass::Redirect,
            400..=499 => StatusClass::ClientError,
            500..=599 => StatusClass::ServerError,
            _ => StatusClass::Other,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StatusClass::Success => "2xx",
            StatusClass::Redirect => "3xx",
            StatusClass::ClientError => "4xx",
            StatusClass::ServerError => "5xx",
            StatusClass::Other => "other",
        }
    }

    /// The status codes of the class, as an inclusive range (for SQL filters).
    pub fn codes(self) -> (u16, u16) {
        match self {
            StatusClass::Success => (200, 299),
            StatusClass::Redirect => (300, 399),
            StatusClass::ClientError => (400, 499),
            StatusClass::ServerError => (500, 599),
            StatusClass::Other => (100, 199),
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.label() == s)
    }
}

/// Whether a status counts as an error in error rates: 4xx and 5xx, as in Kong and Gravitee
/// (refusals by policies are errors the consumer sees).
pub fn is_error(status: u16) -> bool {
    status >= 400
}

/// Requests by status class, and latency quantiles, for one chart point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// The start of the point's bucket.
    pub at: DateTime<Utc>,
    /// Counts in `StatusClass::ALL` order.
    pub by_class: [i64; 5],
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
}

impl Point {
    pub fn requests(&self) -> i64 {
        self.by_class.iter().sum()
    }

    pub fn errors(&self) -> i64 {
        self.by_class[2] + self.by_class[3]
    }

    /// Share of errors, 0..=1; `None` without requests.
    pub fn error_rate(&self) -> Option<f64> {
        let n = self.requests();
        (n > 0).then(|| self.errors() as f64 / n as f64)
    }

    /// A point from its bucket's counts by status code and merged histogram.
    pub fn new(at: DateTime<Utc>, by_status: &[(u16, i64)], hist: &Histogram) -> Self {
        let mut by_class = [0; 5];
        for &(status, n) in by_status {
            let i = StatusClass::ALL
                .iter()
                .position(|c| *c == StatusClass::of(status))
                .unwrap_or(4);
            by_class[i] += n;
        }
        let ms = |q| hist.quantile_us(q).map(|us| us / 1000.0);
        Self {
            at,
            by_class,
            p50_ms: ms(0.5),
            p95_ms: ms(0.95),
            p99_ms: ms(0.99),
        }
    }
}

/// Totals over a whole window.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    pub requests: i64,
    pub errors: i64,
    pub bytes_in: i64,
    pub bytes_out: i64,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
}

impl Totals {
    pub fn error_rate(&self) -> Option<f64> {
        (self.requests > 0).then(|| self.errors as f64 / self.requests as f64)
    }
}

/// One row of a "top clients", "by plan" or "top APIs" table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Share {
    /// What it is, as the console names it: "org/client/version", "Gold 1.0", …
    pub label: String,
    /// Its console page, when it still exists and the viewer may see it.
    pub href: Option<String>,
    pub requests: i64,
    pub errors: i64,
}

/// Status counts exactly as stored (for the exactness checks and the per-status table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCount {
    pub status: u16,
    pub requests: i64,
}

/// A chart with its totals: requests by class over time and latency quantiles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Traffic {
    pub window: Window,
    /// One per step from `window.from`, empty buckets included (as zeros).
    pub points: Vec<Point>,
    pub totals: Totals,
    pub by_status: Vec<StatusCount>,
}

/// A rate limit or quota of a contract and how much of its current window is used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LimitUse {
    /// "Rate Limiting" or "Quota", and where it is set: "plan Gold 1.0", "API", "client".
    pub policy: String,
    pub level: String,
    /// "per minute", "per day", …
    pub period: String,
    pub limit: u64,
    pub used: u64,
    pub remaining: u64,
    pub resets_at: DateTime<Utc>,
}

/// An API version's Metrics tab: its traffic, its busiest clients and its traffic by plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiMetrics {
    pub traffic: Traffic,
    /// The `TOP` clients by requests.
    pub top_clients: Vec<Share>,
    pub plans: Vec<Share>,
}

/// A client version's use of one API version: its contract's plan (if any), its traffic and
/// its rate limits and quotas right now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiUsage {
    /// "org/api/version", or "#123 (deleted)".
    pub api: String,
    /// The API version's page, when it still exists and the viewer may see it.
    pub href: Option<String>,
    /// The contract's plan: "Gold 1.0"; none without a contract.
    pub plan: Option<String>,
    pub traffic: Traffic,
    /// From the gateway's counters; empty without a contract or a gateway in this process.
    pub limits: Vec<LimitUse>,
}

/// A client version's Metrics tab: one entry per API version it has a contract with or has
/// called in the window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientMetrics {
    pub apis: Vec<ApiUsage>,
}

/// An organization's overview: the traffic of all its API versions, the busiest of them and
/// the busiest clients calling them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgMetrics {
    pub traffic: Traffic,
    pub top_apis: Vec<Share>,
    pub top_clients: Vec<Share>,
}

/// The Log Analyzer's filter choices: (id, label) of the client and plan versions seen in the
/// scope's traffic over the last 30 days.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LogChoices {
    pub clients: Vec<(i64, String)>,
    pub plans: Vec<(i64, String)>,
}

/// The portal's Usage page: one of the user's client versions and the APIs it uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageClient {
    /// "org/client/version"
    pub client: String,
    pub apis: Vec<ApiUsage>,
}
