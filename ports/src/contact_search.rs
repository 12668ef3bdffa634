//! What [`StoragePort::search_contacts`](crate::StoragePort::search_contacts) matches, in one
//! place so every store honours the same contract: a query matches a contact when one of
//! its [`needles`] occurs in the contact's [`haystack`].

/// What contact search looks in: the name, aliases and addresses lower-cased, and the
/// digits of each phone number, one per line (a needle never holds a line break, so it
/// cannot match across two fields).
pub fn haystack(name: &str, aliases: &[String], addresses: &[String], phones: &[String]) -> String {
    let mut text = String::from("\n");
    for field in std::iter::once(name)
        .chain(aliases.iter().map(String::as_str))
        .chain(addresses.iter().map(String::as_str))
    {
        text.push_str(&field.to_lowercase());
        text.push('\n');
    }
    for phone in phones {
        text.extend(phone.chars().filter(char::is_ascii_digit));
        text.push('\n');
    }
    text
}

/// What a query looks for: its text lower-cased (control characters as spaces, trimmed),
/// and when it looks like a phone number ("+1 (555) 010", "0044 20") its digits, also
/// without a leading international "00". Empty for a blank query.
pub fn needles(query: &str) -> Vec<String> {
    let plain: String = query
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let wanted = plain.trim().to_lowercase();
    if wanted.is_empty() {
        return Vec::new();
    }
    let mut all = vec![wanted.clone()];
    let looks_like_number = wanted
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    let digits: String = wanted.chars().filter(char::is_ascii_digit).collect();
    if looks_like_number && !digits.is_empty() {
        if let Some(international) = digits.strip_prefix("00").filter(|d| !d.is_empty()) {
            all.push(international.to_owned());
        }
        if digits != wanted {
            all.push(digits);
        }
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_match_by_digits_and_text_by_lower_case() {
        let hay = haystack(
            "Ann Lee",
            &["Annie".into()],
            &[],
            &["+44 (20) 7946-0001".into()],
        );
        let found = |query: &str| needles(query).iter().any(|n| hay.contains(n.as_str()));
        assert!(found("ANNIE"));
        assert!(found("0044 20 7946"));
        assert!(found("(20) 7946"));
        assert!(!found("lee annie"), "no match across fields");
        assert!(found("ann\tlee"), "a control character is a space");
        assert!(needles(" \0 ").is_empty());
        assert_eq!(needles("lee 2"), ["lee 2"], "not a number: text only");
    }
}
