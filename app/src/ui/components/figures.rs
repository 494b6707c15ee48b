//! How analytics figures read: counts with thousands separators, milliseconds, percentages and
//! chart times (always UTC).

use chrono::{DateTime, Utc};

/// `1234567` → "1,234,567".
pub fn count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A count of unsigned limits: "10,000".
pub fn count_u(n: u64) -> String {
    count(i64::try_from(n).unwrap_or(i64::MAX))
}

/// A latency: "0.42 ms", "12.3 ms", "1,204 ms"; "–" when there were no requests.
pub fn ms(v: Option<f64>) -> String {
    match v {
        None => "–".to_string(),
        Some(v) if v < 1.0 => format!("{v:.2} ms"),
        Some(v) if v < 100.0 => format!("{v:.1} ms"),
        Some(v) => format!("{} ms", count(v.round() as i64)),
    }
}

/// A share 0..=1 as a percentage: "0 %", "2.5 %", "100 %"; "–" without requests.
pub fn percent(rate: Option<f64>) -> String {
    match rate {
        None => "–".to_string(),
        Some(r) => {
            let p = r * 100.0;
            if p == p.round() {
                format!("{p:.0} %")
            } else {
                format!("{p:.1} %")
            }
        }
    }
}

/// A share of `part` in `whole`, as `percent` shows it.
pub fn share(part: i64, whole: i64) -> String {
    percent((whole > 0).then(|| part as f64 / whole as f64))
}

/// A chart's time label: "14:05" within a day, "Nov 27 14:00" across days at hourly steps,
/// "Nov 27" at steps of a day or more.
pub fn time_label(at: DateTime<Utc>, step_secs: i64, multi_day: bool) -> String {
    if step_secs >= 86_400 {
        at.format("%b %-d").to_string()
    } else if multi_day {
        at.format("%b %-d %H:%M").to_string()
    } else {
        at.format("%H:%M").to_string()
    }
}

/// A moment in tables and detail views: "2026-11-27 14:05:09 UTC".
pub fn moment(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_get_thousands_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1_000), "1,000");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(count(-12_345), "-12,345");
        assert_eq!(count_u(u64::MAX), count(i64::MAX));
    }

    #[test]
    fn latencies_and_rates_read_short() {
        assert_eq!(ms(None), "–");
        assert_eq!(ms(Some(0.4242)), "0.42 ms");
        assert_eq!(ms(Some(12.34)), "12.3 ms");
        assert_eq!(ms(Some(1_204.4)), "1,204 ms");
        assert_eq!(percent(None), "–");
        assert_eq!(percent(Some(0.0)), "0 %");
        assert_eq!(percent(Some(0.025)), "2.5 %");
        assert_eq!(percent(Some(1.0)), "100 %");
        assert_eq!(share(1, 3), "33.3 %");
        assert_eq!(share(1, 0), "–");
    }

    #[test]
    fn time_labels_fit_the_step() {
        let at: DateTime<Utc> = "2026-11-07T04:05:00Z".parse().unwrap();
        assert_eq!(time_label(at, 60, false), "04:05");
        assert_eq!(time_label(at, 3_600, true), "Nov 7 04:05");
        assert_eq!(time_label(at, 86_400, true), "Nov 7");
        assert_eq!(moment(at), "2026-11-07 04:05:00 UTC");
    }
}
