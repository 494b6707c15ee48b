//! Data shapes of APIs, plans and their policies, as the console shows them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::client::ClientStatus;
use super::lifecycle::{ApiStatus, PlanStatus, Readiness};
use super::policy::{FormValues, PolicyType};
use super::refs::VersionRef;

/// One row of an organization's APIs, Plans or Clients tab: the entity and its newest version
/// (`S`: the entity's status enum).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntitySummary<S> {
    pub id: String,
    pub name: String,
    pub description: String,
    pub latest_version: String,
    pub latest_status: S,
}

/// One row of an organization's Plans tab.
pub type PlanSummary = EntitySummary<PlanStatus>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanVersionView {
    pub org_id: String,
    pub plan_id: String,
    pub name: String,
    pub description: String,
    pub version: String,
    pub status: PlanStatus,
    pub locked_on: Option<DateTime<Utc>>,
    /// All versions of the plan, oldest first.
    pub versions: Vec<String>,
    /// The caller may edit plans of this organization (locking still makes a version read-only).
    pub can_edit: bool,
}

impl PlanVersionView {
    pub fn version_ref(&self) -> VersionRef {
        VersionRef::new(
            self.org_id.clone(),
            self.plan_id.clone(),
            self.version.clone(),
        )
    }
}

/// One row of an organization's APIs tab.
pub type ApiSummary = EntitySummary<ApiStatus>;

/// A plan version offered by an API version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferedPlan {
    pub plan_id: String,
    pub plan_name: String,
    pub version: String,
    pub requires_approval: bool,
    pub locked: bool,
}

/// A plan version an API version is to offer, as its Plans tab sends it. Plans belong to the
/// API's organization, so the plan is named by its id and version only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanOffer {
    pub plan_id: String,
    pub version: String,
    pub requires_approval: bool,
}

impl PlanOffer {
    /// The offered plan version, in the organization `org` of the API.
    pub fn plan_ref(&self, org: &str) -> VersionRef {
        VersionRef::new(org, self.plan_id.clone(), self.version.clone())
    }
}

/// A locked plan version that an API of the same organization may offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanChoice {
    pub plan_id: String,
    pub plan_name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiVersionView {
    pub org_id: String,
    pub api_id: String,
    pub name: String,
    pub description: String,
    pub version: String,
    pub status: ApiStatus,
    pub endpoint: String,
    /// Trusted CA certificates (PEM) for an HTTPS endpoint behind a private CA.
    pub upstream_ca_pem: Option<String>,
    pub public: bool,
    pub featured: bool,
    /// The documentation's Markdown source, for editing.
    pub markdown: String,
    /// The same, rendered and sanitised on the server (`domain::markdown`).
    pub markdown_html: String,
    pub readiness: Readiness,
    pub plans: Vec<OfferedPlan>,
    pub versions: Vec<String>,
    pub can_edit: bool,
}

impl ApiVersionView {
    pub fn version_ref(&self) -> VersionRef {
        VersionRef::new(
            self.org_id.clone(),
            self.api_id.clone(),
            self.version.clone(),
        )
    }
}

/// Whose policy chain a policy belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PolicyLevel {
    Api,
    Plan,
    Client,
}

/// Identifies one API, plan or client version: the owner of a policy chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyOwner {
    pub level: PolicyLevel,
    pub org: String,
    pub entity: String,
    pub version: String,
}

impl PolicyOwner {
    /// The version that owns the chain.
    pub fn version_ref(&self) -> VersionRef {
        VersionRef::new(self.org.clone(), self.entity.clone(), self.version.clone())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyView {
    pub id: i64,
    pub policy_type: PolicyType,
    /// The configuration as form values (secrets such as password hashes left out).
    pub form: FormValues,
    pub summary: String,
}

/// The policies of a version and whether the caller may change them now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyChain {
    pub policies: Vec<PolicyView>,
    pub editable: bool,
    /// Why the chain is read-only, when it is.
    pub read_only_reason: Option<String>,
}

/// One row of an organization's Clients tab.
pub type ClientSummary = EntitySummary<ClientStatus>;

#[cfg_attr(feature = "ssr", derive(sqlx::Encode, sqlx::Decode))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContractStatus {
    Active,
    AwaitingApproval,
}

impl ContractStatus {
    pub fn label(self) -> &'static str {
        match self {
            ContractStatus::Active => "Active",
            ContractStatus::AwaitingApproval => "Awaiting Approval",
        }
    }
}

/// A contract, with enough of both ends to show it anywhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractView {
    pub id: i64,
    pub status: ContractStatus,
    pub client_org: String,
    pub client_id: String,
    pub client_name: String,
    pub client_version: String,
    pub api_org: String,
    pub api_id: String,
    pub api_name: String,
    pub api_version: String,
    pub plan_id: String,
    pub plan_name: String,
    pub plan_version: String,
    pub requested_by: String,
    pub created_at: DateTime<Utc>,
}

impl ContractView {
    pub fn client_ref(&self) -> VersionRef {
        VersionRef::new(
            self.client_org.clone(),
            self.client_id.clone(),
            self.client_version.clone(),
        )
    }

    pub fn api_ref(&self) -> VersionRef {
        VersionRef::new(
            self.api_org.clone(),
            self.api_id.clone(),
            self.api_version.clone(),
        )
    }

    /// The plan version, which belongs to the API's organization.
    pub fn plan_ref(&self) -> VersionRef {
        VersionRef::new(
            self.api_org.clone(),
            self.plan_id.clone(),
            self.plan_version.clone(),
        )
    }
}

/// A request that an approver turned down, as the requester sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    pub api: String,
    pub plan: String,
    pub reason: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientVersionView {
    pub org_id: String,
    pub client_id: String,
    pub name: String,
    pub description: String,
    pub version: String,
    pub status: ClientStatus,
    /// `None` for those who may not see keys (`Actor::may_see_api_keys`): never sent to them.
    pub api_key: Option<String>,
    /// Registered, but changed since: the gateway still serves the registered state.
    pub needs_reregister: bool,
    pub contracts: Vec<ContractView>,
    pub rejections: Vec<Rejection>,
    pub versions: Vec<String>,
    pub can_edit: bool,
}

impl ClientVersionView {
    pub fn version_ref(&self) -> VersionRef {
        VersionRef::new(
            self.org_id.clone(),
            self.client_id.clone(),
            self.version.clone(),
        )
    }
}

/// A published private API version that clients may contract with, and its plans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractableApi {
    pub org_id: String,
    pub api_id: String,
    pub name: String,
    pub version: String,
    pub plans: Vec<OfferedPlan>,
}

impl ContractableApi {
    pub fn version_ref(&self) -> VersionRef {
        VersionRef::new(
            self.org_id.clone(),
            self.api_id.clone(),
            self.version.clone(),
        )
    }
}
