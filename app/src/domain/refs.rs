//! References to an API, plan or client (`EntityRef`) and to one of its versions
//! (`VersionRef`), with the console and portal URLs that show them.
//!
//! A reference displays as `org/id` or `org/id/version`: ids and versions never hold a `/`
//! (`domain::ids`), so the text is unambiguous, and it is the form the portal carries a client
//! version in (`?for=org/client/version`), which `VersionRef::from_str` reads back.

use std::fmt;
use std::str::FromStr;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, PercentEncode, utf8_percent_encode};
use serde::{Deserialize, Serialize};

use super::ids::{validate_id, validate_version};

/// Which versioned entity a reference names: its console URLs differ by one segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Kind {
    Api,
    Plan,
    Client,
}

impl Kind {
    /// The path segment of its console pages, which is also the organization's tab that lists
    /// them: "apis", "plans", "clients".
    pub fn segment(self) -> &'static str {
        match self {
            Kind::Api => "apis",
            Kind::Plan => "plans",
            Kind::Client => "clients",
        }
    }
}

/// What stays as it is in a URL path segment or query value: RFC 3986's unreserved characters.
/// Validated ids and versions hold nothing else, so for them encoding changes nothing; a
/// hand-typed route parameter with anything else is escaped instead of breaking the URL.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn enc(s: &str) -> PercentEncode<'_> {
    utf8_percent_encode(s, UNRESERVED)
}

/// The organization's page: `/orgs/{org}`.
pub fn org_url(org: &str) -> String {
    format!("/orgs/{}", enc(org))
}

/// A tab of the organization's page: `/orgs/{org}/{tab}` (`Kind::segment` names the APIs,
/// Plans and Clients tabs).
pub fn org_tab_url(org: &str, tab: &str) -> String {
    format!("{}/{}", org_url(org), enc(tab))
}

/// An API, plan or client of an organization, whatever its version.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EntityRef {
    pub org: String,
    pub id: String,
}

impl EntityRef {
    pub fn new(org: impl Into<String>, id: impl Into<String>) -> Self {
        Self {
            org: org.into(),
            id: id.into(),
        }
    }

    /// Version `version` of this entity.
    pub fn at(&self, version: impl Into<String>) -> VersionRef {
        VersionRef::new(self.org.clone(), self.id.clone(), version)
    }

    /// The console page of version `version` (the version switcher's links):
    /// `/orgs/{org}/{kind}/{id}/{version}`.
    pub fn version_url(&self, kind: Kind, version: &str) -> String {
        format!(
            "/orgs/{}/{}/{}/{}",
            enc(&self.org),
            kind.segment(),
            enc(&self.id),
            enc(version)
        )
    }

    /// The portal page of this API at its newest published version:
    /// `/portal/apis/{org}/{id}`, with `?for=` when a client version is being signed up.
    pub fn portal_url(&self, for_client: Option<&VersionRef>) -> String {
        let mut url = format!("/portal/apis/{}/{}", enc(&self.org), enc(&self.id));
        if let Some(client) = for_client {
            url.push_str(&format!("?for={}", client.for_value()));
        }
        url
    }
}

impl fmt::Display for EntityRef {
    /// `org/id`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.org, self.id)
    }
}

/// One version of an API, plan or client.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VersionRef {
    pub org: String,
    pub id: String,
    pub version: String,
}

impl VersionRef {
    pub fn new(org: impl Into<String>, id: impl Into<String>, version: impl Into<String>) -> Self {
        Self {
            org: org.into(),
            id: id.into(),
            version: version.into(),
        }
    }

    /// The entity this is a version of.
    pub fn entity(&self) -> EntityRef {
        EntityRef::new(self.org.clone(), self.id.clone())
    }

    /// The console page of this version: `/orgs/{org}/{kind}/{id}/{version}`.
    pub fn console_url(&self, kind: Kind) -> String {
        format!(
            "/orgs/{}/{}/{}/{}",
            enc(&self.org),
            kind.segment(),
            enc(&self.id),
            enc(&self.version)
        )
    }

    /// A tab of this version's console page: `/orgs/{org}/{kind}/{id}/{version}/{tab}`.
    pub fn tab_url(&self, kind: Kind, tab: &str) -> String {
        format!("{}/{}", self.console_url(kind), enc(tab))
    }

    /// The portal page of this API version: `/portal/apis/{org}/{id}?version={version}`, with
    /// `&for=` when a client version is being signed up.
    pub fn portal_url(&self, for_client: Option<&VersionRef>) -> String {
        let mut url = format!(
            "/portal/apis/{}/{}?version={}",
            enc(&self.org),
            enc(&self.id),
            enc(&self.version)
        );
        if let Some(client) = for_client {
            url.push_str(&format!("&for={}", client.for_value()));
        }
        url
    }

    /// The portal's sign-up for `plan` of this API version. Plans belong to the API's
    /// organization, so the link names only the plan's id and version:
    /// `/portal/signup?org=…&api=…&version=…&plan=…&plan_version=…`, with `&for=` when a client
    /// version is being signed up.
    pub fn portal_signup_url(&self, plan: &VersionRef, for_client: Option<&VersionRef>) -> String {
        let mut url = format!(
            "/portal/signup?org={}&api={}&version={}&plan={}&plan_version={}",
            enc(&self.org),
            enc(&self.id),
            enc(&self.version),
            enc(&plan.id),
            enc(&plan.version)
        );
        if let Some(client) = for_client {
            url.push_str(&format!("&for={}", client.for_value()));
        }
        url
    }

    /// The portal's home, carrying this client version as the one to sign up for an API:
    /// `/portal?for={org}/{id}/{version}`.
    pub fn portal_for_client_url(&self) -> String {
        format!("/portal?for={}", self.for_value())
    }

    /// The path under which the gateway serves this API version: `/gateway/{org}/{id}/{version}`.
    pub fn gateway_path(&self) -> String {
        super::urls::gateway_path(&self.org, &self.id, &self.version)
    }

    /// This version as a `for` query value: `org/id/version`, each part encoded.
    fn for_value(&self) -> String {
        format!(
            "{}/{}/{}",
            enc(&self.org),
            enc(&self.id),
            enc(&self.version)
        )
    }
}

impl fmt::Display for VersionRef {
    /// `org/id/version`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.org, self.id, self.version)
    }
}

/// Text that is not a reference: wrong number of `/`-separated parts, or a part that is not a
/// valid id or version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidRef;

impl fmt::Display for InvalidRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a reference of the form org/id or org/id/version")
    }
}

impl std::error::Error for InvalidRef {}

impl FromStr for EntityRef {
    type Err = InvalidRef;

    /// Reads `org/id`, as `Display` writes it; both parts must be valid ids.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (org, id) = s.split_once('/').ok_or(InvalidRef)?;
        validate_id("org", org).map_err(|_| InvalidRef)?;
        validate_id("id", id).map_err(|_| InvalidRef)?;
        Ok(Self::new(org, id))
    }
}

impl FromStr for VersionRef {
    type Err = InvalidRef;

    /// Reads `org/id/version`, as `Display` writes it (the portal's `?for=`); each part must
    /// be a valid id or version.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (entity, version) = s.rsplit_once('/').ok_or(InvalidRef)?;
        let entity: EntityRef = entity.parse()?;
        validate_version("version", version).map_err(|_| InvalidRef)?;
        Ok(entity.at(version))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn echo() -> VersionRef {
        VersionRef::new("acme", "Echo", "1.0")
    }

    #[test]
    fn console_urls() {
        assert_eq!(org_url("acme"), "/orgs/acme");
        assert_eq!(org_tab_url("acme", Kind::Api.segment()), "/orgs/acme/apis");
        assert_eq!(
            org_tab_url("acme", Kind::Client.segment()),
            "/orgs/acme/clients"
        );
        assert_eq!(echo().console_url(Kind::Api), "/orgs/acme/apis/Echo/1.0");
        assert_eq!(
            VersionRef::new("acme", "Gold", "2024-06").console_url(Kind::Plan),
            "/orgs/acme/plans/Gold/2024-06"
        );
        assert_eq!(
            VersionRef::new("acme", "my_app", "v2_beta").console_url(Kind::Client),
            "/orgs/acme/clients/my_app/v2_beta"
        );
        assert_eq!(
            echo().tab_url(Kind::Api, "overview"),
            "/orgs/acme/apis/Echo/1.0/overview"
        );
        assert_eq!(
            echo().entity().version_url(Kind::Api, "2.0"),
            "/orgs/acme/apis/Echo/2.0"
        );
    }

    #[test]
    fn portal_urls() {
        let client = VersionRef::new("bob-personal", "App", "1.0");
        let api = echo().entity();
        assert_eq!(api.portal_url(None), "/portal/apis/acme/Echo");
        assert_eq!(
            api.portal_url(Some(&client)),
            "/portal/apis/acme/Echo?for=bob-personal/App/1.0"
        );
        assert_eq!(
            echo().portal_url(None),
            "/portal/apis/acme/Echo?version=1.0"
        );
        assert_eq!(
            echo().portal_url(Some(&client)),
            "/portal/apis/acme/Echo?version=1.0&for=bob-personal/App/1.0"
        );
        let gold = VersionRef::new("acme", "Gold", "1.0");
        assert_eq!(
            echo().portal_signup_url(&gold, None),
            "/portal/signup?org=acme&api=Echo&version=1.0&plan=Gold&plan_version=1.0"
        );
        assert_eq!(
            echo().portal_signup_url(&gold, Some(&client)),
            "/portal/signup?org=acme&api=Echo&version=1.0&plan=Gold&plan_version=1.0&for=bob-personal/App/1.0"
        );
        assert_eq!(
            client.portal_for_client_url(),
            "/portal?for=bob-personal/App/1.0"
        );
        assert_eq!(echo().gateway_path(), "/gateway/acme/Echo/1.0");
    }

    #[test]
    fn valid_ids_and_versions_need_no_escaping() {
        // Every character `domain::ids` allows in an id or a version.
        let id = "AZaz09-_";
        let version = "AZaz09.-_";
        let v = VersionRef::new(id, id, version);
        assert_eq!(
            v.console_url(Kind::Api),
            format!("/orgs/{id}/apis/{id}/{version}")
        );
        assert_eq!(
            v.portal_for_client_url(),
            format!("/portal?for={id}/{id}/{version}")
        );
    }

    #[test]
    fn anything_else_is_escaped() {
        let v = VersionRef::new("a/b", "c d", "1?x=2#f");
        assert_eq!(
            v.console_url(Kind::Api),
            "/orgs/a%2Fb/apis/c%20d/1%3Fx%3D2%23f"
        );
        assert_eq!(
            v.portal_for_client_url(),
            "/portal?for=a%2Fb/c%20d/1%3Fx%3D2%23f"
        );
        assert_eq!(
            VersionRef::new("acme", "Ünï", "1&2").portal_url(None),
            "/portal/apis/acme/%C3%9Cn%C3%AF?version=1%262"
        );
    }

    #[test]
    fn display_and_parse_round_trip() {
        assert_eq!(echo().to_string(), "acme/Echo/1.0");
        assert_eq!(echo().entity().to_string(), "acme/Echo");
        assert_eq!("acme/Echo/1.0".parse::<VersionRef>(), Ok(echo()));
        assert_eq!("acme/Echo".parse::<EntityRef>(), Ok(echo().entity()));
        for bad in [
            "",
            "acme",
            "acme/Echo",
            "acme/Echo/",
            "/Echo/1.0",
            "acme//1.0",
            "acme/Echo/1.0/x",
            "acme/Ec ho/1.0",
        ] {
            assert_eq!(bad.parse::<VersionRef>(), Err(InvalidRef), "{bad:?}");
        }
        assert_eq!("acme/Echo/1.0".parse::<EntityRef>(), Err(InvalidRef));
    }

    #[test]
    fn serde_keeps_the_field_names() {
        let json = serde_json::to_value(echo()).expect("serialize");
        assert_eq!(
            json,
            serde_json::json!({"org": "acme", "id": "Echo", "version": "1.0"})
        );
    }
}
