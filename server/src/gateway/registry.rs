//! The in-memory snapshot the gateway serves from: published (and retired) API versions by
//! "org/api/version" and registered client versions by a digest of their API key, with
//! compiled policy chains. Requests read one version of it; a change publishes a new version.
//!
//! Why a persistent map (`imbl`'s HAMT) rather than sharded `ArcSwap`s of plain maps: a change
//! copies only the path to the entries it touches (a few small nodes, O(log n)) instead of a
//! whole shard, the registry stays one value with one sequence number (a request never sees
//! half of a reload), and a full load swaps it in one store. The price, a few pointer hops per
//! lookup instead of one probe, is tens of nanoseconds on a request that costs tens of
//! microseconds.
//!
//! Memory: keys are 16-byte digests, not strings; a plan version's chain is compiled once and
//! shared by every contract through it, and clients with the same contracts (API and plan
//! versions) share one contract list, so a client costs its own name, its own policies (usually
//! none: one shared empty chain) and a map slot.

use std::collections::HashMap;
use std::sync::Arc;

use app::domain::keys::KeyLife;
use app::domain::lifecycle::ApiStatus;
use app::store::gateway_feed::{ApiRow, ClientRow, ContractRow, PlanRow, PolicyRow};
use axum::http::Uri;
use sha2::{Digest, Sha256};

use super::chain::{self, Chain};
use super::tls::{CustomTrust, Trust};

/// The first 128 bits of an API key's SHA-256: fixed size, and as unguessable as the key.
pub type KeyDigest = [u8; 16];

pub fn digest(key: &str) -> KeyDigest {
    let full = Sha256::digest(key.as_bytes());
    let mut out = [0; 16];
    out.copy_from_slice(&full[..16]);
    out
}

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

/// What a contract adds: its plan version's chain. One per plan version, shared.
pub struct ContractEntry {
    /// The plan version's id, for analytics.
    pub plan_id: i64,
    /// "plan version", for logs.
    pub plan: String,
    pub policies: Chain,
}

/// A client version's contracts by API version id, sorted. Usually one or two, so a slice
/// beats a map; shared by every client version with the same contracts.
#[derive(Default)]
pub struct Contracts(Box<[(i64, Arc<ContractEntry>)]>);

impl Contracts {
    pub fn get(&self, api: &i64) -> Option<&ContractEntry> {
        self.0
            .binary_search_by_key(api, |(id, _)| *id)
            .ok()
            .map(|i| &*self.0[i].1)
    }

    pub fn contains_key(&self, api: &i64) -> bool {
        self.get(api).is_some()
    }

    pub fn iter(&self) -> impl Iterator<Item = (i64, &ContractEntry)> {
        self.0.iter().map(|(id, c)| (*id, &**c))
    }
}

pub struct ClientEntry {
    pub id: i64,
    /// "org/client/version", for logs.
    pub name: Box<str>,
    pub policies: Chain,
    pub contracts: Arc<Contracts>,
    /// The keys it is served under, ended ones too (they answer KeyRevoked / KeyExpired).
    pub keys: Box<[ServedKey]>,
}

/// One key of a client version: its digest, its row id (for "last used") and what its state
/// follows from (`app::domain::keys`, decided on each request against the clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServedKey {
    pub digest: KeyDigest,
    pub id: i64,
    pub life: KeyLife,
}

/// What a key finds: its client version and which of its keys it is. Two words, so that the
/// map's nodes stay small; the key's details live once, in the client's entry.
#[derive(Clone)]
pub struct KeyEntry {
    pub client: Arc<ClientEntry>,
    index: u32,
}

impl KeyEntry {
    pub fn key(&self) -> &ServedKey {
        &self.client.keys[self.index as usize]
    }
}

/// One version of the registry. Cloning it is O(1): the maps share their nodes.
#[derive(Clone, Default)]
pub struct Registry {
    /// The registry sequence of the last change it includes.
    pub seq: i64,
    apis: imbl::HashMap<String, Arc<ApiEntry>>,
    clients: imbl::HashMap<KeyDigest, KeyEntry>,
}

impl Registry {
    pub fn api(&self, name: &str) -> Option<&Arc<ApiEntry>> {
        self.apis.get(name)
    }

    pub fn client(&self, key: &str) -> Option<&KeyEntry> {
        self.clients.get(&digest(key))
    }

    pub fn apis(&self) -> impl Iterator<Item = &Arc<ApiEntry>> {
        self.apis.values()
    }

    /// Every key with its client version.
    pub fn clients(&self) -> impl Iterator<Item = (&KeyDigest, &Arc<ClientEntry>)> {
        self.clients.iter().map(|(k, e)| (k, &e.client))
    }

    /// The number of keys served (a client version has one or more).
    pub fn key_count(&self) -> usize {
        self.clients.len()
    }

    pub fn api_count(&self) -> usize {
        self.apis.len()
    }

    /// Serves `entry` under `name`, or stops serving that name.
    pub fn set_api(&mut self, name: String, entry: Option<Arc<ApiEntry>>) {
        match entry {
            Some(e) => self.apis.insert(name, e),
            None => self.apis.remove(&name),
        };
    }

    /// Serves `entry` under each of its keys.
    pub fn add_client(&mut self, entry: &Arc<ClientEntry>) {
        for (index, key) in (0u32..).zip(entry.keys.iter()) {
            let found = KeyEntry {
                client: Arc::clone(entry),
                index,
            };
            self.clients.insert(key.digest, found);
        }
    }

    /// Stops serving client version `id` under the keys its entry had; `keys` are digests of
    /// its keys now (the old entry is found through any of them that it had).
    pub fn remove_client(&mut self, id: i64, keys: impl IntoIterator<Item = KeyDigest>) {
        let old = keys
            .into_iter()
            .find_map(|d| self.clients.get(&d).filter(|e| e.client.id == id))
            .map(|e| Arc::clone(&e.client));
        for key in old.iter().flat_map(|c| c.keys.iter()) {
            self.clients.remove(&key.digest);
        }
    }
}

/// Makes entries from rows, keeping what entries share: compiled plan chains, contract lists
/// and the empty chain. Lives on the registry thread, across deltas; a full load starts it
/// afresh so that nothing stale is kept.
pub struct Builder {
    trust: Trust,
    plans: HashMap<i64, Arc<ContractEntry>>,
    contract_lists: HashMap<Box<[(i64, i64)]>, Arc<Contracts>>,
    empty: Chain,
}

impl Builder {
    pub fn new(trust: Trust) -> Builder {
        Builder {
            trust,
            plans: HashMap::new(),
            contract_lists: HashMap::new(),
            empty: chain::compile(std::iter::empty()),
        }
    }

    /// Forgets what was shared, before a full load.
    pub fn reset(&mut self) {
        self.plans.clear();
        self.contract_lists.clear();
    }

    pub fn has_plan(&self, id: i64) -> bool {
        self.plans.contains_key(&id)
    }

    /// Adds plan versions (locked, so never changing) with their policies, in chain order.
    pub fn add_plans(&mut self, plans: &[PlanRow], policies: &[PolicyRow]) {
        let mut by_owner = group(policies);
        for p in plans {
            let entry = ContractEntry {
                plan_id: p.id,
                plan: format!("{} {}", p.plan_id, p.version),
                policies: self.chain(by_owner.remove(&p.id).unwrap_or_default()),
            };
            self.plans.insert(p.id, Arc::new(entry));
        }
    }

    /// API entries with their policies, by name.
    pub fn apis(&self, rows: &[ApiRow], policies: &[PolicyRow]) -> Vec<(String, Arc<ApiEntry>)> {
        let mut by_owner = group(policies);
        rows.iter()
            .map(|a| self.api(a, by_owner.remove(&a.id).unwrap_or_default()))
            .collect()
    }

    fn api(&self, a: &ApiRow, policies: Vec<&PolicyRow>) -> (String, Arc<ApiEntry>) {
        let name = format!("{}/{}/{}", a.org_id, a.api_id, a.version);
        let mut upstream = a
            .endpoint
            .parse::<Uri>()
            .ok()
            .filter(|u| u.authority().is_some());
        if upstream.is_none() && a.status == ApiStatus::Published {
            tracing::warn!(api = %name, endpoint = %a.endpoint, "published API has no usable endpoint");
        }
        let custom = match a
            .upstream_ca_pem
            .as_deref()
            .filter(|p| !p.trim().is_empty())
        {
            None => None,
            Some(pem) => match self.trust.with_ca(pem) {
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
            retired: a.status == ApiStatus::Retired,
            public: a.public,
            upstream,
            trust: custom,
            policies: self.chain(policies),
        };
        (name, Arc::new(entry))
    }

    /// A registered client version's entry. `contracts` are its own, sorted by API version id;
    /// those through a plan version not added are left out (and logged).
    pub fn client(&mut self, c: &ClientRow, contracts: &[ContractRow]) -> Arc<ClientEntry> {
        let snapshot = c.registered_policies.as_ref().map(|p| p.as_slice());
        let policies = match snapshot {
            None | Some([]) => Arc::clone(&self.empty),
            Some(list) => chain::compile(list),
        };
        let pairs: Vec<(i64, i64)> = contracts
            .iter()
            .map(|k| (k.api_version_id, k.plan_version_id))
            .collect();
        let contracts = match self.contract_lists.get(pairs.as_slice()) {
            Some(shared) => Arc::clone(shared),
            None => self.contract_list(c, pairs),
        };
        let keys = c
            .keys()
            .map(|k| ServedKey {
                digest: digest(k.api_key),
                id: k.id,
                life: k.life,
            })
            .collect();
        Arc::new(ClientEntry {
            id: c.id,
            name: c.name.as_str().into(),
            policies,
            contracts,
            keys,
        })
    }

    fn contract_list(&mut self, c: &ClientRow, pairs: Vec<(i64, i64)>) -> Arc<Contracts> {
        let entries: Box<[(i64, Arc<ContractEntry>)]> = pairs
            .iter()
            .filter_map(|(api, plan)| match self.plans.get(plan) {
                Some(p) => Some((*api, Arc::clone(p))),
                None => {
                    tracing::warn!(
                        client = c.id,
                        plan,
                        "contract through an unknown plan version left out"
                    );
                    None
                }
            })
            .collect();
        let list = Arc::new(Contracts(entries));
        self.contract_lists
            .insert(pairs.into_boxed_slice(), Arc::clone(&list));
        list
    }

    fn chain(&self, policies: Vec<&PolicyRow>) -> Chain {
        if policies.is_empty() {
            return Arc::clone(&self.empty);
        }
        chain::compile(policies.into_iter().map(|p| &*p.policy))
    }
}

/// Policies by owner, keeping their order: one pass.
fn group(policies: &[PolicyRow]) -> HashMap<i64, Vec<&PolicyRow>> {
    let mut by_owner: HashMap<i64, Vec<&PolicyRow>> = HashMap::new();
    for p in policies {
        by_owner.entry(p.owner_id).or_default().push(p);
    }
    by_owner
}

/// The contracts of client version `client` in `sorted` (sorted by client version, then API
/// version): a binary search, so a full load stays O(n log n) however many clients there are.
pub fn contracts_of(sorted: &[ContractRow], client: i64) -> &[ContractRow] {
    let start = sorted.partition_point(|k| k.client_version_id < client);
    let end = start + sorted[start..].partition_point(|k| k.client_version_id == client);
    &sorted[start..end]
}

#[cfg(test)]
#[path = "registry_tests.rs"]
mod tests;
