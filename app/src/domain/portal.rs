//! Data shapes of the Developer Portal.

use serde::{Deserialize, Serialize};

use super::catalog::{ContractStatus, ContractView};
use super::client::ClientStatus;
use super::refs::{EntityRef, VersionRef};

/// An API as the portal lists it: its newest published version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalApiCard {
    pub org_id: String,
    pub org_name: String,
    pub api_id: String,
    pub name: String,
    pub description: String,
    pub version: String,
    pub public: bool,
    pub featured: bool,
}

impl PortalApiCard {
    /// The API; the card links to its newest published version.
    pub fn api_ref(&self) -> EntityRef {
        EntityRef::new(self.org_id.clone(), self.api_id.clone())
    }
}

/// A plan offered by an API version, with what its policies mean in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalPlan {
    pub plan_id: String,
    pub name: String,
    pub version: String,
    pub requires_approval: bool,
    pub policies: Vec<String>,
}

impl PortalPlan {
    /// The plan version, in the organization `org` of the API that offers it.
    pub fn plan_ref(&self, org: &str) -> VersionRef {
        VersionRef::new(org, self.plan_id.clone(), self.version.clone())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalApiDetails {
    pub org_id: String,
    pub org_name: String,
    pub api_id: String,
    pub name: String,
    pub description: String,
    /// The documentation, rendered from Markdown and sanitised on the server.
    pub markdown_html: String,
    pub version: String,
    /// Published versions, oldest first.
    pub versions: Vec<String>,
    pub public: bool,
    pub plans: Vec<PortalPlan>,
}

impl PortalApiDetails {
    /// The API version shown.
    pub fn version_ref(&self) -> VersionRef {
        VersionRef::new(
            self.org_id.clone(),
            self.api_id.clone(),
            self.version.clone(),
        )
    }

    /// The API, whatever the version.
    pub fn api_ref(&self) -> EntityRef {
        EntityRef::new(self.org_id.clone(), self.api_id.clone())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignupClient {
    pub client_id: String,
    pub name: String,
    pub versions: Vec<String>,
}

/// An organization where the user may create clients, with its clients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignupOrg {
    pub org_id: String,
    pub name: String,
    pub clients: Vec<SignupClient>,
}

/// Which client signs the contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignupTarget {
    Existing {
        org: String,
        client: String,
        version: String,
    },
    /// A new client; without an organization, a personal one is created for the user.
    New {
        org: Option<String>,
        name: String,
        version: String,
    },
}

impl SignupTarget {
    /// An existing client version.
    pub fn existing(client: VersionRef) -> Self {
        let VersionRef { org, id, version } = client;
        SignupTarget::Existing {
            org,
            client: id,
            version,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignupResult {
    pub status: ContractStatus,
    pub client_org: String,
    pub client_id: String,
    pub client_version: String,
    /// Shown once the contract is active (and the client registered).
    pub api_key: Option<String>,
    pub endpoint_path: String,
}

impl SignupResult {
    /// The client version that signed the contract.
    pub fn client_ref(&self) -> VersionRef {
        VersionRef::new(
            self.client_org.clone(),
            self.client_id.clone(),
            self.client_version.clone(),
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyClientVersion {
    pub version: String,
    pub status: ClientStatus,
    /// Only once a contract is active: until then the key opens nothing.
    pub api_key: Option<String>,
    pub contracts: Vec<ContractView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyClient {
    pub org_id: String,
    pub org_name: String,
    pub client_id: String,
    pub name: String,
    pub versions: Vec<MyClientVersion>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyClientsOrg {
    pub org_id: String,
    pub org_name: String,
    pub clients: Vec<MyClient>,
}

/// Clients (ordered by organization, as My Clients lists them) grouped by organization.
pub fn group_by_org(clients: Vec<MyClient>) -> Vec<MyClientsOrg> {
    let mut out: Vec<MyClientsOrg> = Vec::new();
    for c in clients {
        match out.last_mut() {
            Some(last) if last.org_id == c.org_id => last.clients.push(c),
            _ => out.push(MyClientsOrg {
                org_id: c.org_id.clone(),
                org_name: c.org_name.clone(),
                clients: vec![c],
            }),
        }
    }
    out
}

/// The id of the personal organization of `username`, before collision suffixes.
pub fn personal_org_id(username: &str) -> String {
    let base = super::ids::slug_from_name(username);
    let base = if base.is_empty() {
        "user".to_string()
    } else {
        base
    };
    format!("{base}-personal")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(org: &str, id: &str) -> MyClient {
        MyClient {
            org_id: org.into(),
            org_name: org.to_uppercase(),
            client_id: id.into(),
            name: id.into(),
            versions: vec![],
        }
    }

    #[test]
    fn clients_are_grouped_by_consecutive_organization() {
        let groups = group_by_org(vec![client("a", "1"), client("a", "2"), client("b", "3")]);
        let shape: Vec<(String, usize)> = groups
            .iter()
            .map(|g| (g.org_name.clone(), g.clients.len()))
            .collect();
        assert_eq!(shape, vec![("A".into(), 2), ("B".into(), 1)]);
    }
    #[test]
    fn personal_org_ids_are_valid_ids() {
        for u in ["rose", "rose.bloom", "..."] {
            let id = super::personal_org_id(u);
            assert!(super::super::ids::validate_id("id", &id).is_ok(), "{id}");
        }
        assert_eq!(super::personal_org_id("rose.bloom"), "rosebloom-personal");
    }
}
