//! The data shapes that travel between server and browser.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::roles::Role;

/// The signed-in user as the UI needs to know them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub username: String,
    pub display_name: String,
    pub is_admin: bool,
    pub portal_only: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub is_admin: bool,
    pub portal_only: bool,
    pub disabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    pub id: String,
    pub name: String,
    pub description: String,
    pub created_at: DateTime<Utc>,
}

/// An organization together with what the current user may do in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgView {
    pub org: Organization,
    pub my_role: Option<Role>,
    pub can_edit: bool,
    pub can_manage_members: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgListItem {
    pub id: String,
    pub name: String,
    pub description: String,
    pub my_role: Option<Role>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub username: String,
    pub display_name: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub entity_type: String,
    pub entity_id: String,
    pub action: String,
    pub data: serde_json::Value,
}

impl AuditEntry {
    /// One readable line, e.g. "Added member rose as Viewer".
    pub fn describe(&self) -> String {
        let field = |k: &str| {
            self.data
                .get(k)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        match (self.entity_type.as_str(), self.action.as_str()) {
            ("organization", "created") => format!("Created organization {}", self.entity_id),
            ("organization", "updated") => format!("Updated organization {}", self.entity_id),
            ("member", "added") => format!(
                "Added member {} as {}",
                self.entity_id,
                role_label(&field("role"))
            ),
            ("member", "role_changed") => format!(
                "Changed the role of {} to {}",
                self.entity_id,
                role_label(&field("role"))
            ),
            ("member", "removed") => format!("Removed member {}", self.entity_id),
            ("member", "invited") => format!(
                "Invited {} as {}",
                self.entity_id,
                role_label(&field("role"))
            ),
            ("member", "invitation_cancelled") => {
                format!("Cancelled the invitation of {}", self.entity_id)
            }
            ("member", "joined") => format!(
                "{} accepted the invitation and joined as {}",
                self.entity_id,
                role_label(&field("role"))
            ),
            ("client", "contract_created" | "contract_approved" | "contract_deleted") => format!(
                "{} contract of {} {} with {} ({})",
                capitalize(self.action.trim_start_matches("contract_")),
                self.entity_id,
                field("version"),
                field("api"),
                field("plan")
            ),
            ("client", "contract_rejected") => format!(
                "Rejected the request of {} {} for {} ({}): {}",
                self.entity_id,
                field("version"),
                field("api"),
                field("plan"),
                field("reason")
            ),
            ("api" | "plan" | "client", "created") => format!(
                "Created {} {} version {}",
                label(&self.entity_type),
                self.entity_id,
                field("version")
            ),
            ("api" | "plan" | "client", "version_created") => format!(
                "Created version {} of {} {} from {}",
                field("version"),
                label(&self.entity_type),
                self.entity_id,
                field("from")
            ),
            ("api" | "plan", "policy_added") => format!(
                "Added a {} policy to {} {} {}",
                field("type"),
                label(&self.entity_type),
                self.entity_id,
                field("version")
            ),
            ("api" | "plan" | "client", action) if !field("version").is_empty() => format!(
                "{} {} {} {}",
                capitalize(action),
                label(&self.entity_type),
                self.entity_id,
                field("version")
            ),
            (entity, action) => format!("{} {} {}", capitalize(action), entity, self.entity_id),
        }
    }
}

fn label(entity_type: &str) -> &str {
    match entity_type {
        "api" => "API",
        other => other,
    }
}

fn role_label(stored: &str) -> &'static str {
    Role::parse(stored)
        .map(Role::label)
        .unwrap_or("unknown role")
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first
            .to_uppercase()
            .chain(chars)
            .collect::<String>()
            .replace('_', " "),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(entity: &str, action: &str, data: serde_json::Value) -> AuditEntry {
        AuditEntry {
            id: 1,
            at: Utc::now(),
            actor: "admin".into(),
            entity_type: entity.into(),
            entity_id: "rose".into(),
            action: action.into(),
            data,
        }
    }

    #[test]
    fn describes_member_changes_with_role_labels() {
        let e = entry(
            "member",
            "added",
            serde_json::json!({"role": "api_developer"}),
        );
        assert_eq!(e.describe(), "Added member rose as API Developer");
        let e = entry(
            "member",
            "role_changed",
            serde_json::json!({"role": "viewer"}),
        );
        assert_eq!(e.describe(), "Changed the role of rose to Viewer");
    }

    #[test]
    fn unknown_entries_still_read_as_a_sentence() {
        let e = entry("plan", "locked", serde_json::json!({}));
        assert_eq!(e.describe(), "Locked plan rose");
    }
}
