//! Organization roles and what each one allows.

use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "ssr", derive(sqlx::Encode, sqlx::Decode))]
#[cfg_attr(feature = "ssr", sqlx(rename_all = "snake_case"))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    Owner,
    ApiDeveloper,
    ClientDeveloper,
    Viewer,
}

/// Things a user may do inside one organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Permission {
    /// See the organization and everything in it.
    View,
    /// Change the organization's name or description, or delete it.
    EditOrg,
    /// Add, change and remove members.
    ManageMembers,
    /// Create and change APIs.
    EditApis,
    /// Create, change and lock plans.
    EditPlans,
    /// Create and change clients and their contracts.
    EditClients,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Owner,
        Role::ApiDeveloper,
        Role::ClientDeveloper,
        Role::Viewer,
    ];

    pub fn allows(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Owner => true,
            Role::ApiDeveloper => matches!(permission, View | EditApis | EditPlans),
            Role::ClientDeveloper => matches!(permission, View | EditClients),
            Role::Viewer => matches!(permission, View),
        }
    }

    /// The value stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::ApiDeveloper => "api_developer",
            Role::ClientDeveloper => "client_developer",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(value: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Owner => "Owner",
            Role::ApiDeveloper => "API Developer",
            Role::ClientDeveloper => "Client Developer",
            Role::Viewer => "Viewer",
        }
    }
}

/// Who is acting: enough to decide any permission question without another query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub username: String,
    pub is_admin: bool,
    pub portal_only: bool,
}

impl Actor {
    /// Administrators may do everything; everyone else needs a role in the organization.
    /// Portal-only users never get console permissions, whatever their role says.
    pub fn may(&self, role: Option<Role>, permission: Permission) -> bool {
        if self.is_admin {
            return true;
        }
        if self.portal_only {
            return false;
        }
        role.is_some_and(|r| r.allows(permission))
    }

    /// In the Developer Portal a role counts for portal-only users too: they create clients and
    /// sign contracts in their own organizations, they just never see the console.
    pub fn may_in_portal(&self, role: Option<Role>, permission: Permission) -> bool {
        self.is_admin || role.is_some_and(|r| r.allows(permission))
    }

    /// API keys are credentials: only administrators and those who may edit the organization's
    /// clients (portal-only Owners of their own organization included) receive them. Viewers and
    /// API Developers see that a key exists, never its value.
    pub fn may_see_api_keys(&self, role: Option<Role>) -> bool {
        self.may_in_portal(role, Permission::EditClients)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Permission::*;

    fn actor(admin: bool, portal_only: bool) -> Actor {
        Actor {
            username: "u".into(),
            is_admin: admin,
            portal_only,
        }
    }

    #[test]
    fn owner_may_do_everything() {
        for p in [
            View,
            EditOrg,
            ManageMembers,
            EditApis,
            EditPlans,
            EditClients,
        ] {
            assert!(Role::Owner.allows(p));
        }
    }

    #[test]
    fn developers_are_limited_to_their_area() {
        assert!(Role::ApiDeveloper.allows(EditApis));
        assert!(Role::ApiDeveloper.allows(EditPlans));
        assert!(!Role::ApiDeveloper.allows(EditClients));
        assert!(!Role::ApiDeveloper.allows(ManageMembers));
        assert!(Role::ClientDeveloper.allows(EditClients));
        assert!(!Role::ClientDeveloper.allows(EditApis));
        assert!(!Role::ClientDeveloper.allows(EditOrg));
    }

    #[test]
    fn viewer_only_views() {
        assert!(Role::Viewer.allows(View));
        for p in [EditOrg, ManageMembers, EditApis, EditPlans, EditClients] {
            assert!(!Role::Viewer.allows(p));
        }
    }

    #[test]
    fn non_members_get_nothing_and_admins_everything() {
        assert!(!actor(false, false).may(None, View));
        assert!(actor(true, false).may(None, ManageMembers));
        assert!(actor(false, false).may(Some(Role::Owner), EditOrg));
    }

    #[test]
    fn portal_only_users_get_no_console_permission() {
        assert!(!actor(false, true).may(Some(Role::Owner), View));
        assert!(actor(false, true).may_in_portal(Some(Role::Owner), EditClients));
        assert!(!actor(false, true).may_in_portal(Some(Role::Viewer), EditClients));
        assert!(!actor(false, true).may_in_portal(None, View));
    }

    #[test]
    fn only_client_editors_and_admins_see_api_keys() {
        let member = actor(false, false);
        assert!(member.may_see_api_keys(Some(Role::Owner)));
        assert!(member.may_see_api_keys(Some(Role::ClientDeveloper)));
        assert!(!member.may_see_api_keys(Some(Role::ApiDeveloper)));
        assert!(!member.may_see_api_keys(Some(Role::Viewer)));
        assert!(!member.may_see_api_keys(None));
        assert!(actor(true, false).may_see_api_keys(None));
        assert!(actor(false, true).may_see_api_keys(Some(Role::Owner)));
        assert!(!actor(false, true).may_see_api_keys(Some(Role::Viewer)));
    }

    #[test]
    fn roles_round_trip_through_storage() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
