//! A policy as the database holds it, read in one piece: `{"id": 7, "type":
//! "RateLimitingPolicy", "config": {...}}`, the shape of a registration snapshot's entries and of
//! what the stores select for a policy row. Decoding one checks its configuration once. A policy
//! that does not check out keeps the reason instead of failing the read: one bad row shows as an
//! invalid policy in the console and refuses its API's requests in the gateway, while every other
//! policy is still read.

use std::fmt;

use serde::{Deserialize, Deserializer};

use super::{FieldError, PolicyConfig, PolicyType};

#[derive(Debug, Clone, PartialEq)]
pub struct StoredPolicy {
    /// The policy's row id.
    pub id: i64,
    pub config: Result<PolicyConfig, Unusable>,
}

/// Why a stored policy cannot be used.
#[derive(Debug, Clone, PartialEq)]
pub enum Unusable {
    /// A type id this version does not know.
    UnknownType(String),
    /// Settings that do not decode or validate for the type.
    Invalid(PolicyType, FieldError),
}

impl fmt::Display for Unusable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unusable::UnknownType(t) => write!(f, "unknown policy type {t}"),
            Unusable::Invalid(_, e) => write!(f, "{}: {}", e.field, e.message),
        }
    }
}

impl StoredPolicy {
    /// Checks the stored `config` of a policy of type `type_id`.
    pub fn new(id: i64, type_id: &str, config: &serde_json::Value) -> StoredPolicy {
        let config = match PolicyType::parse(type_id) {
            None => Err(Unusable::UnknownType(type_id.to_string())),
            Some(t) => {
                PolicyConfig::from_json(t, &config.to_string()).map_err(|e| Unusable::Invalid(t, e))
            }
        };
        StoredPolicy { id, config }
    }

    /// None for a type this version does not know.
    pub fn policy_type(&self) -> Option<PolicyType> {
        match &self.config {
            Ok(c) => Some(c.policy_type()),
            Err(Unusable::Invalid(t, _)) => Some(*t),
            Err(Unusable::UnknownType(_)) => None,
        }
    }
}

/// The stored shape: every key is always written, by the stores and by registration.
#[derive(Deserialize)]
struct Raw {
    id: i64,
    #[serde(rename = "type")]
    policy_type: String,
    config: serde_json::Value,
}

impl<'de> Deserialize<'de> for StoredPolicy {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Raw::deserialize(deserializer)?;
        Ok(StoredPolicy::new(raw.id, &raw.policy_type, &raw.config))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> StoredPolicy {
        serde_json::from_str(json).expect("a stored policy")
    }

    #[test]
    fn a_stored_policy_reads_back_checked() {
        let p = read(
            r#"{"id":7,"type":"IgnoredResourcesPolicy","config":{"rules":[{"verb":"get","pathPattern":"/a"}]}}"#,
        );
        assert_eq!(p.id, 7);
        assert_eq!(p.policy_type(), Some(PolicyType::IgnoredResources));
        let Ok(config) = &p.config else {
            panic!("{p:?}")
        };
        assert_eq!(
            config.to_json(),
            r#"{"rules":[{"verb":"GET","pathPattern":"/a"}]}"#
        );
    }

    #[test]
    fn a_bad_policy_keeps_its_reason_instead_of_failing_the_read() {
        let invalid = read(r#"{"id":1,"type":"IgnoredResourcesPolicy","config":{"rules":[]}}"#);
        assert_eq!(invalid.policy_type(), Some(PolicyType::IgnoredResources));
        let Err(reason) = &invalid.config else {
            panic!("{invalid:?}")
        };
        assert!(reason.to_string().starts_with("rules: "), "{reason}");
        let unknown = read(r#"{"id":2,"type":"NoSuchPolicy","config":{}}"#);
        assert_eq!(unknown.policy_type(), None);
        assert_eq!(
            unknown.config,
            Err(Unusable::UnknownType("NoSuchPolicy".into()))
        );
        let list: Vec<StoredPolicy> =
            serde_json::from_str(r#"[{"id":3,"type":"QuotaPolicy","config":"x"}]"#).expect("list");
        assert!(list[0].config.is_err());
    }
}
