//! Latency histograms with fixed logarithmic buckets: one per rollup row, merged by adding
//! counts element-wise (in Rust, and in SQL by `analytics_hist_sum`), read as quantiles.
//!
//! Bucket `i < LAST` holds latencies up to `100 µs × 2^(i/2)`: 40 half-octave buckets from
//! 100 µs to 74 s, and `LAST` everything slower. A quantile falls inside one bucket and is
//! interpolated there, so it is off by at most the bucket's width (a factor √2 ≈ 1.41), and
//! in practice by much less; Prometheus' default buckets are coarser.

use serde::{Deserialize, Serialize};

/// Number of buckets, the overflow bucket included.
pub const BUCKETS: usize = 41;
/// The overflow bucket: slower than `upper_us(LAST - 1)`.
pub const LAST: usize = BUCKETS - 1;
const FIRST_US: f64 = 100.0;

/// The upper bound of bucket `i` in microseconds (`None` for the overflow bucket).
pub fn upper_us(i: usize) -> Option<f64> {
    (i < LAST).then(|| FIRST_US * 2f64.powf(i as f64 / 2.0))
}

/// The lower bound of bucket `i` in microseconds.
pub fn lower_us(i: usize) -> f64 {
    match i {
        0 => 0.0,
        i => FIRST_US * 2f64.powf((i - 1) as f64 / 2.0),
    }
}

/// The bucket a latency falls in.
pub fn bucket(latency_us: u64) -> usize {
    if latency_us as f64 <= FIRST_US {
        return 0;
    }
    let steps = 2.0 * (latency_us as f64 / FIRST_US).log2();
    // Rounding guards against 2^(i/2) landing a hair above an exact bound.
    let i = (steps - 1e-9).ceil() as usize;
    i.min(LAST)
}

/// Counts per bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Histogram(pub Vec<i64>);

impl Default for Histogram {
    fn default() -> Self {
        Self(vec![0; BUCKETS])
    }
}

impl Histogram {
    pub fn observe(&mut self, latency_us: u64) {
        self.0[bucket(latency_us)] += 1;
    }

    /// Adds another histogram's counts (missing buckets count as zero).
    pub fn merge(&mut self, other: &[i64]) {
        if self.0.len() < other.len() {
            self.0.resize(other.len(), 0);
        }
        for (a, b) in self.0.iter_mut().zip(other) {
            *a += b;
        }
    }

    pub fn count(&self) -> i64 {
        self.0.iter().sum()
    }

    /// The latency in microseconds below which a share `q` (0..=1) of the requests fall,
    /// interpolated within its bucket; `None` when the histogram is empty.
    pub fn quantile_us(&self, q: f64) -> Option<f64> {
        let total = self.count();
        if total <= 0 {
            return None;
        }
        let rank = (q.clamp(0.0, 1.0) * total as f64).max(1.0);
        let mut before = 0.0;
        for (i, &n) in self.0.iter().enumerate() {
            let n = n as f64;
            if n > 0.0 && before + n >= rank {
                let low = lower_us(i);
                let Some(high) = upper_us(i) else {
                    return Some(low);
                };
                return Some(low + (high - low) * (rank - before) / n);
            }
            before += n;
        }
        Some(lower_us(LAST))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_half_octaves_from_100_microseconds() {
        assert_eq!(bucket(0), 0);
        assert_eq!(bucket(100), 0);
        assert_eq!(bucket(101), 1);
        assert_eq!(bucket(141), 1);
        assert_eq!(bucket(142), 2);
        assert_eq!(bucket(200), 2);
        assert_eq!(bucket(1_000), 7);
        assert_eq!(bucket(74_000_000), 39);
        assert_eq!(bucket(75_000_000), LAST);
        assert_eq!(bucket(u64::MAX), LAST);
        for i in 0..LAST {
            let up = upper_us(i).unwrap();
            assert_eq!(bucket(up.floor() as u64), i, "bucket {i}");
            assert!(lower_us(i) < up);
        }
        assert_eq!(upper_us(LAST), None);
    }

    #[test]
    fn quantiles_land_within_a_bucket_of_the_truth() {
        let mut h = Histogram::default();
        // 1..=10,000 µs, evenly.
        for us in 1..=10_000 {
            h.observe(us);
        }
        for (q, truth) in [(0.5, 5_000.0), (0.95, 9_500.0), (0.99, 9_900.0)] {
            let got = h.quantile_us(q).unwrap();
            assert!(
                got / truth < 1.42 && truth / got < 1.42,
                "q{q}: {got} vs {truth}"
            );
        }
        assert_eq!(Histogram::default().quantile_us(0.5), None);
    }

    #[test]
    fn merging_adds_counts_and_slow_requests_report_the_overflow_bound() {
        let mut a = Histogram::default();
        a.observe(500);
        let mut b = Histogram::default();
        b.observe(500);
        b.observe(100_000_000);
        a.merge(&b.0);
        assert_eq!(a.count(), 3);
        assert_eq!(a.0[bucket(500)], 2);
        assert_eq!(a.quantile_us(1.0), Some(lower_us(LAST)));
        // A shorter stored array (fewer buckets) merges as zeros.
        a.merge(&[1]);
        assert_eq!(a.0[0], 1);
    }
}
