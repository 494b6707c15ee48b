//! Invitations: how a non-administrator adds a member without learning whether the account
//! exists. The invited user joins by accepting; until then the invitation is only a name.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::roles::Role;

/// How long an invitation can be accepted.
pub const VALID_DAYS: i64 = 14;
/// Pending invitations per organization: enough for onboarding a team, small enough that nobody
/// fills the table by inviting guessed names.
pub const MAX_PENDING_PER_ORG: i64 = 100;
/// Invitations listed for one user, newest first.
pub const MAX_LISTED_PER_USER: i64 = 50;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub org_id: String,
    pub org_name: String,
    pub username: String,
    pub role: Role,
    pub invited_by: String,
    pub expires_at: DateTime<Utc>,
}

/// What adding a member did: administrators add directly (they can list every user anyway);
/// everyone else invites, and learns nothing about the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MemberAdded {
    Added,
    Invited,
}

pub fn expires_at(created_at: DateTime<Utc>) -> DateTime<Utc> {
    created_at + Duration::days(VALID_DAYS)
}

/// The same words whether or not the account exists.
pub fn invited_message(username: &str) -> String {
    format!("Invitation sent to {username}: they become a member once they accept it.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invitations_last_two_weeks() {
        let t = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .expect("time")
            .with_timezone(&Utc);
        assert_eq!(expires_at(t).to_rfc3339(), "2026-01-15T00:00:00+00:00");
    }

    #[test]
    fn the_message_does_not_depend_on_the_account() {
        assert_eq!(
            invited_message("nobody"),
            "Invitation sent to nobody: they become a member once they accept it."
        );
    }
}
