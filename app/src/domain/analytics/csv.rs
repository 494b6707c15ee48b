//! The Log Analyzer's CSV export: RFC 4180 lines, with every text cell that a spreadsheet would
//! read as a formula defused.
//!
//! Paths, failure codes and labels come from the network or from users, so a cell starting with
//! `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'` (OWASP's advice against CSV
//! injection); spreadsheets then show it as text. Numbers and times are written by us and left
//! as they are.

use chrono::{DateTime, Utc};

use super::log::{LogQuery, LogRow};
use super::window::{Preset, Range};
use crate::domain::FieldError;
use crate::domain::refs::VersionRef;

/// The most rows one export holds; the file ends with a line saying so when it is cut there.
pub const MAX_EXPORT_ROWS: u64 = 1_000_000;

/// The header line.
pub const HEADER: &str = "time,id,api,client,plan,method,path,status,latency_ms,bytes_in,bytes_out,client_ip,key_hint,failure\r\n";

/// The line that ends an export cut at `MAX_EXPORT_ROWS`.
pub fn truncated_line() -> String {
    format!("# cut at {MAX_EXPORT_ROWS} rows: narrow the window or the filter\r\n")
}

/// A text cell: defused when a spreadsheet would run it, then quoted when it holds a comma,
/// a quote or a line break.
pub fn cell(text: &str) -> String {
    let defused = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if defused.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

fn opt(text: &Option<String>) -> String {
    text.as_deref().map(cell).unwrap_or_default()
}

/// One CSV line (with its CRLF) for a log row.
pub fn line(row: &LogRow) -> String {
    let cells = [
        row.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        row.id.to_string(),
        cell(&row.api),
        opt(&row.client),
        opt(&row.plan),
        cell(&row.method),
        cell(&row.path),
        row.status.to_string(),
        format!("{:.3}", row.latency_ms),
        row.bytes_in.to_string(),
        row.bytes_out.to_string(),
        opt(&row.client_ip),
        opt(&row.key_hint),
        opt(&row.failure),
    ];
    let mut out = cells.join(",");
    out.push_str("\r\n");
    out
}

/// Where the export is served (`api::analytics::export`).
pub const EXPORT_PATH: &str = "/api/analytics/export.csv";

/// A range as the export's `range` parameter names it (`from` and `to` beside it when custom).
pub fn range_param(range: &Range) -> &'static str {
    match range {
        Range::Last(Preset::Hour) => "1h",
        Range::Last(Preset::Day) => "24h",
        Range::Last(Preset::Week) => "7d",
        Range::Last(Preset::Month) => "30d",
        Range::Custom { .. } => "custom",
    }
}

/// The range the export's `range`, `from` and `to` parameters name (`from` and `to` as RFC 3339
/// times, for "custom" only); a missing `range` means the default, 24 h.
pub fn parse_range(range: &str, from: &str, to: &str) -> Result<Range, FieldError> {
    let time = |field: &str, text: &str| {
        DateTime::parse_from_rfc3339(text.trim())
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| FieldError::new(field, "Enter a time like 2026-11-27T12:00:00Z."))
    };
    match range.trim() {
        "" => Ok(Range::default()),
        "custom" => Ok(Range::Custom {
            from: time("from", from)?,
            to: time("to", to)?,
        }),
        other => Preset::ALL
            .into_iter()
            .map(Range::Last)
            .find(|r| range_param(r) == other)
            .ok_or_else(|| FieldError::new("range", "Pick 1h, 24h, 7d, 30d or custom.")),
    }
}

/// The export's address for the log of `api` (or of all of `org`'s API versions) over `range`,
/// with the Log Analyzer's filter.
pub fn export_url(org: &str, api: Option<&VersionRef>, range: &Range, query: &LogQuery) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    match api {
        Some(api) => q
            .append_pair("scope", "api")
            .append_pair("org", &api.org)
            .append_pair("api", &api.id)
            .append_pair("version", &api.version),
        None => q.append_pair("scope", "org").append_pair("org", org),
    };
    q.append_pair("range", range_param(range));
    if let Range::Custom { from, to } = range {
        q.append_pair("from", &from.to_rfc3339());
        q.append_pair("to", &to.to_rfc3339());
    }
    if let Some(client) = query.client {
        q.append_pair("client", &client.to_string());
    }
    if let Some(plan) = query.plan {
        q.append_pair("plan", &plan.to_string());
    }
    for (name, value) in [
        ("status", &query.status),
        ("method", &query.method),
        ("path", &query.path_contains),
        ("failure", &query.failure),
    ] {
        if !value.trim().is_empty() {
            q.append_pair(name, value);
        }
    }
    format!("{EXPORT_PATH}?{}", q.finish())
}

#[cfg(test)]
mod tests {
    #[test]
    fn ranges_round_trip_through_the_export_address() {
        for r in Preset::ALL.map(Range::Last) {
            assert_eq!(parse_range(range_param(&r), "", ""), Ok(r));
        }
        assert_eq!(parse_range("", "", ""), Ok(Range::default()));
        assert_eq!(parse_range("1y", "", "").unwrap_err().field, "range");
        assert_eq!(
            parse_range("custom", "yesterday", "").unwrap_err().field,
            "from"
        );
        assert_eq!(
            parse_range("custom", "2026-11-27T10:00:00Z", "")
                .unwrap_err()
                .field,
            "to"
        );
        let custom = parse_range(
            "custom",
            "2026-11-27T10:00:00Z",
            "2026-11-27T12:00:00+01:00",
        )
        .expect("custom");
        let url = export_url("o", None, &custom, &LogQuery::default());
        assert!(url.starts_with("/api/analytics/export.csv?scope=org&org=o&range=custom&from="));
        assert!(
            url.contains("to=2026-11-27T11%3A00%3A00%2B00%3A00"),
            "{url}"
        );
    }

    #[test]
    fn the_export_address_encodes_every_filter() {
        let api = VersionRef::new("o", "a", "1.0");
        let query = LogQuery {
            client: Some(3),
            plan: None,
            status: "4xx".into(),
            method: String::new(),
            path_contains: "/a&b=c d".into(),
            failure: "10005".into(),
        };
        let url = export_url("o", Some(&api), &Range::default(), &query);
        assert_eq!(
            url,
            "/api/analytics/export.csv?scope=api&org=o&api=a&version=1.0&range=24h&client=3\
             &status=4xx&path=%2Fa%26b%3Dc+d&failure=10005"
        );
    }

    use super::*;

    #[test]
    fn cells_are_quoted_only_when_needed() {
        assert_eq!(cell("/users"), "/users");
        assert_eq!(cell("/a,b"), "\"/a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("a\nb"), "\"a\nb\"");
        assert_eq!(cell(""), "");
    }

    #[test]
    fn formulas_are_defused() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\tx"), "'\tx");
        assert_eq!(cell("\rx"), "\"'\rx\"");
        assert_eq!(cell("a=b"), "a=b");
    }

    #[test]
    fn a_line_has_every_column_of_the_header() {
        let row = LogRow {
            id: 7,
            at: "2026-11-27T11:00:00Z".parse().expect("time"),
            api: "o/a/1".into(),
            client: None,
            plan: Some("Gold, 1.0".into()),
            method: "GET".into(),
            path: "=cmd|' /C calc'!A0".into(),
            status: 200,
            latency_ms: 1.5,
            bytes_in: 1,
            bytes_out: 2,
            client_ip: Some("10.0.0.1".into()),
            key_hint: Some("abcd…".into()),
            failure: None,
        };
        let l = line(&row);
        assert_eq!(
            l,
            "2026-11-27T11:00:00.000Z,7,o/a/1,,\"Gold, 1.0\",GET,'=cmd|' /C calc'!A0,200,1.500,1,2,10.0.0.1,abcd…,\r\n"
        );
        assert_eq!(HEADER.split(',').count(), 14);
        assert!(truncated_line().contains("1000000"));
    }
}
