//! API keys with a lifecycle: a client version holds one or more. Rotate issues a new key and
//! gives the keys in use a grace period; Revoke ends one at once. A key's state follows from
//! its expiry and revocation alone, so the gateway (from its registry) and the screens (from
//! the database) decide it with this same code.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::FieldError;

/// The shortest and longest grace period a rotated key keeps, in hours (1 hour, 30 days).
pub const GRACE_HOURS_MIN: u32 = 1;
pub const GRACE_HOURS_MAX: u32 = 30 * 24;
/// What Rotate offers unless the user picks another grace period.
pub const GRACE_HOURS_DEFAULT: u32 = 24;
/// Keys in use (Active or Expiring) a client version may hold: Rotate refuses beyond, so that
/// repeated rotations with long grace periods cannot pile up valid keys.
pub const MAX_KEYS_IN_USE: usize = 10;
/// Ended keys (Revoked or Expired) kept per client version, newest first, so that the gateway
/// can still tell a caller why such a key is refused; older ones are forgotten.
pub const ENDED_KEYS_KEPT: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyState {
    /// Valid, with no end set.
    Active,
    /// Valid until its expiry: the grace period after a rotation.
    Expiring,
    Revoked,
    Expired,
}

impl KeyState {
    pub fn label(self) -> &'static str {
        match self {
            KeyState::Active => "Active",
            KeyState::Expiring => "Expiring",
            KeyState::Revoked => "Revoked",
            KeyState::Expired => "Expired",
        }
    }

    /// Whether the gateway accepts the key.
    pub fn in_use(self) -> bool {
        matches!(self, KeyState::Active | KeyState::Expiring)
    }
}

/// What a key's state follows from; times are Unix seconds, cheap to compare on a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct KeyLife {
    pub expires_at: Option<i64>,
    pub revoked: bool,
}

impl KeyLife {
    /// The state at `now` (Unix seconds). A key is refused from its expiry second on.
    pub fn state(&self, now: i64) -> KeyState {
        match self.expires_at {
            _ if self.revoked => KeyState::Revoked,
            None => KeyState::Active,
            Some(end) if now < end => KeyState::Expiring,
            Some(_) => KeyState::Expired,
        }
    }
}

/// A grace period, checked: whole hours from `GRACE_HOURS_MIN` to `GRACE_HOURS_MAX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grace(u32);

impl Grace {
    pub fn hours(hours: i64) -> Result<Grace, FieldError> {
        u32::try_from(hours)
            .ok()
            .filter(|h| (GRACE_HOURS_MIN..=GRACE_HOURS_MAX).contains(h))
            .map(Grace)
            .ok_or_else(|| {
                FieldError::new(
                    "grace_hours",
                    format!(
                        "The grace period must be {GRACE_HOURS_MIN} to {GRACE_HOURS_MAX} hours (30 days)."
                    ),
                )
            })
    }

    pub fn as_hours(self) -> u32 {
        self.0
    }

    /// When a key in use stops being valid if rotated at `now` with this grace.
    pub fn end(self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + chrono::Duration::hours(i64::from(self.0))
    }
}

impl Default for Grace {
    fn default() -> Self {
        Grace(GRACE_HOURS_DEFAULT)
    }
}

/// Rotate is refused when the client already holds as many keys in use as it may.
pub fn can_rotate(keys_in_use: usize) -> Result<(), String> {
    if keys_in_use >= MAX_KEYS_IN_USE {
        return Err(format!(
            "This client already has {MAX_KEYS_IN_USE} keys in use: revoke one before rotating again."
        ));
    }
    Ok(())
}

/// Revoke ends a key in use; an ended one stays as it is.
pub fn can_revoke(state: KeyState) -> Result<(), String> {
    match state {
        KeyState::Active | KeyState::Expiring => Ok(()),
        KeyState::Revoked => Err("This key is already revoked.".into()),
        KeyState::Expired => Err("This key has already expired.".into()),
    }
}

/// One key as the console and the portal list it. `key` is the whole key, only for those who
/// may see keys and only while it is in use; `hint` is the shortened form shown otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientKey {
    pub id: i64,
    pub key: Option<String>,
    pub hint: String,
    pub state: KeyState,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<String>,
    /// Approximate: gateways write it about once a minute.
    pub last_used_at: Option<DateTime<Utc>>,
}

/// The keys of a client version, newest first, with what the viewer may do with them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientKeys {
    pub keys: Vec<ClientKey>,
    /// Rotate and Revoke are offered (the viewer may edit the client, which is not retired).
    pub can_manage: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_follows_revocation_then_expiry() {
        let life = |expires_at, revoked| KeyLife {
            expires_at,
            revoked,
        };
        assert_eq!(life(None, false).state(100), KeyState::Active);
        assert_eq!(life(Some(101), false).state(100), KeyState::Expiring);
        assert_eq!(
            life(Some(100), false).state(100),
            KeyState::Expired,
            "refused from its expiry second on"
        );
        assert_eq!(life(Some(50), false).state(100), KeyState::Expired);
        assert_eq!(life(None, true).state(100), KeyState::Revoked);
        assert_eq!(
            life(Some(50), true).state(100),
            KeyState::Revoked,
            "revoked wins"
        );
        assert!(KeyState::Active.in_use() && KeyState::Expiring.in_use());
        assert!(!KeyState::Revoked.in_use() && !KeyState::Expired.in_use());
    }

    #[test]
    fn grace_is_one_hour_to_thirty_days() {
        assert_eq!(Grace::hours(1).map(Grace::as_hours), Ok(1));
        assert_eq!(Grace::hours(720).map(Grace::as_hours), Ok(720));
        for bad in [0, -1, 721, i64::MAX, i64::MIN, i64::from(u32::MAX) + 1] {
            let e = Grace::hours(bad).expect_err("out of range");
            assert_eq!(e.field, "grace_hours");
            assert!(e.message.contains("1 to 720 hours"), "{}", e.message);
        }
        assert_eq!(Grace::default().as_hours(), 24);
        let now = DateTime::<Utc>::from_timestamp(1_000_000, 0).expect("time");
        assert_eq!(Grace::hours(2).expect("ok").end(now).timestamp(), 1_007_200);
    }

    #[test]
    fn rotation_stops_at_the_cap_and_revocation_needs_a_key_in_use() {
        assert!(can_rotate(0).is_ok());
        assert!(can_rotate(MAX_KEYS_IN_USE - 1).is_ok());
        let e = can_rotate(MAX_KEYS_IN_USE).expect_err("at the cap");
        assert!(e.contains("10 keys in use"), "{e}");
        assert!(can_revoke(KeyState::Active).is_ok());
        assert!(can_revoke(KeyState::Expiring).is_ok());
        assert!(can_revoke(KeyState::Revoked).is_err());
        assert!(can_revoke(KeyState::Expired).is_err());
    }
}
