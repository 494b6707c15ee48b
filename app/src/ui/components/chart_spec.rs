//! What a chart shows, as data: built from a `Traffic` (requests stacked by status class, the
//! error rate, latency quantiles), summarised in words for the page before hydration and for
//! screen readers, and turned into a Chart.js configuration. Pure, so it is tested here; the
//! `Chart` component (chart.rs) only draws it.

use serde_json::{Value, json};

use super::figures::{count, ms, percent, time_label};
use crate::domain::analytics::report::{StatusClass, Traffic};

/// Bars stacked per time step, or lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    StackedBars,
    Lines,
}

/// One series: its legend label, colour and a value per time step (`None` leaves a gap).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: &'static str,
    pub color: &'static str,
    pub values: Vec<Option<f64>>,
}

/// A chart: its title, shape, time labels, series, the unit of its y axis and a sentence that
/// says what it shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartSpec {
    pub title: &'static str,
    pub shape: Shape,
    pub labels: Vec<String>,
    pub series: Vec<Series>,
    pub unit: &'static str,
    pub summary: String,
}

/// Status class colours (Tailwind's emerald, sky, amber, red and slate).
const CLASS_COLORS: [&str; 5] = ["#10b981", "#0ea5e9", "#f59e0b", "#ef4444", "#94a3b8"];

/// The time labels of a traffic's points, in UTC.
fn labels(t: &Traffic) -> Vec<String> {
    let multi_day = (t.window.to - t.window.from).num_seconds() > 86_400;
    t.points
        .iter()
        .map(|p| time_label(p.at, t.window.step_secs, multi_day))
        .collect()
}

/// "from Nov 26 14:00 to Nov 27 14:00 UTC"
fn span(t: &Traffic) -> String {
    let f = "%b %-d %H:%M";
    format!(
        "from {} to {} UTC",
        t.window.from.format(f),
        t.window.to.format(f)
    )
}

impl ChartSpec {
    /// Requests per time step, stacked by status class (2xx, 3xx, 4xx, 5xx, other).
    pub fn requests(t: &Traffic) -> Self {
        let series = StatusClass::ALL
            .iter()
            .enumerate()
            .map(|(i, class)| Series {
                label: class.label(),
                color: CLASS_COLORS[i],
                values: t
                    .points
                    .iter()
                    .map(|p| Some(p.by_class[i] as f64))
                    .collect(),
            })
            .collect();
        let totals = &t.totals;
        Self {
            title: "Requests",
            shape: Shape::StackedBars,
            labels: labels(t),
            series,
            unit: "requests",
            summary: format!(
                "{} requests, {} errors, {}.",
                count(totals.requests),
                count(totals.errors),
                span(t)
            ),
        }
    }

    /// The share of 4xx and 5xx answers per time step, in per cent.
    pub fn error_rate(t: &Traffic) -> Self {
        let values = t
            .points
            .iter()
            .map(|p| p.error_rate().map(|r| (r * 1000.0).round() / 10.0))
            .collect();
        Self {
            title: "Error rate",
            shape: Shape::Lines,
            labels: labels(t),
            series: vec![Series {
                label: "errors %",
                color: CLASS_COLORS[3],
                values,
            }],
            unit: "%",
            summary: format!("Error rate {} {}.", percent(t.totals.error_rate()), span(t)),
        }
    }

    /// Latency quantiles per time step, in milliseconds.
    pub fn latency(t: &Traffic) -> Self {
        let round = |v: Option<f64>| v.map(|v| (v * 100.0).round() / 100.0);
        let series = [("p50", "#6366f1"), ("p95", "#a855f7"), ("p99", "#ec4899")]
            .into_iter()
            .map(|(label, color)| Series {
                label,
                color,
                values: t
                    .points
                    .iter()
                    .map(|p| {
                        round(match label {
                            "p50" => p.p50_ms,
                            "p95" => p.p95_ms,
                            _ => p.p99_ms,
                        })
                    })
                    .collect(),
            })
            .collect();
        let totals = &t.totals;
        Self {
            title: "Latency",
            shape: Shape::Lines,
            labels: labels(t),
            series,
            unit: "ms",
            summary: format!(
                "Latency p50 {}, p95 {}, p99 {}, {}.",
                ms(totals.p50_ms),
                ms(totals.p95_ms),
                ms(totals.p99_ms),
                span(t)
            ),
        }
    }

    /// The Chart.js configuration (`new Chart(canvas, config)`): no animation, a legend below,
    /// a tooltip with every series of the hovered step, and the unit on the y axis.
    pub fn config(&self) -> Value {
        let stacked = self.shape == Shape::StackedBars;
        let datasets: Vec<Value> = self
            .series
            .iter()
            .map(|s| {
                let mut d = json!({
                    "label": s.label,
                    "data": s.values,
                    "backgroundColor": s.color,
                    "borderColor": s.color,
                });
                if stacked {
                    d["stack"] = json!("status");
                } else {
                    d["borderWidth"] = json!(2);
                    d["pointRadius"] = json!(0);
                    d["pointHitRadius"] = json!(6);
                    d["spanGaps"] = json!(false);
                }
                d
            })
            .collect();
        json!({
            "type": if stacked { "bar" } else { "line" },
            "data": { "labels": self.labels, "datasets": datasets },
            "options": {
                "responsive": true,
                "maintainAspectRatio": false,
                "animation": false,
                "interaction": { "mode": "index", "intersect": false },
                "plugins": {
                    "legend": { "position": "bottom", "labels": { "boxWidth": 12 } },
                    "title": { "display": false },
                },
                "scales": {
                    "x": {
                        "stacked": stacked,
                        "grid": { "display": false },
                        "ticks": { "autoSkip": true, "maxTicksLimit": 8, "maxRotation": 0 },
                    },
                    "y": {
                        "stacked": stacked,
                        "beginAtZero": true,
                        "title": { "display": true, "text": self.unit },
                    },
                },
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Duration, Utc};

    use super::*;
    use crate::domain::analytics::report::{Point, Totals};
    use crate::domain::analytics::window::{Source, Window};

    fn traffic() -> Traffic {
        let from: DateTime<Utc> = "2026-11-27T12:00:00Z".parse().unwrap();
        let point = |i: i64, by_class: [i64; 5], p50: Option<f64>| Point {
            at: from + Duration::minutes(i),
            by_class,
            p50_ms: p50,
            p95_ms: p50.map(|v| v * 2.0),
            p99_ms: p50.map(|v| v * 3.0),
        };
        Traffic {
            window: Window {
                from,
                to: from + Duration::minutes(3),
                step_secs: 60,
                source: Source::Minutes,
            },
            points: vec![
                point(0, [3, 0, 1, 0, 0], Some(1.234)),
                point(1, [0; 5], None),
                point(2, [1, 1, 0, 2, 0], Some(10.0)),
            ],
            totals: Totals {
                requests: 8,
                errors: 3,
                p50_ms: Some(2.0),
                p95_ms: Some(9.0),
                p99_ms: Some(10.0),
                ..Default::default()
            },
            by_status: vec![],
        }
    }

    #[test]
    fn requests_stack_by_status_class_and_sum_to_the_totals() {
        let spec = ChartSpec::requests(&traffic());
        assert_eq!(spec.labels, ["12:00", "12:01", "12:02"]);
        let labels: Vec<_> = spec.series.iter().map(|s| s.label).collect();
        assert_eq!(labels, ["2xx", "3xx", "4xx", "5xx", "other"]);
        let sum: f64 = spec.series.iter().flat_map(|s| &s.values).flatten().sum();
        assert_eq!(sum, 8.0);
        assert_eq!(
            spec.summary,
            "8 requests, 3 errors, from Nov 27 12:00 to Nov 27 12:03 UTC."
        );
        let c = spec.config();
        assert_eq!(c["type"], "bar");
        assert_eq!(c["options"]["scales"]["y"]["stacked"], true);
        assert_eq!(c["options"]["plugins"]["legend"]["position"], "bottom");
        let datasets = c["data"]["datasets"].as_array().unwrap();
        assert_eq!(datasets.len(), 5);
        assert_eq!(datasets[0]["data"], json!([3.0, 0.0, 1.0]));
        assert_eq!(datasets[3]["stack"], "status");
    }

    #[test]
    fn error_rates_are_per_cent_with_gaps_where_nothing_came_in() {
        let spec = ChartSpec::error_rate(&traffic());
        assert_eq!(spec.series[0].values, [Some(25.0), None, Some(50.0)]);
        assert_eq!(spec.unit, "%");
        assert!(spec.summary.starts_with("Error rate 37.5 % from"));
        let c = spec.config();
        assert_eq!(c["type"], "line");
        assert_eq!(c["data"]["datasets"][0]["data"], json!([25.0, null, 50.0]));
        assert_eq!(c["options"]["scales"]["y"]["title"]["text"], "%");
    }

    #[test]
    fn latency_draws_three_quantiles_in_milliseconds() {
        let spec = ChartSpec::latency(&traffic());
        let labels: Vec<_> = spec.series.iter().map(|s| s.label).collect();
        assert_eq!(labels, ["p50", "p95", "p99"]);
        assert_eq!(spec.series[0].values, [Some(1.23), None, Some(10.0)]);
        assert_eq!(spec.series[2].values, [Some(3.7), None, Some(30.0)]);
        assert_eq!(
            spec.summary,
            "Latency p50 2.0 ms, p95 9.0 ms, p99 10.0 ms, from Nov 27 12:00 to Nov 27 12:03 UTC."
        );
        assert_eq!(spec.config()["options"]["scales"]["x"]["stacked"], false);
    }

    #[test]
    fn long_windows_label_points_with_their_day() {
        let mut t = traffic();
        t.window.to = t.window.from + Duration::days(7);
        t.window.step_secs = 3_600;
        assert_eq!(ChartSpec::requests(&t).labels[0], "Nov 27 12:00");
    }
}
