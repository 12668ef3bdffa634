//! Messages shown to the user, written as sentences.

/// A phone error as a sentence: first letter capital, full stop at the end.
pub(crate) fn sentence(text: &str) -> String {
    let mut chars = text.trim().chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let mut out: String = first.to_uppercase().chain(chars).collect();
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn errors_read_as_sentences() {
        assert_eq!(
            super::sentence("there is no call c-1"),
            "There is no call c-1."
        );
        assert_eq!(super::sentence("Done."), "Done.");
        assert_eq!(super::sentence("  "), "");
    }
}
