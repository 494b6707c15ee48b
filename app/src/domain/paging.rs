//! Paging and filtering for every list: a page request checked once, and a page of results
//! with the total, so no list a server function returns can grow without bound.

use serde::{Deserialize, Serialize};

use super::FieldError;
use super::text::check_characters;

/// Rows per page when the caller does not say.
pub const DEFAULT_LIMIT: u32 = 25;
/// The most rows one request may ask for.
pub const MAX_LIMIT: u32 = 100;
/// How deep offset paging may go: deeper pages cost the database a scan of every row before them;
/// past this, narrowing the filter is the way.
pub const MAX_OFFSET: u32 = 10_000;
/// The longest filter text, in characters.
pub const MAX_FILTER_CHARS: usize = 100;

/// What a list request asks for: `limit` 0 means the default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRequest {
    pub filter: String,
    pub offset: u32,
    pub limit: u32,
}

/// A checked request, ready for SQL: `pattern` is a `LIKE` pattern (lowercase, with `%`, `_`
/// and `\` escaped) that matches the filter anywhere; it matches everything for an empty filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageQuery {
    pub pattern: String,
    pub offset: i64,
    pub limit: i64,
}

impl PageRequest {
    pub fn new(filter: impl Into<String>, offset: u32, limit: u32) -> Self {
        Self {
            filter: filter.into(),
            offset,
            limit,
        }
    }

    /// The first page of everything, at the largest size (for pickers that show one list).
    pub fn all_first() -> Self {
        Self::new("", 0, MAX_LIMIT)
    }

    /// Refuses an over-long or control-laden filter, a limit above the maximum and an offset past
    /// `MAX_OFFSET`, each with a message for the filter box.
    pub fn check(&self) -> Result<PageQuery, FieldError> {
        let filter = self.filter.trim();
        if filter.chars().count() > MAX_FILTER_CHARS {
            return Err(FieldError::new(
                "filter",
                format!("A filter has at most {MAX_FILTER_CHARS} characters."),
            ));
        }
        check_characters("filter", filter, false)?;
        if self.limit > MAX_LIMIT {
            return Err(FieldError::new(
                "filter",
                format!("A page has at most {MAX_LIMIT} rows."),
            ));
        }
        if self.offset > MAX_OFFSET {
            return Err(FieldError::new(
                "filter",
                format!("Paging stops after {MAX_OFFSET} rows: narrow the filter instead."),
            ));
        }
        let limit = if self.limit == 0 {
            DEFAULT_LIMIT
        } else {
            self.limit
        };
        Ok(PageQuery {
            pattern: format!("%{}%", escape_like(&filter.to_lowercase())),
            offset: i64::from(self.offset),
            limit: i64::from(limit),
        })
    }
}

/// Escapes `LIKE`'s wildcards so that the filter matches literally (with `ESCAPE '\'`).
fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Where a page sits in its list, for the pager.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageInfo {
    pub total: u64,
    pub offset: u32,
    pub limit: u32,
    pub shown: usize,
}

impl PageInfo {
    pub fn has_previous(&self) -> bool {
        self.offset > 0
    }

    pub fn has_next(&self) -> bool {
        u64::from(self.offset) + (self.shown as u64) < self.total
            && self.offset + self.limit <= MAX_OFFSET
    }

    /// "26–50 of 312", or "No matches".
    pub fn range_label(&self) -> String {
        if self.shown == 0 {
            return "No matches".into();
        }
        format!(
            "{}–{} of {}",
            self.offset + 1,
            self.offset as usize + self.shown,
            self.total
        )
    }

    /// The offset of the previous page.
    pub fn previous_offset(&self) -> u32 {
        self.offset.saturating_sub(self.limit)
    }

    pub fn next_offset(&self) -> u32 {
        self.offset + self.limit
    }
}

/// One page of a list, with how many rows match in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub offset: u32,
    pub limit: u32,
}

impl<T> Page<T> {
    /// `total` comes from `count(*) OVER ()` on the rows, so an empty page past the end says 0.
    pub fn new(items: Vec<T>, total: i64, query: &PageQuery) -> Self {
        Self {
            items,
            total: u64::try_from(total).unwrap_or(0),
            offset: u32::try_from(query.offset).unwrap_or(0),
            limit: u32::try_from(query.limit).unwrap_or(DEFAULT_LIMIT),
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            offset: self.offset,
            limit: self.limit,
        }
    }

    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        Ok(Page {
            items: self.items.into_iter().map(f).collect::<Result<_, E>>()?,
            total: self.total,
            offset: self.offset,
            limit: self.limit,
        })
    }

    pub fn info(&self) -> PageInfo {
        PageInfo {
            total: self.total,
            offset: self.offset,
            limit: self.limit,
            shown: self.items.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(filter: &str, offset: u32, limit: u32) -> Result<PageQuery, FieldError> {
        PageRequest::new(filter, offset, limit).check()
    }

    #[test]
    fn limits_are_checked_at_their_boundaries() {
        assert_eq!(check("", 0, 0).expect("default").limit, 25);
        assert_eq!(check("", 0, MAX_LIMIT).expect("max").limit, 100);
        assert!(check("", 0, MAX_LIMIT + 1).is_err());
        assert_eq!(check("", MAX_OFFSET, 10).expect("deep").offset, 10_000);
        assert!(check("", MAX_OFFSET + 1, 10).is_err());
        assert!(check(&"é".repeat(MAX_FILTER_CHARS), 0, 0).is_ok());
        let e = check(&"é".repeat(MAX_FILTER_CHARS + 1), 0, 0).expect_err("long");
        assert_eq!(e.field, "filter");
    }

    #[test]
    fn filters_match_literally_and_ignore_case() {
        assert_eq!(check("", 0, 0).expect("empty").pattern, "%%");
        assert_eq!(check("  Gold ", 0, 0).expect("trim").pattern, "%gold%");
        assert_eq!(
            check("100%_a\\b", 0, 0).expect("wild").pattern,
            "%100\\%\\_a\\\\b%"
        );
        assert!(check("a\u{202E}b", 0, 0).is_err());
        assert!(check("a\u{0}b", 0, 0).is_err());
    }

    #[test]
    fn pages_know_their_neighbours() {
        let q = check("", 25, 25).expect("q");
        let page = Page::new(vec![1; 25], 60, &q).info();
        assert!(page.has_previous() && page.has_next());
        assert_eq!(page.range_label(), "26–50 of 60");
        assert_eq!((page.previous_offset(), page.next_offset()), (0, 50));
        let last = Page::new(vec![1; 10], 60, &check("", 50, 25).expect("q")).info();
        assert!(!last.has_next());
        assert_eq!(last.range_label(), "51–60 of 60");
        let empty = Page::<u8>::new(vec![], 0, &check("", 0, 0).expect("q")).info();
        assert_eq!(empty.range_label(), "No matches");
        assert!(!empty.has_previous() && !empty.has_next());
        // The pager stops where the server would refuse the offset.
        let deep = Page::new(vec![1; 100], 1_000_000, &check("", 9_950, 100).expect("q")).info();
        assert!(!deep.has_next());
    }
}
