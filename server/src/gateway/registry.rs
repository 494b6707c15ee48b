//! The in-memory snapshot the gateway serves from: published (and retired) API versions and
//! registered client versions by API key, with compiled policy chains. Built from Postgres and
//! replaced whole, so a request sees one consistent version of it.

use std::collections::HashMap;
use std::sync::Arc;

use app::store::gateway_feed::Feed;
use axum::http::Uri;

use super::chain::{self, Chain};
use super::tls::{CustomTrust, Trust};

pub struct ApiEntry {
    pub id: i64,
    /// "org/api/version", for logs and metrics.
    pub name: String,
    pub retired: bool,
    pub public: bool,
    pub upstream: Option<Uri>,
    /// The API version's own CA certificates, when it has some.
    pub trust: Option<Arc<CustomTrust>>,
    pub policies: Chain,
}

pub struct ContractEntry {
    /// "plan version", for logs.
    pub plan: String,
    pub policies: Chain,
}

pub struct ClientEntry {
    pub id: i64,
    /// "org/client/version", for logs.
    pub name: String,
    pub policies: Chain,
    /// By API version id.
    pub contracts: HashMap<i64, ContractEntry>,
}

#[derive(Default)]
pub struct Registry {
    /// By "org/api/version".
    pub apis: HashMap<String, Arc<ApiEntry>>,
    /// By API key.
    pub clients: HashMap<String, Arc<ClientEntry>>,
}

impl Registry {
    pub fn build(feed: &Feed, trust: &Trust) -> Registry {
        let by_owner = |rows: &[app::store::gateway_feed::PolicyRow], owner: i64| -> Chain {
            chain::compile(
                rows.iter()
                    .filter(|p| p.owner_id == owner)
                    .map(|p| (p.id, p.policy_type.as_str(), &p.config)),
            )
        };
        let apis = feed
            .apis
            .iter()
            .map(|a| {
                let name = format!("{}/{}/{}", a.org_id, a.api_id, a.version);
                let mut upstream = a.endpoint.parse::<Uri>().ok().filter(|u| u.authority().is_some());
                if upstream.is_none() && a.status == "Published" {
                    tracing::warn!(api = %name, endpoint = %a.endpoint, "published API has no usable endpoint");
                }
                let custom = match a.upstream_ca_pem.as_deref().filter(|p| !p.trim().is_empty()) {
                    None => None,
                    Some(pem) => match trust.with_ca(pem) {
                        Ok(t) => Some(Arc::new(t)),
                        Err(e) => {
                            // Fail closed: never fall back to a trust its publisher did not choose.
                            tracing::warn!(api = %name, error = %e, "unusable upstream CA certificate: API not served");
                            upstream = None;
                            None
                        }
                    },
                };
                let entry = ApiEntry {
                    id: a.id,
                    name: name.clone(),
                    retired: a.status == "Retired",
                    public: a.public,
                    upstream,
                    trust: custom,
                    policies: by_owner(&feed.api_policies, a.id),
                };
                (name, Arc::new(entry))
            })
            .collect();
        let mut plan_chains: HashMap<i64, Chain> = HashMap::new();
        let clients = feed
            .clients
            .iter()
            .map(|c| {
                let contracts = feed
                    .contracts
                    .iter()
                    .filter(|k| k.client_version_id == c.id)
                    .map(|k| {
                        let policies = plan_chains
                            .entry(k.plan_version_id)
                            .or_insert_with(|| by_owner(&feed.plan_policies, k.plan_version_id))
                            .clone();
                        let entry = ContractEntry {
                            plan: format!("{} {}", k.plan_id, k.plan_version),
                            policies,
                        };
                        (k.api_version_id, entry)
                    })
                    .collect();
                let snapshot = c
                    .registered_policies
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                let policies = chain::compile(snapshot.iter().filter_map(|p| {
                    Some((
                        p.get("id")?.as_i64()?,
                        p.get("type")?.as_str()?,
                        p.get("config")?,
                    ))
                }));
                let entry = ClientEntry {
                    id: c.id,
                    name: format!("{}/{}/{}", c.org_id, c.client_id, c.version),
                    policies,
                    contracts,
                };
                (c.api_key.clone(), Arc::new(entry))
            })
            .collect();
        Registry { apis, clients }
    }
}
