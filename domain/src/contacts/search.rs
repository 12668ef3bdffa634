//! Search-as-you-type over contacts: names, aliases, SIP addresses and phone numbers.
//!
//! Ranking, best first: an exact name, then a name that starts with the text, an exact alias
//! or address, a word of the name that starts with it, an address or number that starts with
//! it, and last a match anywhere. Favorites win ties; then names sort alphabetically. Fields
//! are lower-cased once when the list changes, never per keystroke.

use std::cmp::Ordering;

use memchr::memmem;

use wink_ports::ContactRecord;

/// Which field of a contact matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchedField {
    /// The name.
    Name,
    /// A chat alias.
    Alias,
    /// A SIP address.
    Address,
    /// A phone number.
    PhoneNumber,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit<'a> {
    /// The contact.
    pub contact: &'a ContactRecord,
    /// Its rank: higher is better.
    pub score: u32,
    /// The field that gave the score.
    pub field: MatchedField,
}

#[derive(Debug, Clone, Default)]
struct IndexedContact {
    name: String,
    aliases: Vec<String>,
    addresses: Vec<String>,
    numbers: Vec<String>,
    favorite: bool,
}

/// Lower-cased copies of every searchable field, in the contact list's order, plus two
/// haystacks (all text fields; all phone-number digits) in which one SIMD scan per
/// keystroke finds the few contacts worth scoring.
#[derive(Debug, Clone, Default)]
pub(super) struct SearchIndex {
    entries: Vec<IndexedContact>,
    text: Haystack,
    digits: Haystack,
}

/// Fields of all contacts joined into one string: `\n` between fields, `\0` between
/// contacts, so a query (which holds neither) never matches across two contacts.
#[derive(Debug, Clone, Default)]
struct Haystack {
    bytes: String,
    starts: Vec<usize>,
}

impl Haystack {
    fn push<'a>(&mut self, fields: impl Iterator<Item = &'a str>) {
        self.starts.push(self.bytes.len());
        for field in fields {
            self.bytes.push_str(field);
            self.bytes.push('\n');
        }
        self.bytes.push('\0');
    }

    /// Indices of the contacts whose fields contain `needle`, in order, each once.
    fn contacts_containing(&self, needle: &[u8], out: &mut Vec<usize>) {
        let mut last = None;
        for at in memmem::find_iter(self.bytes.as_bytes(), needle) {
            let contact = self.starts.partition_point(|&start| start <= at) - 1;
            if last != Some(contact) {
                out.push(contact);
                last = Some(contact);
            }
        }
    }
}

/// The digits of a phone number, with an international `+` or `00` dropped so that
/// `+44 20…`, `0044 20…` and `4420…` all match one another.
fn number_key(text: &str) -> String {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let international = text.trim_start().starts_with('+');
    match digits.strip_prefix("00") {
        Some(rest) if !international => rest.to_owned(),
        _ => digits,
    }
}

fn is_number_query(query: &str) -> bool {
    query.chars().any(|c| c.is_ascii_digit())
        && query
            .chars()
            .all(|c| c.is_ascii_digit() || " +-.()/".contains(c))
}

fn text_score(field: &str, query: &str, exact: u32, prefix: u32, word: u32, anywhere: u32) -> u32 {
    if field == query {
        exact
    } else if field.starts_with(query) {
        prefix
    } else if let Some(at) = field.find(query) {
        let at_word_start = field[..at].ends_with(|c: char| !c.is_alphanumeric());
        if at_word_start { word } else { anywhere }
    } else {
        0
    }
}

impl IndexedContact {
    fn score(&self, query: &str, number: Option<&str>) -> Option<(u32, MatchedField)> {
        let mut best = (0, MatchedField::Name);
        let mut consider = |score: u32, field: MatchedField| {
            if score > best.0 {
                best = (score, field);
            }
        };
        consider(
            text_score(&self.name, query, 100, 90, 75, 40),
            MatchedField::Name,
        );
        for alias in &self.aliases {
            consider(
                text_score(alias, query, 95, 80, 60, 35),
                MatchedField::Alias,
            );
        }
        for address in &self.addresses {
            consider(
                text_score(address, query, 95, 70, 50, 30),
                MatchedField::Address,
            );
        }
        if let Some(number) = number.filter(|n| !n.is_empty()) {
            for stored in &self.numbers {
                consider(
                    text_score(stored, number, 95, 65, 45, 45),
                    MatchedField::PhoneNumber,
                );
            }
        }
        if best.0 == 0 {
            return None;
        }
        Some((best.0 + u32::from(self.favorite) * 3, best.1))
    }
}

impl SearchIndex {
    pub(super) fn rebuild(&mut self, contacts: &[ContactRecord]) {
        let lower = |items: &[String]| items.iter().map(|s| s.to_lowercase()).collect::<Vec<_>>();
        *self = Self::default();
        for c in contacts {
            let entry = IndexedContact {
                name: c.name.to_lowercase(),
                aliases: lower(&c.aliases),
                addresses: lower(&c.sip_addresses),
                numbers: c.phone_numbers.iter().map(|n| number_key(n)).collect(),
                favorite: c.favorite,
            };
            let text_fields = std::iter::once(&entry.name)
                .chain(&entry.aliases)
                .chain(&entry.addresses);
            self.text.push(text_fields.map(String::as_str));
            self.digits.push(entry.numbers.iter().map(String::as_str));
            self.entries.push(entry);
        }
    }

    pub(super) fn search<'a>(
        &self,
        contacts: &'a [ContactRecord],
        query: &str,
        limit: usize,
    ) -> Vec<SearchHit<'a>> {
        let query: String = query
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| !c.is_control())
            .collect();
        if query.is_empty() || limit == 0 {
            return Vec::new();
        }
        let number = is_number_query(&query)
            .then(|| number_key(&query))
            .filter(|n| !n.is_empty());
        let mut candidates = Vec::new();
        self.text
            .contacts_containing(query.as_bytes(), &mut candidates);
        if let Some(digits) = &number {
            self.digits
                .contacts_containing(digits.as_bytes(), &mut candidates);
            candidates.sort_unstable();
            candidates.dedup();
        }
        let mut hits: Vec<SearchHit<'a>> = candidates
            .into_iter()
            .filter_map(|i| {
                let (score, field) = self.entries[i].score(&query, number.as_deref())?;
                Some(SearchHit {
                    contact: &contacts[i],
                    score,
                    field,
                })
            })
            .collect();
        let order = |a: &SearchHit<'_>, b: &SearchHit<'_>| -> Ordering {
            b.score
                .cmp(&a.score)
                .then_with(|| a.contact.name.cmp(&b.contact.name))
        };
        if hits.len() > limit {
            hits.select_nth_unstable_by(limit - 1, order);
            hits.truncate(limit);
        }
        hits.sort_by(order);
        hits
    }
}

#[cfg(test)]
mod tests {
    use wink_ports::{ContactId, GroupId};

    use super::*;
    use crate::ContactList;

    fn list() -> ContactList {
        let group = GroupId::new("g").unwrap();
        let c = |id: &str, name: &str, addrs: &[&str], numbers: &[&str], aliases: &[&str]| {
            ContactRecord {
                id: ContactId::new(id).unwrap(),
                name: name.into(),
                sip_addresses: addrs.iter().map(|s| s.to_string()).collect(),
                phone_numbers: numbers.iter().map(|s| s.to_string()).collect(),
                aliases: aliases.iter().map(|s| s.to_string()).collect(),
                preferred_media: Default::default(),
                icon: None,
                group: group.clone(),
                position: 0,
                favorite: false,
            }
        };
        let contacts = vec![
            c("1", "Annabel Lee", &["annabel@poe.org"], &[], &[]),
            c(
                "2",
                "Ann",
                &["ann@example.com"],
                &["+44 20 1234 5678"],
                &["annie"],
            ),
            c(
                "3",
                "Joanna Smith",
                &["jsmith@corp.com"],
                &["555-0100"],
                &[],
            ),
            c("4", "Bob Annex", &["bob@example.com"], &[], &[]),
            c("5", "Zed", &["zed@example.com"], &[], &["anvil"]),
        ];
        ContactList::from_records(
            vec![wink_ports::GroupRecord {
                id: group,
                name: "G".into(),
                position: 0,
                collapsed: false,
            }],
            contacts,
        )
    }

    fn names(hits: &[SearchHit<'_>]) -> Vec<String> {
        hits.iter().map(|h| h.contact.name.clone()).collect()
    }

    #[test]
    fn ranks_exact_then_prefix_then_word_then_anywhere() {
        let list = list();
        let hits = list.search("ann", 10);
        assert_eq!(
            names(&hits),
            ["Ann", "Annabel Lee", "Bob Annex", "Joanna Smith"]
        );
        assert_eq!(hits[0].field, MatchedField::Name);
        assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
    }

    #[test]
    fn finds_by_alias_address_and_number() {
        let list = list();
        assert_eq!(names(&list.search("anvil", 10)), ["Zed"]);
        assert_eq!(list.search("anvil", 10)[0].field, MatchedField::Alias);
        assert_eq!(names(&list.search("jsmith@", 10)), ["Joanna Smith"]);
        assert_eq!(names(&list.search("5550100", 10)), ["Joanna Smith"]);
        let by_number = list.search("0044 20 1234", 10);
        assert_eq!(names(&by_number), ["Ann"]);
        assert_eq!(by_number[0].field, MatchedField::PhoneNumber);
        assert_eq!(names(&list.search("+442012345678", 10)), ["Ann"]);
    }

    #[test]
    fn is_case_insensitive_and_limited() {
        let list = list();
        assert_eq!(names(&list.search("ANNABEL", 10)), ["Annabel Lee"]);
        assert_eq!(list.search("example.com", 2).len(), 2);
        assert!(list.search("", 10).is_empty());
        assert!(list.search("nobody-matches-this", 10).is_empty());
    }

    #[test]
    fn favorites_win_ties() {
        let mut list = list();
        let bob = ContactId::new("4").unwrap();
        list.set_favorite(&bob, true).unwrap();
        // "example" matches three addresses equally; the favorite comes first.
        assert_eq!(names(&list.search("example", 10))[0], "Bob Annex");
    }
}
