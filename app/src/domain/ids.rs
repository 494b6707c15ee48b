//! Entity ids: short, URL-safe slugs that appear in console and gateway URLs.

use super::FieldError;

pub const MAX_ID_LEN: usize = 50;

/// Derives an id from a display name the way apiman does: keep letters, digits, `-` and `_`,
/// drop everything else (so "Spring Corp." becomes "SpringCorp").
pub fn slug_from_name(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(MAX_ID_LEN)
        .collect()
}

/// Checks an id typed by a user; `field` names the form field for the message.
pub fn validate_id(field: &str, id: &str) -> Result<(), FieldError> {
    if id.is_empty() {
        return Err(FieldError::new(field, "Enter an id."));
    }
    if id.len() > MAX_ID_LEN {
        return Err(FieldError::new(
            field,
            format!("An id has at most {MAX_ID_LEN} characters."),
        ));
    }
    if !id.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err(FieldError::new(
            field,
            "An id starts with a letter or a digit.",
        ));
    }
    if let Some(bad) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Err(FieldError::new(
            field,
            format!("'{bad}' is not allowed in an id: use letters, digits, '-' and '_'."),
        ));
    }
    Ok(())
}

pub const MAX_VERSION_LEN: usize = 40;

/// Versions are free text ("1.0", "2024-06") but appear in URLs, so they avoid '/' and spaces.
pub fn validate_version(field: &str, version: &str) -> Result<(), FieldError> {
    if version.is_empty() {
        return Err(FieldError::new(field, "Enter a version, such as 1.0."));
    }
    if version.len() > MAX_VERSION_LEN {
        return Err(FieldError::new(
            field,
            format!("A version has at most {MAX_VERSION_LEN} characters."),
        ));
    }
    if let Some(bad) = version
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
    {
        return Err(FieldError::new(
            field,
            format!("'{bad}' is not allowed in a version: use letters, digits, '.', '-' and '_'."),
        ));
    }
    Ok(())
}

/// The checks of a new API, plan or client, in the wizard's field order; the wizard shows them
/// all, the server stops at the first.
pub fn check_new_entity(
    name: &str,
    id: &str,
    version: &str,
    description: &str,
) -> [Result<(), FieldError>; 4] {
    [
        super::text::validate_name("name", name),
        validate_id("id", id),
        validate_version("version", version),
        super::text::validate_description("description", description),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_keeps_letters_digits_dash_underscore() {
        assert_eq!(slug_from_name("Spring Corp."), "SpringCorp");
        assert_eq!(slug_from_name("ACME  Corp-2_x!"), "ACMECorp-2_x");
        assert_eq!(slug_from_name("Überall"), "berall");
        assert_eq!(slug_from_name(&"a".repeat(80)).len(), MAX_ID_LEN);
    }

    #[test]
    fn versions_are_free_text_safe_for_urls() {
        for v in ["1.0", "2024-06", "v2_beta", "1"] {
            assert!(validate_version("version", v).is_ok(), "{v}");
        }
        assert_eq!(
            validate_version("version", "").unwrap_err().message,
            "Enter a version, such as 1.0."
        );
        assert!(validate_version("version", "1.0/2").is_err());
        assert!(validate_version("version", "1 0").is_err());
        assert!(validate_version("version", &"9".repeat(41)).is_err());
    }

    #[test]
    fn valid_ids_pass() {
        for id in ["STRINGER", "a", "Spring-Corp_2", "0abc"] {
            assert!(validate_id("id", id).is_ok(), "{id}");
        }
    }

    #[test]
    fn invalid_ids_name_the_problem() {
        assert_eq!(validate_id("id", "").unwrap_err().message, "Enter an id.");
        assert!(
            validate_id("id", "-abc")
                .unwrap_err()
                .message
                .contains("starts with")
        );
        assert!(
            validate_id("id", "a b")
                .unwrap_err()
                .message
                .contains("' '")
        );
        assert!(
            validate_id("id", "a/b")
                .unwrap_err()
                .message
                .contains("'/'")
        );
        assert!(
            validate_id("id", &"a".repeat(51))
                .unwrap_err()
                .message
                .contains("at most")
        );
        assert_eq!(validate_id("org_id", "").unwrap_err().field, "org_id");
    }
}
