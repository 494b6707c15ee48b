//! Which network addresses an API's upstream may be. A gateway exists to front internal
//! services, so loopback and private networks stay allowed; what is refused is what an API
//! publisher could use to reach the machine's secrets: link-local and cloud metadata
//! addresses, and the gateway's own listeners (a request that loops back through the gateway).
//! An administrator can allow any of these networks again with `GATEHOUSE_UPSTREAM_ALLOW`.
//! The same rule runs when an endpoint is saved and when the gateway connects, after DNS
//! resolution, so a name that later resolves elsewhere (DNS rebinding) is still refused.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use ipnet::IpNet;

/// Networks refused unless allowed: link-local (169.254.0.0/16, fe80::/10, which hold the
/// AWS, GCP and Azure metadata services) and the metadata addresses outside them (Alibaba
/// Cloud's 100.100.100.200, AWS's IPv6 fd00:ec2::254).
pub fn forbidden_networks() -> [IpNet; 4] {
    [
        IpNet::new_assert(IpAddr::V4(Ipv4Addr::new(169, 254, 0, 0)), 16),
        IpNet::new_assert(IpAddr::V6(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0)), 10),
        IpNet::new_assert(IpAddr::V4(Ipv4Addr::new(100, 100, 100, 200)), 32),
        IpNet::new_assert(
            IpAddr::V6(Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)),
            128,
        ),
    ]
}

/// The rule, with this installation's settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpstreamGuard {
    /// `GATEHOUSE_UPSTREAM_ALLOW`: networks allowed even when the rule refuses them.
    pub allow: Vec<IpNet>,
    /// The gateway's own listeners (gateway and metrics).
    pub own: Vec<SocketAddr>,
}

impl UpstreamGuard {
    /// Why the gateway must not connect to `addr`, or `None` when it may.
    pub fn refusal(&self, addr: SocketAddr) -> Option<&'static str> {
        // ::ffff:169.254.169.254 is 169.254.169.254.
        let ip = addr.ip().to_canonical();
        if self.allow.iter().any(|net| net.contains(&ip)) {
            return None;
        }
        if forbidden_networks().iter().any(|net| net.contains(&ip)) {
            return Some(
                "link-local and cloud metadata addresses (169.254.0.0/16, fe80::/10, 100.100.100.200, fd00:ec2::254) cannot be upstreams",
            );
        }
        let own = self.own.iter().any(|o| {
            o.port() == addr.port()
                && (o.ip().to_canonical() == ip
                    || (o.ip().is_unspecified() && (ip.is_loopback() || ip.is_unspecified())))
        });
        own.then_some("the gateway's own address cannot be an upstream: requests would loop")
    }

    /// The refusal for the first of `addrs` that is refused, naming it.
    pub fn check_all(&self, addrs: &[SocketAddr]) -> Result<(), String> {
        match addrs
            .iter()
            .find_map(|a| self.refusal(*a).map(|why| (a, why)))
        {
            Some((a, why)) => Err(format!("This endpoint resolves to {}: {why}.", a.ip())),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> SocketAddr {
        s.parse().expect("socket address")
    }

    fn guard() -> UpstreamGuard {
        UpstreamGuard {
            allow: vec![],
            own: vec![addr("0.0.0.0:8080"), addr("127.0.0.1:9464")],
        }
    }

    #[test]
    fn metadata_and_link_local_addresses_are_refused() {
        for a in [
            "169.254.169.254:80",
            "169.254.0.1:443",
            "[fe80::1]:80",
            "100.100.100.200:80",
            "[fd00:ec2::254]:80",
            "[::ffff:169.254.169.254]:80",
        ] {
            assert!(guard().refusal(addr(a)).is_some(), "{a}");
        }
    }

    #[test]
    fn loopback_private_and_public_networks_stay_allowed() {
        for a in [
            "127.0.0.1:3000",
            "10.0.0.5:80",
            "192.168.1.10:8443",
            "172.16.0.1:80",
            "[::1]:3000",
            "93.184.216.34:443",
            "100.100.100.201:80",
        ] {
            assert_eq!(guard().refusal(addr(a)), None, "{a}");
        }
    }

    #[test]
    fn the_gateways_own_listeners_are_refused() {
        assert!(guard().refusal(addr("127.0.0.1:8080")).is_some());
        assert!(guard().refusal(addr("[::1]:8080")).is_some());
        assert!(guard().refusal(addr("127.0.0.1:9464")).is_some());
        assert_eq!(guard().refusal(addr("127.0.0.2:9464")), None);
        assert_eq!(guard().refusal(addr("10.0.0.1:8081")), None);
    }

    #[test]
    fn an_administrator_can_allow_a_refused_network() {
        let mut g = guard();
        g.allow = vec!["169.254.169.254/32".parse().expect("cidr")];
        assert_eq!(g.refusal(addr("169.254.169.254:80")), None);
        assert!(g.refusal(addr("169.254.169.253:80")).is_some());
    }

    #[test]
    fn check_all_names_the_refused_address() {
        let err = guard()
            .check_all(&[addr("10.0.0.1:80"), addr("169.254.169.254:80")])
            .expect_err("refused");
        assert!(err.contains("169.254.169.254"), "{err}");
        assert!(guard().check_all(&[addr("10.0.0.1:80")]).is_ok());
    }
}
