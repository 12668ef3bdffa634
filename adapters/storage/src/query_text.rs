//! What users type into a search, made safe for the database: control characters out (a
//! NUL ends an FTS5 query string early: "unterminated string", found by the `store_text`
//! fuzz target), LIKE wildcards escaped.

/// `text` with every control character (NUL, line breaks, tabs, ...) turned into a space.
pub(crate) fn plain_text(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// `text` as a LIKE pattern that matches it literally anywhere (`%`, `_` and `\\`
/// escaped).
pub(crate) fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}
