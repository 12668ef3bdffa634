//! What [`StoragePort::search_contacts`](crate::StoragePort::search_contacts) matches, in one
//! place so every contact search honours the same contract: a query matches a contact when
//! one of its [`needles`] occurs in the contact's [`haystack`]. The SQL store, the in-memory
//! stores and the domain's search-as-you-type (which ranks, but finds the same contacts)
//! all follow it, and all are tested against the table in [`examples`].
//!
//! It also holds the one rule for what looks like a phone number: [`looks_like_number`],
//! built on [`is_number_separator`], which dialing (the domain's number rules and call
//! targets) uses too.

pub mod examples;

/// Whether people write `c` between the digits of a phone number for readability: a space
/// (also a non-breaking one, as pasted from a web page), `-`, `.`, `(`, `)` or `/`, as in
/// "+44 (20) 7946-0001", "020.7946" or the German "089/123456". Search ignores them in a
/// number-like query; dialing drops them.
pub fn is_number_separator(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '-' | '.' | '(' | ')' | '/')
}

/// Whether a search query looks like a phone number: at least one digit, and otherwise only
/// `+` and [separators](is_number_separator) ("+44 20 7946", "089/123456", "(555) 004-2",
/// "0044 20"); "a1" and "12ab" are text.
pub fn looks_like_number(query: &str) -> bool {
    query.chars().any(|c| c.is_ascii_digit())
        && query
            .chars()
            .all(|c| c.is_ascii_digit() || c == '+' || is_number_separator(c))
}

/// The digits of a phone number, as [`haystack`] holds them: "+44 (20) 7946" → "44207946".
pub fn phone_digits(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

/// What contact search looks in: the name, aliases and addresses lower-cased, and the
/// [digits](phone_digits) of each phone number, one per line (a needle never holds a line
/// break, so it cannot match across two fields).
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
        text.push_str(&phone_digits(phone));
        text.push('\n');
    }
    text
}

/// What a query looks for: first its text lower-cased (control characters as spaces,
/// trimmed); then, when that [looks like a number](looks_like_number), its digits without
/// a leading international "00" (so "0044 20" finds "+44 20…") and its digits (so "+44 20"
/// finds "0044 20…"), each once. Empty for a blank query. No needle holds a line break or
/// a control character.
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
    if looks_like_number(&wanted) {
        let digits = phone_digits(&wanted);
        if let Some(international) = digits.strip_prefix("00").filter(|d| !d.is_empty()) {
            all.push(international.to_owned());
        }
        if digits != wanted {
            all.push(digits);
        }
    }
    all
}

/// Whether `contact` is found by a query with these [`needles`]: the reference every
/// implementation of contact search must agree with.
pub fn matches(needles: &[String], contact: &crate::ContactRecord) -> bool {
    let hay = haystack(
        &contact.name,
        &contact.aliases,
        &contact.sip_addresses,
        &contact.phone_numbers,
    );
    needles.iter().any(|n| hay.contains(n.as_str()))
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
        assert!(found("7946/0001"), "a slash separates digits");
        assert!(!found("lee annie"), "no match across fields");
        assert!(found("ann\tlee"), "a control character is a space");
        assert!(needles(" \0 ").is_empty());
        assert_eq!(needles("lee 2"), ["lee 2"], "not a number: text only");
    }

    #[test]
    fn what_looks_like_a_number() {
        for number in [
            "+44 20 7946",
            "089/123456",
            "(555) 004-2",
            "0044 20",
            "020.7946",
            "089\u{a0}123456",
            "7",
        ] {
            assert!(looks_like_number(number), "{number:?} is a number");
        }
        for text in ["ann", "a1", "12ab", "+", "()", "", "1#2", "555_0100"] {
            assert!(!looks_like_number(text), "{text:?} is text");
        }
    }

    #[test]
    fn needles_of_numbers() {
        assert_eq!(needles("089/123456"), ["089/123456", "089123456"]);
        assert_eq!(needles("0044 20"), ["0044 20", "4420", "004420"]);
        assert_eq!(needles("+44 20 7946"), ["+44 20 7946", "44207946"]);
        assert_eq!(needles("5550100"), ["5550100"], "each needle once");
        assert_eq!(needles("00"), ["00"], "a bare 00 is kept");
        assert_eq!(needles("12ab"), ["12ab"]);
    }

    #[test]
    fn the_reference_gives_the_examples_answers() {
        let book = examples::address_book();
        for &(query, expected) in examples::QUERIES {
            let wanted = needles(query);
            let mut found: Vec<&str> = book
                .iter()
                .filter(|c| matches(&wanted, c))
                .map(|c| c.name.as_str())
                .collect();
            found.sort_unstable();
            assert_eq!(found, expected, "query {query:?}");
        }
    }
}
