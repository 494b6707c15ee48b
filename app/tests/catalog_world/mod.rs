//! The world the catalog tests share: STRINGER owned by david, with a Viewer and an outsider,
//! and the values they build plans, policies and offers from.
// Each test binary that includes this module uses a part of it.
#![allow(dead_code)]

use app::api::apis::PlanOfferInput;
use app::api::orgs::create_organization;
use app::domain::catalog::{PolicyLevel, PolicyOwner};
use app::domain::policy::{FormValues, PolicyType};
use app::domain::roles::Role;
use sqlx::PgPool;

use super::common;

pub const ORG: &str = "STRINGER";

pub fn s(v: &str) -> String {
    v.to_string()
}

pub fn plan_owner(plan: &str, version: &str) -> PolicyOwner {
    PolicyOwner {
        level: PolicyLevel::Plan,
        org: s(ORG),
        entity: s(plan),
        version: s(version),
    }
}

pub fn rate_limit(limit: &str) -> FormValues {
    let mut form = PolicyType::RateLimiting.default_form();
    form.insert(s("limit"), s(limit));
    form.insert(s("period"), s("Day"));
    form.insert(s("granularity"), s("Client"));
    form
}

pub fn offer(plan: &str, approval: bool) -> Vec<PlanOfferInput> {
    vec![PlanOfferInput {
        plan_id: s(plan),
        version: s("1.0"),
        requires_approval: approval,
    }]
}

/// david owns STRINGER; viewer is a Viewer there; outsider belongs nowhere.
pub async fn world(pool: &PgPool) {
    for name in ["david", "viewer", "outsider"] {
        common::user(pool, name, false, false).await;
    }
    let _o = common::as_user(pool, "david").await;
    create_organization(s(ORG), s("Stringer"), String::new())
        .await
        .expect("org");
    common::join(pool, ORG, "viewer", Role::Viewer).await;
}
