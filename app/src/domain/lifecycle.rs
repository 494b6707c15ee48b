//! Statuses of API and plan versions, the transitions between them, and what may still change
//! in each status.

use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "ssr", derive(sqlx::Encode, sqlx::Decode))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlanStatus {
    Created,
    Locked,
}

#[cfg_attr(feature = "ssr", derive(sqlx::Encode, sqlx::Decode))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApiStatus {
    Created,
    Ready,
    Published,
    Retired,
}

impl PlanStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanStatus::Created => "Created",
            PlanStatus::Locked => "Locked",
        }
    }
}

impl ApiStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ApiStatus::Created => "Created",
            ApiStatus::Ready => "Ready",
            ApiStatus::Published => "Published",
            ApiStatus::Retired => "Retired",
        }
    }
}

/// The publication checklist of an API version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Readiness {
    pub endpoint_set: bool,
    pub public_or_plan: bool,
    pub plans_locked: bool,
}

impl Readiness {
    pub fn of(endpoint: &str, public: bool, plans: usize, unlocked_plans: usize) -> Self {
        Self {
            endpoint_set: !endpoint.trim().is_empty(),
            public_or_plan: public || plans > 0,
            plans_locked: unlocked_plans == 0,
        }
    }

    pub fn is_ready(&self) -> bool {
        self.endpoint_set && self.public_or_plan && self.plans_locked
    }

    /// The checklist as shown on the Overview tab.
    pub fn items(&self) -> [(&'static str, bool); 3] {
        [
            (
                "The endpoint of the upstream service is set",
                self.endpoint_set,
            ),
            (
                "The API is public or offers at least one plan",
                self.public_or_plan,
            ),
            ("Every offered plan is locked", self.plans_locked),
        ]
    }

    fn missing(&self) -> String {
        self.items()
            .into_iter()
            .filter(|(_, ok)| !ok)
            .map(|(label, _)| label.to_lowercase())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// An unpublished version is Created or Ready depending on its checklist; later statuses only
/// change through Publish and Retire.
pub fn settle(current: ApiStatus, readiness: &Readiness) -> ApiStatus {
    match current {
        ApiStatus::Created | ApiStatus::Ready if readiness.is_ready() => ApiStatus::Ready,
        ApiStatus::Created | ApiStatus::Ready => ApiStatus::Created,
        other => other,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApiAction {
    Publish,
    Retire,
}

pub fn api_transition(
    current: ApiStatus,
    action: ApiAction,
    readiness: &Readiness,
) -> Result<ApiStatus, String> {
    match (action, current) {
        (ApiAction::Publish, ApiStatus::Created | ApiStatus::Ready) if readiness.is_ready() => {
            Ok(ApiStatus::Published)
        }
        (ApiAction::Publish, ApiStatus::Created | ApiStatus::Ready) => Err(format!(
            "This API version is not ready to publish: {}.",
            readiness.missing()
        )),
        (ApiAction::Publish, ApiStatus::Published) => {
            Err("This API version is already published.".into())
        }
        (ApiAction::Publish, ApiStatus::Retired) => {
            Err("A retired API version cannot be published again: create a new version.".into())
        }
        (ApiAction::Retire, ApiStatus::Published) => Ok(ApiStatus::Retired),
        (ApiAction::Retire, _) => Err("Only a published API version can be retired.".into()),
    }
}

/// The kinds of change an API version can receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiChange {
    /// Description, markdown documentation, featured flag.
    Details,
    /// Endpoint and public flag.
    Implementation,
    Plans,
    Policies,
    /// The OpenAPI definition.
    Definition,
}

/// Once published, what consumers rely on (endpoint, visibility, plans, policies) is fixed, as in
/// apiman; documentation can still improve. A retired version changes no more.
pub fn api_change_allowed(status: ApiStatus, change: ApiChange) -> Result<(), String> {
    match (status, change) {
        (ApiStatus::Created | ApiStatus::Ready, _) => Ok(()),
        (ApiStatus::Published, ApiChange::Details) => Ok(()),
        (ApiStatus::Published, ApiChange::Definition) => Err(
            "This API version is published: its OpenAPI definition is fixed, like its endpoint. Create a new version to change it."
                .into(),
        ),
        (ApiStatus::Published, ApiChange::Plans) => Err(
            "This API version is published: its plans can no longer change. Create a new version to offer other plans."
                .into(),
        ),
        (ApiStatus::Published, _) => Err(
            "This API version is published: its endpoint, visibility and policies can no longer change. Create a new version instead."
                .into(),
        ),
        (ApiStatus::Retired, _) => Err("This API version is retired and cannot be changed.".into()),
    }
}

pub fn plan_change_allowed(status: PlanStatus) -> Result<(), String> {
    match status {
        PlanStatus::Created => Ok(()),
        PlanStatus::Locked => Err(
            "This plan version is locked and cannot be revised. Create a new version instead."
                .into(),
        ),
    }
}

pub fn plan_lock(status: PlanStatus) -> Result<PlanStatus, String> {
    match status {
        PlanStatus::Created => Ok(PlanStatus::Locked),
        PlanStatus::Locked => Err("This plan version is already locked.".into()),
    }
}

/// An API can be deleted only when none of its versions is live.
pub fn api_delete_allowed(statuses: &[ApiStatus]) -> Result<(), String> {
    if statuses.contains(&ApiStatus::Published) {
        Err("A published API cannot be deleted: retire its published versions first.".into())
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ApiStatus::*;

    const READY: Readiness = Readiness {
        endpoint_set: true,
        public_or_plan: true,
        plans_locked: true,
    };
    const NOT_READY: Readiness = Readiness {
        endpoint_set: false,
        public_or_plan: true,
        plans_locked: true,
    };

    #[test]
    fn readiness_needs_endpoint_visibility_and_locked_plans() {
        assert!(Readiness::of("http://up", true, 0, 0).is_ready());
        assert!(Readiness::of("http://up", false, 2, 0).is_ready());
        assert!(!Readiness::of("", true, 0, 0).is_ready());
        assert!(!Readiness::of("  ", true, 0, 0).is_ready());
        assert!(!Readiness::of("http://up", false, 0, 0).is_ready());
        assert!(!Readiness::of("http://up", false, 2, 1).is_ready());
        let r = Readiness::of("", false, 1, 1);
        assert_eq!(r.items().iter().filter(|(_, ok)| *ok).count(), 1);
    }

    #[test]
    fn unpublished_status_follows_the_checklist() {
        assert_eq!(settle(Created, &READY), Ready);
        assert_eq!(settle(Ready, &NOT_READY), Created);
        assert_eq!(settle(Created, &NOT_READY), Created);
        assert_eq!(settle(Published, &NOT_READY), Published);
        assert_eq!(settle(Retired, &READY), Retired);
    }

    #[test]
    fn every_api_transition() {
        use ApiAction::*;
        assert_eq!(api_transition(Ready, Publish, &READY), Ok(Published));
        assert!(
            api_transition(Created, Publish, &NOT_READY)
                .unwrap_err()
                .contains("endpoint")
        );
        assert!(api_transition(Published, Publish, &READY).is_err());
        assert!(api_transition(Retired, Publish, &READY).is_err());
        assert_eq!(api_transition(Published, Retire, &READY), Ok(Retired));
        for s in [Created, Ready, Retired] {
            assert!(api_transition(s, Retire, &READY).is_err(), "{s:?}");
        }
    }

    #[test]
    fn published_versions_keep_what_consumers_rely_on() {
        use ApiChange::*;
        for c in [Details, Implementation, Plans, Policies, Definition] {
            assert!(api_change_allowed(Created, c).is_ok());
            assert!(api_change_allowed(Ready, c).is_ok());
            assert!(api_change_allowed(Retired, c).is_err());
        }
        assert!(api_change_allowed(Published, Details).is_ok());
        assert!(
            api_change_allowed(Published, Plans)
                .unwrap_err()
                .contains("plans")
        );
        assert!(api_change_allowed(Published, Implementation).is_err());
        assert!(api_change_allowed(Published, Policies).is_err());
        assert!(
            api_change_allowed(Published, Definition)
                .unwrap_err()
                .contains("OpenAPI definition")
        );
    }

    #[test]
    fn plans_lock_once_and_then_refuse_changes() {
        assert_eq!(plan_lock(PlanStatus::Created), Ok(PlanStatus::Locked));
        assert!(plan_lock(PlanStatus::Locked).is_err());
        assert!(plan_change_allowed(PlanStatus::Created).is_ok());
        assert!(
            plan_change_allowed(PlanStatus::Locked)
                .unwrap_err()
                .contains("locked")
        );
    }

    #[test]
    fn published_apis_cannot_be_deleted() {
        assert!(api_delete_allowed(&[Created, Retired]).is_ok());
        assert!(api_delete_allowed(&[Retired, Published]).is_err());
        assert!(api_delete_allowed(&[]).is_ok());
    }

    /// The text a status is shown and stored as reads back as that status (the database's
    /// encoding is checked against the migrations in `sql_text`).
    #[test]
    fn statuses_round_trip() {
        let back = |text: &str| serde_json::Value::String(text.into());
        for s in [Created, Ready, Published, Retired] {
            assert_eq!(
                serde_json::from_value::<ApiStatus>(back(s.as_str())).ok(),
                Some(s)
            );
        }
        for s in [PlanStatus::Created, PlanStatus::Locked] {
            assert_eq!(
                serde_json::from_value::<PlanStatus>(back(s.as_str())).ok(),
                Some(s)
            );
        }
    }
}
