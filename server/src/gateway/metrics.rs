//! Prometheus metrics of the gateway: requests and latency per API and status.

use axum::http::StatusCode;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts, Registry, TextEncoder,
};

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    /// Requests whose analytics were lost (buffer full, database down or slow).
    pub analytics_dropped: IntCounter,
}

impl Metrics {
    pub fn new() -> anyhow::Result<Self> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "gatehouse_gateway_requests_total",
                "Requests handled by the gateway",
            ),
            &["api", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "gatehouse_gateway_request_duration_seconds",
                "Time from request to response head, in seconds",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                10.0,
            ]),
            &["api", "status"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        let analytics_dropped = IntCounter::new(
            "gatehouse_analytics_dropped_total",
            "Requests whose analytics record was dropped (buffer full, database down or slow)",
        )?;
        registry.register(Box::new(analytics_dropped.clone()))?;
        Ok(Self {
            registry,
            requests,
            latency,
            analytics_dropped,
        })
    }

    pub fn observe(&self, api: &str, status: StatusCode, seconds: f64) {
        let labels = [api, status.as_str()];
        self.requests.with_label_values(&labels).inc();
        self.latency.with_label_values(&labels).observe(seconds);
    }

    pub fn render(&self) -> String {
        let mut out = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            tracing::warn!(error = %e, "cannot encode metrics");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}
