//! The Log Analyzer's CSV export: RFC 4180 lines, with every text cell that a spreadsheet would
//! read as a formula defused.
//!
//! Paths, failure codes and labels come from the network or from users, so a cell starting with
//! `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'` (OWASP's advice against CSV
//! injection); spreadsheets then show it as text. Numbers and times are written by us and left
//! as they are.

use super::log::LogRow;

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

#[cfg(test)]
mod tests {
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
