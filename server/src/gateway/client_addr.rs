//! Who the client is when proxies stand in front of the gateway. `X-Forwarded-For` is written
//! by whoever sends the request, so only the hops appended by proxies the operator trusts
//! (`GATEHOUSE_TRUSTED_PROXIES`) are believed: starting from the socket peer, the gateway walks
//! the header right to left while the current hop is a trusted proxy, and the first hop that
//! is not trusted is the client. With no trusted proxies (the default) the client is the socket
//! peer and the headers are ignored. `X-Forwarded-Proto` is believed only from a trusted peer.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderValue;
use ipnet::IpNet;

/// The networks of the proxies whose forwarding headers are believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies {
    nets: Vec<IpNet>,
}

/// An `X-Forwarded-For` hop, appended by a trusted proxy, that is not an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadForwardedFor;

/// A hop as proxies write it: an address, possibly with a port ("1.2.3.4:80", "[::1]:80").
fn hop(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    text.parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

/// An IPv4-mapped IPv6 address (how a dual-stack socket reports IPv4 peers) as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

impl TrustedProxies {
    pub fn new(nets: Vec<IpNet>) -> Self {
        Self { nets }
    }

    /// Parses `GATEHOUSE_TRUSTED_PROXIES`: comma-separated CIDRs or addresses ("" is none).
    pub fn parse(list: &str) -> Result<Self, String> {
        let nets = list
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        format!(
                            "GATEHOUSE_TRUSTED_PROXIES: '{entry}' is not a CIDR range or address, like 10.0.0.0/8 or 192.168.1.5"
                        )
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { nets })
    }

    pub fn is_empty(&self) -> bool {
        self.nets.is_empty()
    }

    pub fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.nets.iter().any(|net| net.contains(&ip))
    }

    /// The client behind `peer`, from the `X-Forwarded-For` values (in message order).
    pub fn client<'a>(
        &self,
        peer: IpAddr,
        forwarded_for: impl DoubleEndedIterator<Item = &'a HeaderValue>,
    ) -> Result<IpAddr, BadForwardedFor> {
        let mut client = canonical(peer);
        if !self.trusts(client) {
            return Ok(client);
        }
        for value in forwarded_for.rev() {
            let text = value.to_str().map_err(|_| BadForwardedFor)?;
            for entry in text.rsplit(',') {
                client = hop(entry).map(canonical).ok_or(BadForwardedFor)?;
                if !self.trusts(client) {
                    return Ok(client);
                }
            }
        }
        // Every hop is a trusted proxy: the left-most is as close to the client as we know.
        Ok(client)
    }

    /// Whether the client spoke HTTPS: the right-most `X-Forwarded-Proto` entry, when the peer
    /// is a trusted proxy (the gateway's own listeners speak plain HTTP).
    pub fn https(&self, peer: IpAddr, forwarded_proto: Option<&HeaderValue>) -> bool {
        self.trusts(peer)
            && forwarded_proto
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    fn client(trusted: &str, peer: &str, xff: &[&str]) -> Result<IpAddr, BadForwardedFor> {
        let values: Vec<HeaderValue> = xff
            .iter()
            .map(|v| HeaderValue::from_str(v).expect("value"))
            .collect();
        TrustedProxies::parse(trusted)
            .expect("trusted")
            .client(ip(peer), values.iter())
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client() {
        assert_eq!(
            client("", "198.51.100.9", &["1.2.3.4"]),
            Ok(ip("198.51.100.9"))
        );
        assert_eq!(
            client("10.0.0.0/8", "198.51.100.9", &["1.2.3.4"]),
            Ok(ip("198.51.100.9")),
            "an untrusted peer's header is ignored"
        );
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        let t = "10.0.0.0/8, 192.168.0.1";
        // The client wrote "1.2.3.4" itself; the proxies appended the rest.
        assert_eq!(
            client(t, "10.0.0.2", &["1.2.3.4, 203.0.113.7, 192.168.0.1"]),
            Ok(ip("203.0.113.7"))
        );
        assert_eq!(
            client(t, "10.0.0.2", &["1.2.3.4", "203.0.113.7:5555"]),
            Ok(ip("203.0.113.7")),
            "several header lines are one list; ports are dropped"
        );
        assert_eq!(
            client(t, "10.0.0.2", &["10.9.9.9, 192.168.0.1"]),
            Ok(ip("10.9.9.9")),
            "all trusted: the left-most"
        );
        assert_eq!(client(t, "10.0.0.2", &[]), Ok(ip("10.0.0.2")));
        assert_eq!(
            client(t, "::ffff:10.0.0.2", &["[2001:db8::1]:443"]),
            Ok(ip("2001:db8::1"))
        );
        assert_eq!(
            client(t, "10.0.0.2", &["nonsense, 203.0.113.7"]),
            Ok(ip("203.0.113.7")),
            "what the client wrote left of its own address does not matter"
        );
        assert_eq!(
            client(t, "10.0.0.2", &["203.0.113.7, nonsense"]),
            Err(BadForwardedFor)
        );
    }

    #[test]
    fn forwarded_proto_is_believed_from_trusted_peers_only() {
        let t = TrustedProxies::parse("10.0.0.0/8").expect("trusted");
        let https = HeaderValue::from_static("https");
        let mixed = HeaderValue::from_static("https, http");
        assert!(t.https(ip("10.1.1.1"), Some(&https)));
        assert!(!t.https(ip("203.0.113.7"), Some(&https)));
        assert!(
            !t.https(ip("10.1.1.1"), Some(&mixed)),
            "the nearest proxy's word"
        );
        assert!(!t.https(ip("10.1.1.1"), None));
    }

    #[test]
    fn bad_settings_name_the_setting() {
        let e = TrustedProxies::parse("10.0.0.0/8, nonsense").expect_err("refused");
        assert!(e.contains("GATEHOUSE_TRUSTED_PROXIES") && e.contains("nonsense"));
        assert!(TrustedProxies::parse(" ").expect("empty").is_empty());
    }
}
