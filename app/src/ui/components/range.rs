//! The range picker of the Metrics, Logs and Usage pages: 1 h, 24 h, 7 d, 30 d or Custom (two
//! UTC date-times). The choice lives in the URL (`?range=24h`,
//! `?range=custom&from=2026-11-27T10:00:00Z&to=…`), so reload, back and shared links keep it;
//! the CSV export takes the same parameters.

use chrono::{DateTime, Duration, NaiveDateTime, SecondsFormat, Utc};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};

use super::form::FieldErrors;
use crate::domain::FieldError;
use crate::domain::analytics::csv;
use crate::domain::analytics::window::{Preset, Range};
use crate::error::AppError;

fn moment_param(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The query parameters of a range, in the order the URL shows them (the export's own names,
/// `csv::range_param`).
pub fn range_params(range: &Range) -> Vec<(&'static str, String)> {
    let mut params = vec![("range", csv::range_param(range).to_string())];
    if let Range::Custom { from, to } = range {
        params.push(("from", moment_param(*from)));
        params.push(("to", moment_param(*to)));
    }
    params
}

/// Checks a custom window with the server's own rule (end after start, at most 400 days).
pub fn check_custom(from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Range, FieldError> {
    let range = Range::Custom { from, to };
    // The rule does not depend on "now"; only the choice of rollup does.
    range.window(to, 1).map(|_| range)
}

/// The range a URL asks for, read as the CSV export reads it: a preset (24 h when missing or
/// unknown), or a custom window whose ends must be RFC 3339 times and pass `check_custom`.
pub fn parse_range(
    range: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Range, FieldError> {
    let (from, to) = (from.unwrap_or(""), to.unwrap_or(""));
    match csv::parse_range(range.unwrap_or(""), from, to) {
        Ok(Range::Custom { from, to }) => check_custom(from, to),
        Ok(preset) => Ok(preset),
        Err(e) if e.field == "range" => Ok(Range::default()),
        Err(e) => Err(e),
    }
}

/// The value of a `datetime-local` input for a UTC time: "2026-11-27T10:00".
pub fn input_value(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M").to_string()
}

/// A `datetime-local` input's text read as UTC.
pub fn read_input(field: &str, text: &str, what: &str) -> Result<DateTime<Utc>, FieldError> {
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
        .into_iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text.trim(), f).ok())
        .map(|t| t.and_utc())
        .ok_or_else(|| FieldError::new(field, format!("Enter the {what} date and time (UTC).")))
}

/// The time now. In the browser from `Date.now()`: chrono's clock has no source on
/// `wasm32-unknown-unknown` without its `wasmbind` feature (and panics).
fn now() -> DateTime<Utc> {
    #[cfg(feature = "hydrate")]
    {
        DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        Utc::now()
    }
}

/// The range in the current URL, or why its custom window is not one.
pub fn use_range() -> Memo<Result<Range, FieldError>> {
    let query = use_query_map();
    Memo::new(move |_| {
        query.with(|q| parse_range(q.get_str("range"), q.get_str("from"), q.get_str("to")))
    })
}

/// Fetches with the URL's range, or nothing (`None`) when its custom window is not one: the
/// picker shows why at its field.
pub async fn in_range<T, F, Fut>(
    range: Result<Range, FieldError>,
    fetch: F,
) -> Result<Option<T>, AppError>
where
    F: FnOnce(Range) -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    match range {
        Ok(r) => fetch(r).await.map(Some),
        Err(_) => Ok(None),
    }
}

/// The current page with `range`'s parameters in place of the old ones (others kept).
fn url_with(path: &str, others: Vec<(String, String)>, range: &Range) -> String {
    let pairs: Vec<(String, String)> = others
        .into_iter()
        .filter(|(k, _)| !matches!(k.as_str(), "range" | "from" | "to"))
        .chain(
            range_params(range)
                .into_iter()
                .map(|(k, v)| (k.to_string(), v)),
        )
        .collect();
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("{path}?{query}")
}

const BUTTON: &str = "border border-slate-300 px-3 py-1.5 text-sm font-medium first:rounded-l-md last:rounded-r-md -ml-px first:ml-0";
const ON: &str = "bg-indigo-600 border-indigo-600 text-white relative z-10";
const OFF: &str = "bg-white text-slate-700 hover:bg-slate-50";
const INPUT: &str = "mt-1 block rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm shadow-sm aria-[invalid=true]:border-red-400";

/// The picker. Choosing a preset changes the URL at once; Custom opens two inputs and Apply.
#[component]
pub fn RangePicker() -> impl IntoView {
    let range = use_range();
    let location = use_location();
    let navigate = use_navigate();
    let go = move |r: Range| {
        let others = location.query.with_untracked(|q| {
            q.clone()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect()
        });
        let url = url_with(&location.pathname.get_untracked(), others, &r);
        navigate(
            &url,
            NavigateOptions {
                scroll: false,
                ..Default::default()
            },
        );
    };
    let is_custom = move || range.with(|r| !matches!(r, Ok(Range::Last(_))));
    let custom_open = RwSignal::new(false);
    let (from, to) = range.with_untracked(|r| match r {
        Ok(Range::Custom { from, to }) => (input_value(*from), input_value(*to)),
        _ => (String::new(), String::new()),
    });
    let (from, to) = (RwSignal::new(from), RwSignal::new(to));
    let errors = RwSignal::new(FieldErrors::new());
    let open_custom = move |_| {
        if from.with_untracked(String::is_empty) {
            let now = now();
            from.set(input_value(now - Duration::hours(24)));
            to.set(input_value(now));
        }
        custom_open.set(true);
    };
    let go_apply = go.clone();
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.set(FieldErrors::new());
        let checked = read_input("from", &from.get_untracked(), "start")
            .and_then(|f| Ok((f, read_input("to", &to.get_untracked(), "end")?)))
            .and_then(|(f, t)| check_custom(f, t));
        match checked {
            Ok(r) => go_apply(r),
            Err(e) => errors.set(FieldErrors::from([(e.field, e.message)])),
        }
    };
    // A message at its field: from Apply, else from a custom window in the URL that is none.
    let message = move |field: &'static str| {
        errors.with(|e| e.get(field).cloned()).or_else(|| {
            range.with(|r| match r {
                Err(e) if e.field == field => Some(e.message.clone()),
                _ => None,
            })
        })
    };
    let field = move |name: &'static str, label: &'static str, value: RwSignal<String>| {
        view! {
            <label class="text-xs font-medium text-slate-600">
                {label}
                <input type="datetime-local" id=format!("range-{name}") class=INPUT
                    prop:value=move || value.get()
                    aria-invalid=move || message(name).is_some().to_string()
                    on:input=move |ev| value.set(event_target_value(&ev)) />
                {move || message(name).map(|m| view! {
                    <span class="mt-1 block text-sm font-normal text-red-600" data-field-error=name>{m}</span>
                })}
            </label>
        }
    };
    view! {
        <div class="mb-6 flex flex-wrap items-end gap-4" data-testid="range-picker">
            <div role="group" aria-label="Time range" class="inline-flex">
                {Preset::ALL.into_iter().map(|p| {
                    let go = go.clone();
                    let on = move || range.with(|r| *r == Ok(Range::Last(p)));
                    view! {
                        <button type="button" class=move || format!("{BUTTON} {}", if on() { ON } else { OFF })
                            aria-pressed=move || on().to_string()
                            on:click=move |_| { custom_open.set(false); go(Range::Last(p)) }>
                            {p.label()}
                        </button>
                    }
                }).collect_view()}
                <button type="button" class=move || format!("{BUTTON} {}", if is_custom() { ON } else { OFF })
                    aria-pressed=move || is_custom().to_string()
                    on:click=open_custom>"Custom"</button>
            </div>
            <Show when=move || custom_open.get() || is_custom()>
                <form class="flex flex-wrap items-start gap-3" on:submit=apply.clone()>
                    {field("from", "From (UTC)", from)}
                    {field("to", "To (UTC)", to)}
                    <button type="submit" class="btn-secondary mt-5">"Apply"</button>
                </form>
            </Show>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn presets_and_custom_windows_round_trip_through_the_url() {
        for p in Preset::ALL {
            let params = range_params(&Range::Last(p));
            assert_eq!(
                parse_range(Some(&params[0].1), None, None),
                Ok(Range::Last(p))
            );
        }
        let custom = Range::Custom {
            from: at("2026-11-27T10:00:00Z"),
            to: at("2026-11-27T12:30:00Z"),
        };
        let params = range_params(&custom);
        assert_eq!(
            params,
            [
                ("range", "custom".to_string()),
                ("from", "2026-11-27T10:00:00Z".to_string()),
                ("to", "2026-11-27T12:30:00Z".to_string())
            ]
        );
        assert_eq!(
            parse_range(Some("custom"), Some(&params[1].1), Some(&params[2].1)),
            Ok(custom)
        );
    }

    #[test]
    fn missing_or_unknown_presets_mean_24_hours() {
        assert_eq!(parse_range(None, None, None), Ok(Range::Last(Preset::Day)));
        assert_eq!(parse_range(Some("2y"), None, None), Ok(Range::default()));
    }

    #[test]
    fn bad_custom_windows_name_their_field() {
        let field = |from: Option<&str>, to: Option<&str>| {
            parse_range(Some("custom"), from, to).unwrap_err().field
        };
        assert_eq!(field(None, Some("2026-11-27T10:00:00Z")), "from");
        assert_eq!(field(Some("2026-11-27T10:00:00Z"), Some("yesterday")), "to");
        // The server's rules: the end after the start, at most 400 days.
        assert_eq!(
            field(Some("2026-11-27T10:00:00Z"), Some("2026-11-27T09:00:00Z")),
            "to"
        );
        let long = parse_range(
            Some("custom"),
            Some("2024-01-01T00:00:00Z"),
            Some("2026-01-01T00:00:00Z"),
        );
        assert!(long.unwrap_err().message.contains("400"));
    }

    #[test]
    fn inputs_read_as_utc_and_urls_keep_other_parameters() {
        assert_eq!(input_value(at("2026-11-27T10:05:59Z")), "2026-11-27T10:05");
        assert_eq!(
            read_input("from", "2026-11-27T10:05", "start"),
            Ok(at("2026-11-27T10:05:00Z"))
        );
        assert_eq!(read_input("from", "", "start").unwrap_err().field, "from");
        let url = url_with(
            "/orgs/A/metrics",
            vec![
                ("tab".into(), "x y".into()),
                ("range".into(), "7d".into()),
                ("from".into(), "old".into()),
            ],
            &Range::Last(Preset::Hour),
        );
        assert_eq!(url, "/orgs/A/metrics?tab=x+y&range=1h");
    }
}
