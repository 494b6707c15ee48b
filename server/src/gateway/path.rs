//! The path below an API as policies match it and the upstream receives it: one canonical
//! spelling per resource, so that a rule on `/admin/.*` cannot be walked around with
//! `/x/../admin`, `//admin`, `%2e%2e` or `/%61dmin`, and so that no request reaches the
//! upstream outside the endpoint's base path.
//!
//! The canonical form is RFC 3986's (§6.2.2): escapes of unreserved characters decoded, other
//! escapes kept in upper-case hex (an escaped reserved character means something else than the
//! raw one, so it stays escaped), `.`/`..` segments resolved, empty segments collapsed, and
//! characters a path may not hold raw percent-encoded. What cannot be made safe is refused:
//! an encoded `/`, a `\` (raw or encoded), NUL, a malformed escape, `..` above the API's root,
//! and `.`/`..` with `;` parameters (Tomcat reads `..;` as `..`).

use std::borrow::Cow;

/// Why a path was refused (the gateway answers 400).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathError {
    EncodedSlash,
    Backslash,
    Nul,
    BadEscape,
    AboveRoot,
    DotWithParameters,
}

impl PathError {
    pub fn message(self) -> &'static str {
        match self {
            PathError::EncodedSlash => "The path holds an encoded '/' (%2F), which is refused.",
            PathError::Backslash => "The path holds a '\\' (raw or %5C), which is refused.",
            PathError::Nul => "The path holds a NUL character (%00), which is refused.",
            PathError::BadEscape => "The path holds a '%' that does not start an escape like %20.",
            PathError::AboveRoot => "The path climbs above the API's root with '..'.",
            PathError::DotWithParameters => "The path holds a '.' or '..' segment with ';'.",
        }
    }
}

/// RFC 3986 unreserved characters: their escapes mean the same as the raw character.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Characters a path segment may hold raw (pchar without escapes).
fn is_pchar(b: u8) -> bool {
    is_unreserved(b)
        || matches!(
            b,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'@'
        )
}

/// `.` or `..`, also when followed by `;parameters`.
fn dot_segment(segment: &str) -> Option<(bool, bool)> {
    let (name, params) = match segment.split_once(';') {
        Some((name, _)) => (name, true),
        None => (segment, false),
    };
    match name {
        "." => Some((false, params)),
        ".." => Some((true, params)),
        _ => None,
    }
}

/// True when `raw` is already canonical: the common case, answered without allocating.
fn is_canonical(raw: &str) -> bool {
    let Some(rest) = raw.strip_prefix('/') else {
        return raw.is_empty();
    };
    if !rest.bytes().all(|b| b == b'/' || is_pchar(b)) {
        return false;
    }
    let mut segments = rest.split('/').peekable();
    while let Some(segment) = segments.next() {
        let last = segments.peek().is_none();
        if (segment.is_empty() && !last) || dot_segment(segment).is_some() {
            return false;
        }
    }
    true
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn push_escaped(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('%');
    out.push(char::from(HEX[usize::from(b >> 4)]));
    out.push(char::from(HEX[usize::from(b & 15)]));
}

/// Escapes decoded where they may be, the rest in upper-case hex; raw bytes that a path may
/// not hold escaped.
fn decode(raw: &str) -> Result<String, PathError> {
    let bytes = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        i += 1;
        match b {
            b'%' => {
                let (Some(hi), Some(lo)) = (
                    bytes.get(i).copied().and_then(hex),
                    bytes.get(i + 1).copied().and_then(hex),
                ) else {
                    return Err(PathError::BadEscape);
                };
                i += 2;
                match hi * 16 + lo {
                    b'/' => return Err(PathError::EncodedSlash),
                    b'\\' => return Err(PathError::Backslash),
                    0 => return Err(PathError::Nul),
                    v if is_unreserved(v) => out.push(char::from(v)),
                    v => push_escaped(&mut out, v),
                }
            }
            b'\\' => return Err(PathError::Backslash),
            0 => return Err(PathError::Nul),
            b'/' => out.push('/'),
            b if is_pchar(b) => out.push(char::from(b)),
            b => push_escaped(&mut out, b),
        }
    }
    Ok(out)
}

/// The canonical path below an API ("" or starting with '/'); borrowed when `raw` already is.
pub fn normalise(raw: &str) -> Result<Cow<'_, str>, PathError> {
    if is_canonical(raw) {
        return Ok(Cow::Borrowed(raw));
    }
    let decoded = decode(raw)?;
    let mut kept: Vec<&str> = Vec::new();
    let mut trailing_slash = false;
    for segment in decoded
        .split('/')
        .skip(usize::from(decoded.starts_with('/')))
    {
        trailing_slash = true;
        match dot_segment(segment) {
            Some((_, true)) => return Err(PathError::DotWithParameters),
            Some((true, false)) => {
                kept.pop().ok_or(PathError::AboveRoot)?;
            }
            Some((false, false)) => {}
            None if segment.is_empty() => {}
            None => {
                kept.push(segment);
                trailing_slash = false;
            }
        }
    }
    let mut out = String::with_capacity(decoded.len());
    for segment in &kept {
        out.push('/');
        out.push_str(segment);
    }
    if trailing_slash || kept.is_empty() {
        out.push('/');
    }
    Ok(Cow::Owned(out))
}

#[cfg(test)]
mod tests;
