//! BASIC Authentication: requests must carry the username and password of one of a list of
//! static identities. A plain `password` is transient: the server replaces it by a hash before
//! storing, so a valid identity has a hash or a password.

use serde::{Deserialize, Serialize};

use super::{FieldError, FieldKind, FieldSpec, FormValues, form, form_of};

/// The JSON key "staticIdentity" is edited by the form field "identities".
pub(super) const JSON_ALIASES: &[(&str, &str)] = &[("staticIdentity", "identities")];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BasicAuthConfig {
    pub realm: String,
    /// A header that tells the API the authenticated username.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "form::opt_string"
    )]
    pub forward_identity_http_header: Option<String>,
    /// Refuse requests that do not come over HTTPS.
    pub require_transport_security: bool,
    pub static_identity: StaticIdentities,
}

impl Default for BasicAuthConfig {
    fn default() -> Self {
        Self {
            realm: String::new(),
            forward_identity_http_header: None,
            require_transport_security: true,
            static_identity: StaticIdentities::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StaticIdentities {
    pub identities: Vec<Identity>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Identity {
    pub username: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
    /// Transient: replaced by `password_hash` before storing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

impl Identity {
    fn has_credentials(&self) -> bool {
        self.password_hash.as_deref().is_some_and(|h| !h.is_empty())
            || self.password.as_deref().is_some_and(|p| !p.is_empty())
    }
}

fn needs_password(username: &str) -> FieldError {
    FieldError::new(
        "identities",
        format!("Give {username} a password: {username}:password"),
    )
}

/// Checks identity number `line`, given the identities before it.
fn check_identity(line: usize, identity: &Identity, before: &[Identity]) -> Result<(), FieldError> {
    let name = &identity.username;
    let problem = if name.is_empty() {
        "enter a username before the ':'".to_string()
    } else if name.contains(|c: char| c == ':' || c.is_whitespace() || c.is_control()) {
        format!("the username \"{name}\" cannot contain ':' or spaces")
    } else if before.iter().any(|b| &b.username == name) {
        format!("{name} is listed twice; keep one line per user")
    } else if !identity.has_credentials() {
        return Err(needs_password(name));
    } else {
        return Ok(());
    };
    Err(FieldError::new(
        "identities",
        format!("Line {line}: {problem}."),
    ))
}

impl BasicAuthConfig {
    pub fn validate(&self) -> Result<(), FieldError> {
        let realm = self.realm.trim();
        if realm.is_empty() {
            return Err(FieldError::new(
                "realm",
                "Enter a realm: the name browsers show when they ask for a password.",
            ));
        }
        if realm.contains(|c: char| c == '"' || c == '\\' || c.is_control()) {
            return Err(FieldError::new(
                "realm",
                "A realm cannot contain quotes or backslashes.",
            ));
        }
        let identities = &self.static_identity.identities;
        if identities.is_empty() {
            return Err(FieldError::new(
                "identities",
                "Add at least one identity as username:password.",
            ));
        }
        for (i, identity) in identities.iter().enumerate() {
            check_identity(i + 1, identity, &identities[..i])?;
        }
        if let Some(header) = &self.forward_identity_http_header {
            form::check_header_name("forward_identity_http_header", header)?;
        }
        Ok(())
    }

    /// "2 static identities, realm \"Echo\"".
    pub fn summary(&self) -> String {
        let n = self.static_identity.identities.len();
        let noun = if n == 1 { "identity" } else { "identities" };
        format!("{n} static {noun}, realm \"{}\"", self.realm)
    }
}

pub(super) fn fields() -> Vec<FieldSpec> {
    vec![
        FieldSpec {
            name: "realm",
            label: "Realm",
            kind: FieldKind::Text,
            help: "The name browsers show when they ask for a username and password.",
        },
        FieldSpec {
            name: "identities",
            label: "Identities",
            kind: FieldKind::Lines,
            help: "One per line as username:password. A line with just a username keeps that user's current password.",
        },
        FieldSpec {
            name: "forward_identity_http_header",
            label: "Forward username in header",
            kind: FieldKind::Text,
            help: "Optional: a request header, like X-Authenticated-User, that tells the API who signed in.",
        },
        FieldSpec {
            name: "require_transport_security",
            label: "Require HTTPS",
            kind: FieldKind::Checkbox,
            help: "Refuse requests that do not use HTTPS, so passwords never travel in clear text.",
        },
    ]
}

pub(super) fn default_form() -> FormValues {
    to_form(&BasicAuthConfig::default())
}

/// Reads the form; a line with just a username keeps that identity's credentials from
/// `previous`.
pub(super) fn parse_form(
    form: &FormValues,
    previous: Option<&BasicAuthConfig>,
) -> Result<BasicAuthConfig, FieldError> {
    let mut identities: Vec<Identity> = Vec::new();
    for (line, text) in form::lines(form, "identities") {
        let identity = match text.split_once(':') {
            Some((username, password)) => Identity {
                username: username.trim().to_string(),
                password_hash: None,
                password: Some(password.to_string()).filter(|p| !p.is_empty()),
            },
            None => previous
                .and_then(|p| {
                    p.static_identity
                        .identities
                        .iter()
                        .find(|i| i.username == text)
                })
                .cloned()
                .unwrap_or_else(|| Identity {
                    username: text.to_string(),
                    ..Identity::default()
                }),
        };
        check_identity(line, &identity, &identities)?;
        identities.push(identity);
    }
    Ok(BasicAuthConfig {
        realm: form::text(form, "realm").to_string(),
        forward_identity_http_header: form::optional(form, "forward_identity_http_header"),
        require_transport_security: form::checkbox(form, "require_transport_security"),
        static_identity: StaticIdentities { identities },
    })
}

/// The form lists usernames only, never hashes or passwords.
pub(super) fn to_form(c: &BasicAuthConfig) -> FormValues {
    let usernames: Vec<&str> = c
        .static_identity
        .identities
        .iter()
        .map(|i| i.username.as_str())
        .collect();
    form_of([
        ("realm", c.realm.clone()),
        ("identities", usernames.join("\n")),
        (
            "forward_identity_http_header",
            c.forward_identity_http_header.clone().unwrap_or_default(),
        ),
        (
            "require_transport_security",
            form::bool_text(c.require_transport_security),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::super::tests::{error, json_error, valid};
    use crate::domain::policy::PolicyConfig;
    use crate::domain::policy::PolicyType::BasicAuth;

    const STORED: &str = r#"{"realm":"Echo","requireTransportSecurity":true,"staticIdentity":{"identities":[{"username":"alice","passwordHash":"$argon2id$a"},{"username":"bob","passwordHash":"$argon2id$b"}]}}"#;

    #[test]
    fn forms_keep_stored_hashes() {
        let form = [("realm", "Echo"), ("identities", "alice:s3cret:x\nbob:pw")];
        let c = valid(BasicAuth, &form);
        assert_eq!(c.summary(), "2 static identities, realm \"Echo\"");
        assert_eq!(c.to_form()["identities"], "alice\nbob");
        assert!(
            c.to_json()
                .contains(r#"{"username":"alice","password":"s3cret:x"}"#)
        );

        let stored = PolicyConfig::from_json(BasicAuth, STORED).unwrap();
        assert_eq!(stored.to_json(), STORED);
        assert!(!stored.to_form().values().any(|v| v.contains("argon2")));
        // Editing: alice keeps her hash, bob gets a new password, carol is new.
        let mut form = stored.to_form();
        form.insert("identities".into(), "alice\nbob:new\ncarol:pw".into());
        let edited = PolicyConfig::from_form_keeping(BasicAuth, &form, Some(&stored)).unwrap();
        assert_eq!(edited.summary(), "3 static identities, realm \"Echo\"");
        let json = edited.to_json();
        assert!(
            json.contains(r#"{"username":"alice","passwordHash":"$argon2id$a"}"#),
            "{json}"
        );
        assert!(
            json.contains(r#"{"username":"bob","password":"new"}"#),
            "{json}"
        );
        // Without the previous configuration a bare username has no password.
        assert_eq!(
            PolicyConfig::from_form(BasicAuth, &form)
                .unwrap_err()
                .message,
            "Give alice a password: alice:password"
        );
    }

    #[test]
    fn invalid() {
        for (form, field, message) in [
            (
                [("realm", ""), ("identities", "a:b")].as_slice(),
                "realm",
                "Enter a realm",
            ),
            (
                &[("realm", "Say \"hi\""), ("identities", "a:b")],
                "realm",
                "cannot contain quotes",
            ),
            (&[("realm", "Echo")], "identities", "at least one identity"),
            (
                &[("realm", "Echo"), ("identities", "alice")],
                "identities",
                "Give alice a password: alice:password",
            ),
            (
                &[("realm", "Echo"), ("identities", "alice:")],
                "identities",
                "Give alice a password",
            ),
            (
                &[("realm", "Echo"), ("identities", ":pw")],
                "identities",
                "Line 1: enter a username",
            ),
            (
                &[("realm", "Echo"), ("identities", "al ice:pw")],
                "identities",
                "cannot contain ':' or spaces",
            ),
            (
                &[("realm", "Echo"), ("identities", "a:1\nb:2\na:3")],
                "identities",
                "Line 3: a is listed twice",
            ),
            (
                &[
                    ("realm", "Echo"),
                    ("identities", "a:1"),
                    ("forward_identity_http_header", "X User"),
                ],
                "forward_identity_http_header",
                "not a header name",
            ),
        ] {
            let e = error(BasicAuth, form);
            assert_eq!(e.field, field, "{form:?}");
            assert!(e.message.contains(message), "{form:?}: {}", e.message);
        }
        for (json, field) in [
            (
                r#"{"realm":"E","staticIdentity":{"identities":[{"username":"a"}]}}"#,
                "identities",
            ),
            (r#"{"realm":"E","staticIdentity":[]}"#, "identities"),
            (r#"{"realm":5}"#, "realm"),
            (
                r#"{"realm":"E","requireTransportSecurity":"no"}"#,
                "require_transport_security",
            ),
        ] {
            assert_eq!(json_error(BasicAuth, json).field, field, "{json}");
        }
    }
}
