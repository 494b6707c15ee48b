//! Where the sign-in page may send the user afterwards: only to a path on this site, so a
//! crafted `/login?next=…` link cannot forward a freshly signed-in user to another origin.

/// Longest `next` accepted; a real console path is far shorter.
pub const MAX_NEXT_LEN: usize = 2048;

/// `next` if it is a local path: one `/` followed by neither `/` nor `\`, with no control
/// character (browsers drop tabs and newlines, so `/\t/evil` is `//evil`) and no whitespace but
/// the plain space, checked both as written and after percent-decoding (a router or a browser
/// may decode `%2F`, `%5C`, `%09` before navigating). Anything else is `None`.
pub fn local_path(next: &str) -> Option<&str> {
    if next.len() > MAX_NEXT_LEN || !is_local(next) {
        return None;
    }
    let decoded = percent_encoding::percent_decode_str(next)
        .decode_utf8()
        .ok()?;
    is_local(&decoded).then_some(next)
}

fn is_local(path: &str) -> bool {
    let mut chars = path.chars();
    chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && !path
            .chars()
            .any(|c| c.is_control() || (c.is_whitespace() && c != ' '))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_paths_are_kept() {
        for next in [
            "/",
            "/portal",
            "/orgs/acme/apis/Echo/1.0/overview",
            "/search?q=a%20b",
            "/portal/apis/acme/Echo#usage",
            "/a//b",
        ] {
            assert_eq!(local_path(next), Some(next), "{next}");
        }
    }

    #[test]
    fn other_origins_and_schemes_are_refused() {
        for next in [
            "",
            "portal",
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/%2F/evil.example",
            "/%2fevil.example",
            "/%5Cevil.example",
            "/%5cevil.example",
            "%2F%2Fevil.example",
            "https://evil.example",
            "http:evil.example",
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,x",
            "/\t/evil.example",
            "/\n/evil.example",
            "/%09/evil.example",
            "/%0A/evil.example",
            "/%00",
            " /portal",
            "/portal\r\n",
            "/\u{2028}/evil.example",
            "/%E2%80%A8/evil.example",
            "/%FF",
        ] {
            assert_eq!(local_path(next), None, "{next:?}");
        }
    }

    #[test]
    fn length_is_capped_at_the_boundary() {
        let at_limit = format!("/{}", "a".repeat(MAX_NEXT_LEN - 1));
        assert_eq!(local_path(&at_limit), Some(at_limit.as_str()));
        let over = format!("/{}", "a".repeat(MAX_NEXT_LEN));
        assert_eq!(local_path(&over), None);
    }
}
