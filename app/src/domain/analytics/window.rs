//! The time a chart or a log search covers, and the bucket size its chart uses.
//!
//! Presets (1 h, 24 h, 7 d, 30 d) end now; a custom window has both ends. The bucket size is
//! picked so that a chart has at most `MAX_POINTS` points, from a fixed ladder of steps that
//! divide an hour or a day, and the table read follows from it: minute rollups below one hour
//! per point (and within their retention), hour rollups otherwise.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::FieldError;

/// A chart holds at most this many points per series.
pub const MAX_POINTS: i64 = 200;
/// The longest custom window: the hour rollups' default retention.
pub const MAX_SPAN_DAYS: i64 = 400;

/// The range picker's choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Preset {
    Hour,
    Day,
    Week,
    Month,
}

impl Preset {
    pub const ALL: [Preset; 4] = [Preset::Hour, Preset::Day, Preset::Week, Preset::Month];

    pub fn span(self) -> Duration {
        match self {
            Preset::Hour => Duration::hours(1),
            Preset::Day => Duration::hours(24),
            Preset::Week => Duration::days(7),
            Preset::Month => Duration::days(30),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Preset::Hour => "1 h",
            Preset::Day => "24 h",
            Preset::Week => "7 d",
            Preset::Month => "30 d",
        }
    }
}

/// What the user asked for: a preset ending now, or both ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Range {
    Last(Preset),
    Custom {
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    },
}

impl Default for Range {
    fn default() -> Self {
        Range::Last(Preset::Day)
    }
}

/// Which rollup a chart reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Source {
    Minutes,
    Hours,
}

/// A checked window `[from, to)` and its chart step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Seconds per chart point.
    pub step_secs: i64,
    pub source: Source,
}

/// Steps a chart may use, in seconds: each divides the next larger hour or day evenly.
const STEPS: [i64; 10] = [
    60, 300, 600, 1_800, 3_600, 10_800, 21_600, 43_200, 86_400, 604_800,
];

impl Range {
    /// The window this range means at `now`, with minute rollups kept `minute_days` days.
    pub fn window(self, now: DateTime<Utc>, minute_days: i64) -> Result<Window, FieldError> {
        let (from, to) = match self {
            Range::Last(p) => (now - p.span(), now),
            Range::Custom { from, to } => {
                if to <= from {
                    return Err(FieldError::new("to", "The end must be after the start."));
                }
                if to - from > Duration::days(MAX_SPAN_DAYS) {
                    return Err(FieldError::new(
                        "to",
                        format!("A window covers at most {MAX_SPAN_DAYS} days."),
                    ));
                }
                (from, to)
            }
        };
        let span = (to - from).num_seconds().max(1);
        let step_secs = STEPS
            .into_iter()
            .find(|s| span / s <= MAX_POINTS)
            .unwrap_or(STEPS[STEPS.len() - 1]);
        let minutes_kept = from >= now - Duration::days(minute_days);
        let source = if step_secs < 3_600 && minutes_kept {
            Source::Minutes
        } else {
            Source::Hours
        };
        // Hour rollups cannot draw finer than an hour.
        let (step_secs, grain) = match source {
            Source::Hours => (step_secs.max(3_600), 3_600),
            Source::Minutes => (step_secs, 60),
        };
        // A rollup row counts when its minute (hour) starts inside the window: starting the
        // window at a whole one keeps the first, partly elapsed one in the chart.
        let from =
            DateTime::from_timestamp(from.timestamp().div_euclid(grain) * grain, 0).unwrap_or(from);
        Ok(Window {
            from,
            to,
            step_secs,
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-11-27T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn presets_pick_steps_that_keep_charts_under_200_points() {
        let cases = [
            (Preset::Hour, 60, Source::Minutes),
            (Preset::Day, 600, Source::Minutes),
            (Preset::Week, 3_600, Source::Hours),
            (Preset::Month, 21_600, Source::Hours),
        ];
        for (preset, step, source) in cases {
            let w = Range::Last(preset).window(now(), 30).unwrap();
            assert_eq!((w.step_secs, w.source), (step, source), "{preset:?}");
            assert_eq!(w.to, now());
            assert_eq!(w.to - w.from, preset.span());
            assert!((w.to - w.from).num_seconds() / w.step_secs <= MAX_POINTS);
        }
    }

    #[test]
    fn windows_start_at_a_whole_minute_or_hour() {
        let now: DateTime<Utc> = "2026-11-27T12:34:56Z".parse().unwrap();
        let w = Range::Last(Preset::Hour).window(now, 30).unwrap();
        assert_eq!(
            w.from,
            "2026-11-27T11:34:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        let w = Range::Last(Preset::Week).window(now, 30).unwrap();
        assert_eq!(
            w.from,
            "2026-11-20T12:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert_eq!(w.to, now);
    }

    #[test]
    fn custom_windows_are_checked_and_old_ones_read_hours() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let back = Range::Custom {
            from: at("2026-11-27T12:00:00Z"),
            to: at("2026-11-27T11:00:00Z"),
        };
        assert_eq!(back.window(now(), 30).unwrap_err().field, "to");
        let equal = Range::Custom {
            from: now(),
            to: now(),
        };
        assert!(equal.window(now(), 30).is_err());
        let long = Range::Custom {
            from: now() - Duration::days(401),
            to: now(),
        };
        assert!(long.window(now(), 30).unwrap_err().message.contains("400"));
        let longest = Range::Custom {
            from: now() - Duration::days(400),
            to: now(),
        };
        let w = longest.window(now(), 30).unwrap();
        assert_eq!((w.step_secs, w.source), (604_800, Source::Hours));
        // An hour of two months ago: the minutes are gone, so hours it is.
        let old = Range::Custom {
            from: now() - Duration::days(60),
            to: now() - Duration::days(60) + Duration::hours(1),
        };
        let w = old.window(now(), 30).unwrap();
        assert_eq!((w.step_secs, w.source), (3_600, Source::Hours));
    }
}
