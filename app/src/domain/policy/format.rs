//! Wording shared by the policy summaries.

/// "10,000" style thousands separators, used by summaries.
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How many entries a summary names before it says "and N more".
const SHOWN: usize = 3;

/// "a, b, c and 2 more": the first few entries of a list, for one-line summaries.
pub(crate) fn list_summary<S: AsRef<str>>(items: &[S]) -> String {
    let shown: Vec<&str> = items.iter().take(SHOWN).map(AsRef::as_ref).collect();
    let mut out = shown.join(", ");
    if items.len() > SHOWN {
        out.push_str(&format!(" and {} more", items.len() - SHOWN));
    }
    out
}

/// "1 request", "10,000 requests".
pub(crate) fn count(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", group_thousands(n), if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands() {
        for (n, text) in [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (100_000, "100,000"),
            (1_234_567, "1,234,567"),
        ] {
            assert_eq!(group_thousands(n), text);
        }
    }

    #[test]
    fn lists_and_counts() {
        assert_eq!(list_summary(&["a"]), "a");
        assert_eq!(list_summary(&["a", "b", "c"]), "a, b, c");
        assert_eq!(
            list_summary(&["a", "b", "c", "d", "e"]),
            "a, b, c and 2 more"
        );
        assert_eq!(count(1, "request", "requests"), "1 request");
        assert_eq!(count(2000, "request", "requests"), "2,000 requests");
    }
}
