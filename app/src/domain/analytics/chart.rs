//! Turning rollup groups into a chart: one point per step of the window (empty steps as zeros),
//! the totals, and the counts by status, exactly as stored. The store reads the groups (one per
//! bucket and status); everything here is arithmetic.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::histogram::Histogram;
use super::report::{Point, StatusCount, Totals, Traffic, is_error};
use super::window::Window;

/// The "top" tables show this many rows.
pub const TOP: i64 = 10;

/// Requests of one status in one chart bucket, as the store sums them up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    /// The bucket's start (`date_bin` from the window's start).
    pub at: DateTime<Utc>,
    pub status: u16,
    pub requests: i64,
    pub bytes_in: i64,
    pub bytes_out: i64,
    /// The merged latency histogram.
    pub hist: Vec<i64>,
}

/// The start of every chart bucket of `window`: from its start, one step apart, before its end.
pub fn buckets(window: &Window) -> Vec<DateTime<Utc>> {
    let step = Duration::seconds(window.step_secs.max(1));
    let mut out = Vec::new();
    let mut at = window.from;
    while at < window.to {
        out.push(at);
        at += step;
    }
    out
}

/// The index of the bucket `at` falls in, if it is inside the window.
fn bucket_of(window: &Window, at: DateTime<Utc>) -> Option<usize> {
    if at < window.from || at >= window.to {
        return None;
    }
    let i = (at - window.from).num_seconds() / window.step_secs.max(1);
    usize::try_from(i).ok()
}

/// Traffic from the groups of a window: every bucket gets a point, zero when nothing came in;
/// groups outside the window are left out of everything.
pub fn traffic(window: Window, groups: &[Group]) -> Traffic {
    let starts = buckets(&window);
    let mut per_bucket: Vec<(Vec<(u16, i64)>, Histogram)> =
        vec![(Vec::new(), Histogram::default()); starts.len()];
    let mut by_status: BTreeMap<u16, i64> = BTreeMap::new();
    let mut all = Histogram::default();
    let mut totals = Totals::default();
    for g in groups {
        let Some(slot) = bucket_of(&window, g.at).and_then(|i| per_bucket.get_mut(i)) else {
            continue;
        };
        slot.0.push((g.status, g.requests));
        slot.1.merge(&g.hist);
        all.merge(&g.hist);
        *by_status.entry(g.status).or_default() += g.requests;
        totals.requests += g.requests;
        if is_error(g.status) {
            totals.errors += g.requests;
        }
        totals.bytes_in += g.bytes_in;
        totals.bytes_out += g.bytes_out;
    }
    let ms = |q| all.quantile_us(q).map(|us| us / 1000.0);
    totals.p50_ms = ms(0.5);
    totals.p95_ms = ms(0.95);
    totals.p99_ms = ms(0.99);
    let points = starts
        .into_iter()
        .zip(per_bucket)
        .map(|(at, (statuses, hist))| Point::new(at, &statuses, &hist))
        .collect();
    Traffic {
        window,
        points,
        totals,
        by_status: by_status
            .into_iter()
            .map(|(status, requests)| StatusCount { status, requests })
            .collect(),
    }
}

/// The label of a version that may have been deleted: its name when it still exists, else its
/// id, e.g. "#123 (deleted)".
pub fn version_label(name: Option<String>, id: i64) -> String {
    name.unwrap_or_else(|| format!("#{id} (deleted)"))
}

/// How "top" tables name traffic without a client (public APIs, unknown keys) or plan.
pub const NO_CLIENT: &str = "(no client)";
pub const NO_PLAN: &str = "(no plan)";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::analytics::histogram::bucket;
    use crate::domain::analytics::window::Source;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().expect("time")
    }

    fn window() -> Window {
        Window {
            from: at("2026-11-27T11:00:00Z"),
            to: at("2026-11-27T12:00:00Z"),
            step_secs: 600,
            source: Source::Minutes,
        }
    }

    fn group(t: &str, status: u16, requests: i64, latency_us: u64) -> Group {
        let mut h = Histogram::default();
        for _ in 0..requests {
            h.observe(latency_us);
        }
        Group {
            at: at(t),
            status,
            requests,
            bytes_in: requests * 10,
            bytes_out: requests * 100,
            hist: h.0,
        }
    }

    #[test]
    fn every_bucket_gets_a_point_and_empty_ones_are_zero() {
        let t = traffic(
            window(),
            &[
                group("2026-11-27T11:10:00Z", 200, 3, 1_000),
                group("2026-11-27T11:10:00Z", 503, 1, 1_000),
                group("2026-11-27T11:50:00Z", 404, 2, 1_000),
            ],
        );
        assert_eq!(t.points.len(), 6);
        assert_eq!(t.points[0].at, at("2026-11-27T11:00:00Z"));
        assert_eq!(t.points[5].at, at("2026-11-27T11:50:00Z"));
        let counts: Vec<i64> = t.points.iter().map(Point::requests).collect();
        assert_eq!(counts, vec![0, 4, 0, 0, 0, 2]);
        assert_eq!(t.points[1].by_class, [3, 0, 0, 1, 0]);
        assert_eq!(t.points[0].p50_ms, None);
        assert!(t.points[1].p50_ms.is_some());
        assert_eq!(t.totals.requests, 6);
        assert_eq!(t.totals.errors, 3);
        assert_eq!((t.totals.bytes_in, t.totals.bytes_out), (60, 600));
        let statuses: Vec<(u16, i64)> =
            t.by_status.iter().map(|s| (s.status, s.requests)).collect();
        assert_eq!(statuses, vec![(200, 3), (404, 2), (503, 1)]);
    }

    #[test]
    fn groups_outside_the_window_count_nowhere_and_quantiles_come_from_all_groups() {
        let t = traffic(
            window(),
            &[
                group("2026-11-27T10:59:00Z", 200, 5, 1_000),
                group("2026-11-27T12:00:00Z", 200, 5, 1_000),
                group("2026-11-27T11:00:00Z", 200, 99, 150),
                group("2026-11-27T11:30:00Z", 200, 1, 50_000_000),
            ],
        );
        assert_eq!(t.totals.requests, 100);
        let p50 = t.totals.p50_ms.expect("p50");
        assert!(p50 <= 0.2, "{p50}");
        let p99 = t.totals.p99_ms.expect("p99");
        assert!(p99 <= 0.2, "{p99}");
        let bucket_max = t.points[3].p99_ms.expect("slow point");
        assert!(bucket_max > 30_000.0, "{bucket_max}");
        assert_eq!(bucket(150), 2);
    }

    #[test]
    fn an_uneven_window_ends_with_a_short_bucket() {
        let w = Window {
            to: at("2026-11-27T11:25:00Z"),
            ..window()
        };
        assert_eq!(buckets(&w).len(), 3);
        assert_eq!(traffic(w, &[]).points.len(), 3);
    }

    #[test]
    fn deleted_versions_are_named_by_id() {
        assert_eq!(version_label(None, 123), "#123 (deleted)");
        assert_eq!(version_label(Some("a/b/1".into()), 123), "a/b/1");
    }
}
