//! IP Allow List and IP Block List: requests from listed addresses or CIDR ranges are the only
//! ones accepted (allow list) or are refused (block list).

use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use super::format::list_summary;
use super::{FieldError, FieldKind, FieldSpec, FormValues, form, form_of};

/// The response codes a refused request may get.
pub const RESPONSE_CODES: [u16; 3] = [403, 404, 500];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IpListConfig {
    /// Single IPv4/IPv6 addresses or CIDR ranges.
    pub ip_list: Vec<String>,
    /// A header holding the client address, like X-Forwarded-For; else the connection's address.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "form::opt_string"
    )]
    pub http_header: Option<String>,
    pub response_code: u16,
}

impl Default for IpListConfig {
    fn default() -> Self {
        Self {
            ip_list: Vec::new(),
            http_header: None,
            response_code: 403,
        }
    }
}

/// An entry as a network: a single address is a /32 or /128 network.
pub(super) fn network(entry: &str) -> Option<IpNet> {
    let entry = entry.trim();
    entry
        .parse::<IpNet>()
        .ok()
        .or_else(|| entry.parse::<IpAddr>().ok().map(IpNet::from))
}

fn check_entry(line: usize, entry: &str) -> Result<(), FieldError> {
    match network(entry) {
        Some(_) => Ok(()),
        None => Err(FieldError::new(
            "ip_list",
            format!(
                "Line {line}: \"{entry}\" is not an IP address or CIDR range; write one like 192.168.1.5 or 10.0.0.0/8."
            ),
        )),
    }
}

impl IpListConfig {
    pub fn validate(&self) -> Result<(), FieldError> {
        if self.ip_list.is_empty() {
            return Err(FieldError::new(
                "ip_list",
                "Enter at least one IP address or range, one per line.",
            ));
        }
        for (i, entry) in self.ip_list.iter().enumerate() {
            check_entry(i + 1, entry)?;
        }
        if let Some(header) = &self.http_header {
            form::check_header_name("http_header", header)?;
        }
        if !RESPONSE_CODES.contains(&self.response_code) {
            return Err(FieldError::new(
                "response_code",
                "Choose 403, 404 or 500 as the response code.",
            ));
        }
        Ok(())
    }

    /// "Allows 10.0.0.0/8, 192.168.1.5" (allow list) or "Blocks …" (block list).
    pub fn summary(&self, allow: bool) -> String {
        let verb = if allow { "Allows" } else { "Blocks" };
        format!("{verb} {}", list_summary(&self.ip_list))
    }
}

pub(super) fn fields() -> Vec<FieldSpec> {
    vec![
        FieldSpec {
            name: "ip_list",
            label: "IP addresses",
            kind: FieldKind::Lines,
            help: "One IPv4 or IPv6 address or CIDR range per line, like 192.168.1.5 or 10.0.0.0/8.",
        },
        FieldSpec {
            name: "http_header",
            label: "Client address header",
            kind: FieldKind::Text,
            help: "Optional: read the client address from this header, like X-Forwarded-For, when the gateway is behind a proxy.",
        },
        FieldSpec {
            name: "response_code",
            label: "Response code",
            kind: FieldKind::Select(vec![
                ("403", "403 Forbidden"),
                ("404", "404 Not Found"),
                ("500", "500 Server Error"),
            ]),
            help: "The status a refused request gets.",
        },
    ]
}

pub(super) fn default_form() -> FormValues {
    to_form(&IpListConfig::default())
}

pub(super) fn parse_form(form: &FormValues) -> Result<IpListConfig, FieldError> {
    let mut ip_list = Vec::new();
    for (line, entry) in form::lines(form, "ip_list") {
        check_entry(line, entry)?;
        ip_list.push(entry.to_string());
    }
    let code = form::text(form, "response_code");
    let response_code = if code.is_empty() {
        403
    } else {
        code.parse().map_err(|_| {
            FieldError::new(
                "response_code",
                "Choose 403, 404 or 500 as the response code.",
            )
        })?
    };
    Ok(IpListConfig {
        ip_list,
        http_header: form::optional(form, "http_header"),
        response_code,
    })
}

pub(super) fn to_form(c: &IpListConfig) -> FormValues {
    form_of([
        ("ip_list", c.ip_list.join("\n")),
        ("http_header", c.http_header.clone().unwrap_or_default()),
        ("response_code", c.response_code.to_string()),
    ])
}

#[cfg(test)]
mod tests {
    use super::super::tests::{error, json_error, valid};
    use super::*;
    use crate::domain::policy::Matcher;
    use crate::domain::policy::PolicyConfig;
    use crate::domain::policy::PolicyType::{IpAllowList, IpBlockList};

    #[test]
    fn summaries() {
        let allow = valid(IpAllowList, &[("ip_list", "10.0.0.0/8\n\n192.168.1.5\n")]);
        assert_eq!(allow.summary(), "Allows 10.0.0.0/8, 192.168.1.5");
        let block = valid(
            IpBlockList,
            &[
                ("ip_list", "1.1.1.1\n2.2.2.2\n3.3.3.3\n::1\n2001:db8::/32"),
                ("http_header", "X-Forwarded-For"),
                ("response_code", "404"),
            ],
        );
        assert_eq!(
            block.summary(),
            "Blocks 1.1.1.1, 2.2.2.2, 3.3.3.3 and 2 more"
        );
    }

    #[test]
    fn invalid() {
        for (form, field, message) in [
            ([("ip_list", "")].as_slice(), "ip_list", "at least one"),
            (
                &[("ip_list", "10.0.0.1\n\n10.0.0.300")],
                "ip_list",
                "Line 3: \"10.0.0.300\"",
            ),
            (
                &[("ip_list", "10.0.0.0/33")],
                "ip_list",
                "not an IP address",
            ),
            (
                &[("ip_list", "::1"), ("http_header", "X Forwarded")],
                "http_header",
                "not a header name",
            ),
            (
                &[("ip_list", "::1"), ("response_code", "418")],
                "response_code",
                "403, 404 or 500",
            ),
            (
                &[("ip_list", "::1"), ("response_code", "teapot")],
                "response_code",
                "403, 404 or 500",
            ),
        ] {
            let e = error(IpAllowList, form);
            assert_eq!(e.field, field, "{form:?}");
            assert!(e.message.contains(message), "{form:?}: {}", e.message);
        }
        for (json, field) in [
            (
                r#"{"ipList":["1.2.3.4"],"responseCode":200}"#,
                "response_code",
            ),
            (r#"{"ipList":"1.2.3.4"}"#, "ip_list"),
            (r#"{"ipList":["1.2.3.4"],"httpHeader":7}"#, "http_header"),
        ] {
            assert_eq!(json_error(IpBlockList, json).field, field, "{json}");
        }
        // apiman stores an unused header as "".
        let c = PolicyConfig::from_json(
            IpAllowList,
            r#"{"ipList":["::1"],"httpHeader":"","responseCode":500}"#,
        );
        assert_eq!(
            c.map(|c| c.to_json()),
            Ok(r#"{"ipList":["::1"],"responseCode":500}"#.to_string())
        );
    }

    #[test]
    fn matching() {
        let c = IpListConfig {
            ip_list: vec![
                "10.0.0.0/8".into(),
                "192.168.1.5".into(),
                "2001:db8::/32".into(),
            ],
            ..IpListConfig::default()
        };
        let Ok(Matcher::IpAllow(m)) = PolicyConfig::IpAllowList(c).compile() else {
            panic!("compiles")
        };
        for (ip, expected) in [
            ("10.20.30.40", true),
            ("11.0.0.1", false),
            ("192.168.1.5", true),
            ("192.168.1.6", false),
            ("2001:db8::1", true),
            ("2001:db9::1", false),
            ("::ffff:10.1.2.3", true),
        ] {
            assert_eq!(m.contains(ip.parse().unwrap()), expected, "{ip}");
        }
    }
}
