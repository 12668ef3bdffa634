//! Where the words of every field start, sorted by the text from there: the contacts in
//! which a query starts a word (or a phone number) are a range of it, found by binary
//! search instead of a scan of every contact.
//!
//! A common short query ("2", "an") occurs in most contacts, but the results shown are the
//! few that rank best, and a match at the start of a word outranks any match inside one.
//! So when a query starts a word in enough contacts, only those are scored.

/// Offsets into a haystack (fields each ending with `\n`, contacts ending with `\0`) of the
/// places a word starts, sorted by the first bytes of the word.
#[derive(Debug, Clone, Default)]
pub(super) struct WordStarts {
    offsets: Vec<u32>,
    /// False when the haystack is too large for `u32` offsets: nothing can be found here,
    /// and the search scans.
    usable: bool,
}

/// The first eight bytes of `word` as a big-endian number, padded with zeros (which no
/// field holds), so numbers sort as the words do.
fn key(word: &[u8]) -> u64 {
    let mut bytes = [0; 8];
    let len = word.len().min(8);
    bytes[..len].copy_from_slice(&word[..len]);
    u64::from_be_bytes(bytes)
}

/// The word at `offset`: up to the end of its field.
fn word_at(haystack: &[u8], offset: u32) -> &[u8] {
    let rest = &haystack[offset as usize..];
    let end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
    &rest[..end]
}

impl WordStarts {
    /// Every place in a text haystack that follows a character that is not a letter or a
    /// digit (a field's start follows its `\n`): where a match scores as a word start.
    pub(super) fn of_words(haystack: &str) -> Self {
        let mut starts = Vec::new();
        let mut previous = '\n';
        for (at, c) in haystack.char_indices() {
            if !matches!(c, '\n' | '\0') && !previous.is_alphanumeric() {
                starts.push(at);
            }
            previous = c;
        }
        Self::sorted(haystack.as_bytes(), starts)
    }

    /// Every phone number's start, and where its digits start after a leading `00`: where
    /// a match scores as a number's prefix.
    pub(super) fn of_numbers(haystack: &str) -> Self {
        let bytes = haystack.as_bytes();
        let mut starts = Vec::new();
        for (at, pair) in bytes.windows(2).enumerate() {
            if pair[0] != b'\n' || matches!(pair[1], b'\n' | b'\0') {
                continue;
            }
            let field = at + 1;
            starts.push(field);
            if bytes[field..].starts_with(b"00")
                && bytes.get(field + 2).is_some_and(u8::is_ascii_digit)
            {
                starts.push(field + 2);
            }
        }
        Self::sorted(bytes, starts)
    }

    fn sorted(haystack: &[u8], starts: Vec<usize>) -> Self {
        let Ok(_) = u32::try_from(haystack.len()) else {
            return Self::default();
        };
        let mut keyed: Vec<(u64, u32)> = starts
            .into_iter()
            .map(|at| {
                let offset = at as u32;
                (key(word_at(haystack, offset)), offset)
            })
            .collect();
        keyed.sort_unstable();
        Self {
            offsets: keyed.into_iter().map(|(_, offset)| offset).collect(),
            usable: true,
        }
    }

    /// Appends to `out` the offsets of the words that start with `needle`; `false` when
    /// this index cannot tell (the haystack was too large for it).
    pub(super) fn words_starting_with(
        &self,
        haystack: &[u8],
        needle: &[u8],
        out: &mut Vec<u32>,
    ) -> bool {
        if !self.usable {
            return false;
        }
        let first = key(needle);
        let last = match needle.len() {
            0 => return true,
            len if len < 8 => first | (u64::MAX >> (8 * len)),
            _ => first,
        };
        let key_of = |offset: &u32| key(word_at(haystack, *offset));
        let start = self.offsets.partition_point(|o| key_of(o) < first);
        let len = self.offsets[start..].partition_point(|o| key_of(o) <= last);
        let range = &self.offsets[start..start + len];
        if needle.len() <= 8 {
            out.extend_from_slice(range);
        } else {
            out.extend(
                range
                    .iter()
                    .filter(|&&offset| word_at(haystack, offset).starts_with(needle)),
            );
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(index: &WordStarts, haystack: &str, needle: &str) -> Vec<String> {
        let mut offsets = Vec::new();
        assert!(index.words_starting_with(haystack.as_bytes(), needle.as_bytes(), &mut offsets));
        let mut found: Vec<String> = offsets
            .into_iter()
            .map(|o| String::from_utf8_lossy(word_at(haystack.as_bytes(), o)).into_owned())
            .collect();
        found.sort();
        found
    }

    #[test]
    fn words_start_after_anything_but_a_letter_or_digit() {
        let haystack = "\nann smith-jones\nsip:ann.s@example.com\n\0\nélise\nx2y 2z\n\0";
        let index = WordStarts::of_words(haystack);
        assert_eq!(
            words(&index, haystack, "ann"),
            ["ann smith-jones", "ann.s@example.com"]
        );
        assert_eq!(words(&index, haystack, "jones"), ["jones"]);
        assert_eq!(
            words(&index, haystack, "s"),
            ["s@example.com", "sip:ann.s@example.com", "smith-jones"]
        );
        assert_eq!(words(&index, haystack, "é"), ["élise"]);
        // "lise" follows "é", a letter; "2y" follows "x".
        assert!(words(&index, haystack, "lise").is_empty());
        assert_eq!(words(&index, haystack, "2"), ["2z"]);
        // Longer than the sort key: the words are checked.
        assert_eq!(words(&index, haystack, "ann smith-j"), ["ann smith-jones"]);
        assert!(words(&index, haystack, "ann smith-x").is_empty());
    }

    #[test]
    fn numbers_start_at_the_field_and_after_a_leading_00() {
        let haystack = "\n004420123\n4420999\n\0\n00\n7\n\0";
        let index = WordStarts::of_numbers(haystack);
        assert_eq!(words(&index, haystack, "44"), ["4420123", "4420999"]);
        assert_eq!(words(&index, haystack, "0044"), ["004420123"]);
        assert!(words(&index, haystack, "20").is_empty());
        assert_eq!(words(&index, haystack, "7"), ["7"]);
        assert_eq!(words(&index, haystack, "00"), ["00", "004420123"]);
    }
}
