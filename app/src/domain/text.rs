//! Validation of free-text inputs: names, descriptions, usernames, e-mail addresses, passwords.

use super::FieldError;

pub const MAX_NAME_LEN: usize = 100;
pub const MAX_DESCRIPTION_LEN: usize = 2000;
pub const MIN_PASSWORD_LEN: usize = 8;

/// Characters that make text lie about itself: bidirectional overrides, embeddings, isolates
/// and marks (a name can then read "gold" on screen but sort and match as something else, the
/// "Trojan Source" trick).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Refuses control characters (line breaks and tabs too, unless `multiline`) and bidi controls,
/// naming the first one found.
pub fn check_characters(field: &str, text: &str, multiline: bool) -> Result<(), FieldError> {
    let bad = text.chars().find(|&c| {
        is_bidi_control(c) || (c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
    });
    match bad {
        None => Ok(()),
        Some(c) => Err(FieldError::new(
            field,
            format!(
                "Remove the invisible character U+{:04X}: control and text-direction characters are not allowed here.",
                c as u32
            ),
        )),
    }
}

pub fn validate_name(field: &str, name: &str) -> Result<(), FieldError> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err(FieldError::new(field, "Enter a name."));
    }
    if trimmed.chars().count() > MAX_NAME_LEN {
        return Err(FieldError::new(
            field,
            format!("A name has at most {MAX_NAME_LEN} characters."),
        ));
    }
    check_characters(field, name, false)
}

pub fn validate_description(field: &str, text: &str) -> Result<(), FieldError> {
    if text.chars().count() > MAX_DESCRIPTION_LEN {
        return Err(FieldError::new(
            field,
            format!("A description has at most {MAX_DESCRIPTION_LEN} characters."),
        ));
    }
    check_characters(field, text, true)
}

/// Longest username, in bytes (usernames are ASCII).
pub const USERNAME_MAX_LEN: usize = 40;

pub fn validate_username(field: &str, username: &str) -> Result<(), FieldError> {
    if username.len() < 2 || username.len() > USERNAME_MAX_LEN {
        return Err(FieldError::new(
            field,
            "A username has between 2 and 40 characters.",
        ));
    }
    if !username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    {
        return Err(FieldError::new(
            field,
            "A username uses letters, digits, '.', '-' and '_' only.",
        ));
    }
    Ok(())
}

/// E-mail is optional for users created by an administrator; when given it must look like one.
pub fn validate_email(field: &str, email: &str) -> Result<(), FieldError> {
    if email.is_empty() {
        return Ok(());
    }
    let valid = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
    }) && !email.contains(char::is_whitespace);
    if valid {
        Ok(())
    } else {
        Err(FieldError::new(
            field,
            "Enter an e-mail address like name@example.com.",
        ))
    }
}

/// Strength rule: a minimum length plus at least one letter and one non-letter.
pub fn validate_password(field: &str, password: &str) -> Result<(), FieldError> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(FieldError::new(
            field,
            format!("A password has at least {MIN_PASSWORD_LEN} characters."),
        ));
    }
    let has_letter = password.chars().any(char::is_alphabetic);
    let has_other = password.chars().any(|c| !c.is_alphabetic());
    if !(has_letter && has_other) {
        return Err(FieldError::new(
            field,
            "A password mixes letters with digits or symbols.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_refuse_control_and_direction_characters() {
        for bad in [
            "Gold\u{202E}dlog",
            "a\u{2066}b",
            "a\u{200F}",
            "a\u{061C}",
            "tab\there",
            "line\nbreak",
            "nul\u{0}",
            "esc\u{1b}[31m",
            "del\u{7f}",
            "c1\u{85}",
        ] {
            let e = validate_name("name", bad).expect_err(bad);
            assert_eq!(e.field, "name");
            assert!(e.message.contains("U+"), "{}", e.message);
        }
        assert!(
            validate_name("name", "Gold\u{202E}")
                .expect_err("rlo")
                .message
                .contains("U+202E")
        );
        for good in ["Gold", "Café Olé", "日本語 API", "עברית", "Plan (β)"] {
            assert!(validate_name("name", good).is_ok(), "{good}");
        }
    }

    #[test]
    fn descriptions_keep_line_breaks_but_refuse_the_rest() {
        assert!(validate_description("description", "one\ntwo\r\n\tthree").is_ok());
        for bad in ["x\u{202D}y", "x\u{0}y", "x\u{1b}y", "x\u{2069}"] {
            assert_eq!(
                validate_description("description", bad)
                    .expect_err(bad)
                    .field,
                "description"
            );
        }
    }

    #[test]
    fn names_are_required_and_bounded() {
        assert!(validate_name("name", "Spring Corp.").is_ok());
        assert_eq!(
            validate_name("name", "   ").unwrap_err().message,
            "Enter a name."
        );
        assert!(validate_name("name", &"x".repeat(101)).is_err());
    }

    #[test]
    fn descriptions_are_optional_but_bounded() {
        assert!(validate_description("d", "").is_ok());
        assert!(validate_description("d", &"x".repeat(2001)).is_err());
    }

    #[test]
    fn usernames() {
        assert!(validate_username("u", "david").is_ok());
        assert!(validate_username("u", "rose.bloom-2").is_ok());
        assert!(validate_username("u", "a").is_err());
        assert!(validate_username("u", "rose bloom").is_err());
    }

    #[test]
    fn emails() {
        assert!(validate_email("e", "").is_ok());
        assert!(validate_email("e", "rose@spring.example").is_ok());
        assert!(validate_email("e", "rose@spring").is_err());
        assert!(validate_email("e", "@spring.example").is_err());
        assert!(validate_email("e", "ro se@spring.example").is_err());
    }

    #[test]
    fn passwords() {
        assert!(validate_password("p", "correct-horse").is_ok());
        assert!(
            validate_password("p", "short1")
                .unwrap_err()
                .message
                .contains("at least")
        );
        assert!(
            validate_password("p", "onlyletters")
                .unwrap_err()
                .message
                .contains("mixes")
        );
        assert!(validate_password("p", "12345678").is_err());
    }
}
