//! Prometheus metrics of the gateway: requests and latency per API and status.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::http::StatusCode;
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts, Registry,
    TextEncoder,
};

/// One label set's counter and histogram.
#[derive(Clone)]
pub struct Observer {
    requests: IntCounter,
    latency: Histogram,
}

impl Observer {
    pub fn observe(&self, seconds: f64) {
        self.requests.inc();
        self.latency.observe(seconds);
    }
}

/// One worker's observers by API version id (`None`: no API) and status, so that a request
/// does not look its label values up in the shared vectors (two hashes, a lock and two
/// reference counts shared by every worker). As many entries as the vectors have children.
#[derive(Default)]
pub struct Observers(Mutex<HashMap<(Option<i64>, u16), Observer, foldhash::fast::RandomState>>);

impl Observers {
    pub fn observe(
        &self,
        metrics: &Metrics,
        api: Option<(i64, &str)>,
        status: StatusCode,
        seconds: f64,
    ) {
        let mut known = self.0.lock().unwrap_or_else(|p| p.into_inner());
        known
            .entry((api.map(|a| a.0), status.as_u16()))
            .or_insert_with(|| metrics.of(api.map_or("-", |a| a.1), status))
            .observe(seconds);
    }
}

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

    /// The request counter and latency histogram of one API (`"-"`: none) and status.
    pub fn of(&self, api: &str, status: StatusCode) -> Observer {
        let labels = [api, status.as_str()];
        Observer {
            requests: self.requests.with_label_values(&labels),
            latency: self.latency.with_label_values(&labels),
        }
    }

    pub fn render(&self) -> String {
        let mut out = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            tracing::warn!(error = %e, "cannot encode metrics");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workers_observers_add_up_in_the_shared_metrics() {
        let metrics = Metrics::new().expect("metrics");
        let (one, two) = (Observers::default(), Observers::default());
        let api = Some((7, "ORG/api/1.0"));
        for _ in 0..3 {
            one.observe(&metrics, api, StatusCode::OK, 0.001);
        }
        two.observe(&metrics, api, StatusCode::OK, 0.001);
        two.observe(&metrics, api, StatusCode::NOT_FOUND, 0.001);
        two.observe(&metrics, None, StatusCode::NOT_FOUND, 0.001);
        let text = metrics.render();
        let line = |l: &str| text.lines().any(|t| t == l);
        assert!(
            line(r#"gatehouse_gateway_requests_total{api="ORG/api/1.0",status="200"} 4"#),
            "{text}"
        );
        assert!(
            line(r#"gatehouse_gateway_requests_total{api="ORG/api/1.0",status="404"} 1"#),
            "{text}"
        );
        assert!(
            line(r#"gatehouse_gateway_requests_total{api="-",status="404"} 1"#),
            "{text}"
        );
        assert!(
            line(
                r#"gatehouse_gateway_request_duration_seconds_count{api="ORG/api/1.0",status="200"} 4"#
            ),
            "{text}"
        );
    }
}
