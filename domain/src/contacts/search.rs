//! Search-as-you-type over contacts: names, aliases, SIP addresses and phone numbers.
//!
//! Ranking, best first: an exact name, an exact alias, address or number, a name that starts
//! with the text, an alias that does, a word of the name that does, an address or number
//! that does, and last a match anywhere. Favorites win ties; then names sort alphabetically, ignoring
//! case. Fields are lower-cased once when the list changes, never per keystroke, and kept
//! once: in the haystacks the scan runs over.
//!
//! A short query matches most of a large address book, yet only the first screenful is
//! shown. So the search first looks where the best results must be: the names that start
//! with the text (a range of the contacts in name order, read from its start), the fields
//! that equal it (one scan for a rare pattern) and the favorites. When that finds enough
//! results of the top tier, nothing else can rank above them and the search stops there;
//! otherwise every contact that holds the text is scored.
//!
//! What it finds is the store's contract, [`wink_ports::contact_search`]: a contact is found
//! when one of the query's needles occurs in one of its fields (text fields lower-cased,
//! phone numbers as digits), so "089/123456" or "0044 20" find the same contacts here as
//! in `StoragePort::search_contacts`. Only the order is this module's own.

use std::cmp::Reverse;

use memchr::memmem;

use wink_ports::{ContactRecord, contact_search};

use word_starts::WordStarts;

mod word_starts;

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
    /// Its place in the list's contacts (`ContactList::contacts`).
    pub index: usize,
    /// Its rank: higher is better.
    pub score: u32,
    /// The field that gave the score.
    pub field: MatchedField,
}

/// The lowest score of the top tier: an exact field or a name that starts with the query.
/// Every other match scores less, favorite or not (an alias prefix: 80 + 3).
const TOP_TIER: u32 = 90;

/// The lowest score of a match at the start of a word (an address's: 50) or of a phone
/// number (65). Every match elsewhere scores less, favorite or not (a number's: 45 + 3).
const WORD_TIER: u32 = 50;

/// What the haystacks do not say about a contact: how many of its text fields after the
/// name are aliases (the rest are addresses), and whether it is a favorite.
#[derive(Debug, Clone, Copy, Default)]
struct IndexedContact {
    aliases: u32,
    favorite: bool,
}

/// Every searchable field, lower-cased, in two haystacks (all text fields; all phone-number
/// digits) in the contact list's order: a SIMD scan per needle finds the few contacts worth
/// scoring, and scoring reads the fields from the same bytes (no second copy of them).
#[derive(Debug, Clone, Default)]
pub(super) struct SearchIndex {
    entries: Vec<IndexedContact>,
    /// Each contact's place in name order (lower-cased): equal scores sort by it, without
    /// comparing strings.
    name_rank: Vec<u32>,
    /// The contacts in name order (lower-cased): those whose name starts with a query are
    /// a range of it.
    by_name: Vec<u32>,
    /// The favorites (they rank above other contacts of their tier wherever they sort).
    favorites: Vec<u32>,
    text: Haystack,
    digits: Haystack,
    /// Where the words of the text fields start.
    text_words: WordStarts,
    /// Where the phone numbers start (also after a leading `00`).
    number_starts: WordStarts,
}

/// A scored hit as the search sorts it: best score first, then name order; then the
/// contact and the field that matched.
type Scored = (Reverse<u32>, u32, usize, MatchedField);

/// Fields of all contacts joined into one string: each contact starts with `\n` and ends
/// with `\0`, each field is followed by `\n`. A query (which holds neither) never matches
/// across two fields or contacts, and `\n<query>\n` finds the fields that equal it.
#[derive(Debug, Clone, Default)]
struct Haystack {
    bytes: String,
    starts: Vec<usize>,
}

impl Haystack {
    fn push<'a>(&mut self, fields: impl Iterator<Item = &'a str>) {
        self.starts.push(self.bytes.len());
        self.bytes.push('\n');
        for field in fields {
            self.bytes.push_str(field);
            self.bytes.push('\n');
        }
        self.bytes.push('\0');
    }

    /// The first field of contact `index` (empty when it has none).
    fn first_field(&self, index: usize) -> &str {
        self.fields(index).next().unwrap_or_default()
    }

    /// Indices of the contacts with a field equal to `needle`.
    fn contacts_with_field(&self, needle: &str, out: &mut Vec<usize>) {
        self.contacts_containing(format!("\n{needle}\n").as_bytes(), out);
    }

    /// In each field of contact `index` that holds the needle, its first occurrence, in
    /// field order: one SIMD search over the contact's bytes.
    fn first_in_each_field<'h>(
        &'h self,
        index: usize,
        finder: &'h memmem::Finder<'_>,
    ) -> impl Iterator<Item = Found<'h>> + 'h {
        let contact = self.contact(index).as_bytes();
        let (mut field, mut field_start, mut field_end) = (0, 0, memchr::memchr(b'\n', contact));
        let mut last_field = None;
        finder.find_iter(contact).filter_map(move |at| {
            // A needle holds no `\n`: an occurrence lies inside one field.
            while field_end.is_some_and(|end| at > end) {
                field += 1;
                field_start = field_end? + 1;
                field_end = memchr::memchr(b'\n', &contact[field_start..]).map(|n| field_start + n);
            }
            if last_field == Some(field) {
                return None;
            }
            last_field = Some(field);
            let end = field_end.unwrap_or(contact.len());
            Some(Found {
                field,
                text: &contact[field_start..end],
                at: at - field_start,
            })
        })
    }

    /// The contact whose bytes hold offset `at`.
    fn contact_at(&self, at: usize) -> usize {
        self.starts
            .partition_point(|&start| start <= at)
            .saturating_sub(1)
    }

    /// Contact `index` without its opening `\n` and closing `\0`: its fields, each
    /// followed by `\n`.
    fn contact(&self, index: usize) -> &str {
        let start = self.starts[index];
        let end = self
            .starts
            .get(index + 1)
            .copied()
            .unwrap_or(self.bytes.len());
        &self.bytes[start + 1..end - 1]
    }

    /// The fields of contact `index`, in the order they were pushed.
    fn fields(&self, index: usize) -> impl Iterator<Item = &str> {
        self.contact(index)
            .strip_suffix('\n')
            .map(|fields| fields.split('\n'))
            .into_iter()
            .flatten()
    }

    /// Indices of the contacts whose fields contain `needle`, in order, each once. After a
    /// hit the search goes on at the next contact, so a common letter costs one search per
    /// contact, not one per occurrence.
    fn contacts_containing(&self, needle: &[u8], out: &mut Vec<usize>) {
        if needle.is_empty() {
            return;
        }
        let finder = memmem::Finder::new(needle);
        let bytes = self.bytes.as_bytes();
        let (mut from, mut contact) = (0, 0);
        while let Some(found) = finder.find(&bytes[from..]) {
            let at = from + found;
            // Contacts only move forward: step to the one holding `at`.
            while self.starts.get(contact + 1).is_some_and(|&next| next <= at) {
                contact += 1;
            }
            out.push(contact);
            match self.starts.get(contact + 1) {
                Some(&next) => from = next,
                None => break,
            }
        }
    }
}

/// A field as the haystack keeps it: lower-cased, without the separators the haystack uses
/// (a name pasted with a line break stays one field).
fn searchable(field: &str) -> String {
    let lower = field.to_lowercase();
    if lower.contains(['\n', '\0']) {
        lower.replace(['\n', '\0'], " ")
    } else {
        lower
    }
}

fn all_digits(needle: &str) -> bool {
    needle.bytes().all(|b| b.is_ascii_digit())
}

/// A needle of the query, ready to search for.
struct Needle<'n> {
    finder: memmem::Finder<'n>,
    bytes: &'n [u8],
    /// Only digits: phone numbers are searched too.
    digits: bool,
}

impl<'n> Needle<'n> {
    fn all(needles: &'n [String]) -> Vec<Self> {
        needles
            .iter()
            .map(|needle| Needle {
                finder: memmem::Finder::new(needle.as_bytes()),
                bytes: needle.as_bytes(),
                digits: all_digits(needle),
            })
            .collect()
    }
}

/// The first place a needle occurs in one field of a contact.
struct Found<'h> {
    /// Which field (0: the first).
    field: usize,
    /// The field's text.
    text: &'h [u8],
    /// Where in it the needle starts.
    at: usize,
}

impl Found<'_> {
    /// `(exact, prefix, word, anywhere)` → the score of this occurrence: the whole field,
    /// its start, the start of a word in it, or anywhere else.
    fn score(
        &self,
        needle_len: usize,
        (exact, prefix, word, anywhere): (u32, u32, u32, u32),
    ) -> u32 {
        if self.at == 0 {
            return if self.text.len() == needle_len {
                exact
            } else {
                prefix
            };
        }
        let before = &self.text[..self.at];
        let at_word_start = match before.last() {
            Some(&byte) if byte.is_ascii() => !byte.is_ascii_alphanumeric(),
            _ => std::str::from_utf8(before)
                .ok()
                .and_then(|text| text.chars().next_back())
                .is_some_and(|c| !c.is_alphanumeric()),
        };
        if at_word_start { word } else { anywhere }
    }

    /// The score of a phone number's digits: "0044 20…" ranks for "+44 20" as "+44 20…"
    /// does (a prefix, not anywhere).
    fn number_score(&self, needle: &[u8]) -> u32 {
        let as_stored = match self.at {
            0 if self.text.len() == needle.len() => 95,
            0 => 65,
            _ => 45,
        };
        let international = match self.text.strip_prefix(b"00") {
            Some(rest) if rest == needle => 95,
            Some(rest) if rest.starts_with(needle) => 65,
            _ => 0,
        };
        as_stored.max(international)
    }
}

impl SearchIndex {
    pub(super) fn rebuild(&mut self, contacts: &[ContactRecord]) {
        *self = Self::default();
        self.entries.reserve_exact(contacts.len());
        self.text.starts.reserve_exact(contacts.len());
        self.digits.starts.reserve_exact(contacts.len());
        for c in contacts {
            let text_fields = std::iter::once(&c.name)
                .chain(&c.aliases)
                .chain(&c.sip_addresses)
                .map(|field| searchable(field));
            let (text, digits) = (&mut self.text, &mut self.digits);
            let lowered: Vec<String> = text_fields.collect();
            text.push(lowered.iter().map(String::as_str));
            let numbers: Vec<String> = c
                .phone_numbers
                .iter()
                .map(|n| contact_search::phone_digits(n))
                .collect();
            digits.push(numbers.iter().map(String::as_str));
            self.entries.push(IndexedContact {
                aliases: u32::try_from(c.aliases.len()).unwrap_or(u32::MAX),
                favorite: c.favorite,
            });
        }
        self.text.bytes.shrink_to_fit();
        self.digits.bytes.shrink_to_fit();
        self.text_words = WordStarts::of_words(&self.text.bytes);
        self.number_starts = WordStarts::of_numbers(&self.digits.bytes);
        let names: Vec<&str> = (0..contacts.len())
            .map(|i| self.text.first_field(i))
            .collect();
        let mut by_name: Vec<usize> = (0..contacts.len()).collect();
        by_name.sort_by(|&a, &b| {
            names[a]
                .cmp(names[b])
                .then_with(|| contacts[a].name.cmp(&contacts[b].name))
        });
        let as_u32 = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
        let mut name_rank = vec![0; contacts.len()];
        for (rank, &contact) in by_name.iter().enumerate() {
            name_rank[contact] = as_u32(rank);
        }
        self.name_rank = name_rank;
        self.by_name = by_name.into_iter().map(as_u32).collect();
        self.favorites = (0..contacts.len())
            .filter(|&i| contacts[i].favorite)
            .map(as_u32)
            .collect();
    }

    /// The contacts whose name starts with `needle`, in name order.
    fn names_starting_with(&self, needle: &str) -> &[u32] {
        let name = |contact: &u32| self.text.first_field(*contact as usize);
        let start = self.by_name.partition_point(|c| name(c) < needle);
        let len = self.by_name[start..].partition_point(|c| name(c).starts_with(needle));
        &self.by_name[start..start + len]
    }

    /// The best `limit` hits when at least that many are of the top tier; `None` when the
    /// whole list must be scored. Only the contacts that can be in the top tier are
    /// scored: the first `limit` names that start with a needle (later ones rank below
    /// them), the fields equal to one, and the favorites.
    fn search_top_tier(
        &self,
        needles: &[String],
        finders: &[Needle<'_>],
        limit: usize,
    ) -> Option<Vec<Scored>> {
        let named: Vec<&[u32]> = needles
            .iter()
            .map(|needle| self.names_starting_with(needle))
            .collect();
        // Enough names start with a needle: the top tier is full without the rest (and
        // the scans for equal fields below are not spent on a query that needs them all).
        if !named.iter().any(|names| names.len() >= limit) {
            return None;
        }
        let mut candidates: Vec<usize> = self.favorites.iter().map(|&i| i as usize).collect();
        for (needle, named) in needles.iter().zip(named) {
            candidates.extend(named.iter().take(limit).map(|&i| i as usize));
            self.text.contacts_with_field(needle, &mut candidates);
            if all_digits(needle) {
                self.digits.contacts_with_field(needle, &mut candidates);
                self.digits
                    .contacts_with_field(&format!("00{needle}"), &mut candidates);
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let top: Vec<Scored> = self
            .score_all(candidates, finders)
            .filter(|hit| hit.0.0 >= TOP_TIER)
            .collect();
        debug_assert!(
            top.len() >= limit,
            "the names that start with a needle are top tier"
        );
        Some(top)
    }

    /// The best `limit` hits when at least that many match at the start of a word or a
    /// number; `None` when the whole list must be scored. Only the contacts where a needle
    /// starts a word are scored (a needle's first occurrence in a field, which gives the
    /// score, may still lie inside a word: those hits are below the tier and dropped).
    fn search_word_starts(
        &self,
        needles: &[String],
        finders: &[Needle<'_>],
        limit: usize,
    ) -> Option<Vec<Scored>> {
        let mut words = Vec::new();
        let mut candidates = Vec::new();
        for needle in needles {
            let mut starts = |index: &WordStarts, haystack: &Haystack| {
                words.clear();
                let known = index.words_starting_with(
                    haystack.bytes.as_bytes(),
                    needle.as_bytes(),
                    &mut words,
                );
                candidates.extend(
                    words
                        .iter()
                        .map(|&offset| haystack.contact_at(offset as usize)),
                );
                known
            };
            if !starts(&self.text_words, &self.text)
                || all_digits(needle) && !starts(&self.number_starts, &self.digits)
            {
                return None;
            }
            // Most contacts: scanning them is as quick.
            if candidates.len() > self.entries.len() / 2 {
                return None;
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        if candidates.len() < limit {
            return None;
        }
        let found: Vec<Scored> = self
            .score_all(candidates, finders)
            .filter(|hit| hit.0.0 >= WORD_TIER)
            .collect();
        (found.len() >= limit).then_some(found)
    }

    /// Each candidate that matches, with its sort key.
    fn score_all<'s>(
        &'s self,
        candidates: Vec<usize>,
        needles: &'s [Needle<'_>],
    ) -> impl Iterator<Item = Scored> + 's {
        candidates.into_iter().filter_map(move |i| {
            let (score, field) = self.score(i, needles)?;
            Some((Reverse(score), self.name_rank[i], i, field))
        })
    }

    /// The best score of any needle in any field of contact `index`; `None` when no needle
    /// occurs in any.
    fn score(&self, index: usize, needles: &[Needle<'_>]) -> Option<(u32, MatchedField)> {
        let entry = self.entries[index];
        let mut best = (0, MatchedField::Name);
        let mut consider = |score: u32, field: MatchedField| {
            if score > best.0 {
                best = (score, field);
            }
        };
        for needle in needles {
            for found in self.text.first_in_each_field(index, &needle.finder) {
                let (kind, scores) = match found.field {
                    0 => (MatchedField::Name, (100, 90, 75, 40)),
                    n if n <= entry.aliases as usize => (MatchedField::Alias, (95, 80, 60, 35)),
                    _ => (MatchedField::Address, (95, 70, 50, 30)),
                };
                consider(found.score(needle.bytes.len(), scores), kind);
            }
            if needle.digits {
                for found in self.digits.first_in_each_field(index, &needle.finder) {
                    consider(found.number_score(needle.bytes), MatchedField::PhoneNumber);
                }
            }
        }
        if best.0 == 0 {
            return None;
        }
        Some((best.0 + u32::from(entry.favorite) * 3, best.1))
    }

    /// Indices of the contacts that hold a needle somewhere, in order, each once.
    fn contacts_matching(&self, needles: &[String]) -> Vec<usize> {
        let mut candidates = Vec::new();
        let mut scans = 0;
        for needle in needles {
            self.text
                .contacts_containing(needle.as_bytes(), &mut candidates);
            scans += 1;
            // Only digits can occur in the digits haystack.
            if all_digits(needle) {
                self.digits
                    .contacts_containing(needle.as_bytes(), &mut candidates);
                scans += 1;
            }
        }
        if scans > 1 {
            candidates.sort_unstable();
            candidates.dedup();
        }
        candidates
    }

    pub(super) fn search<'a>(
        &self,
        contacts: &'a [ContactRecord],
        query: &str,
        limit: usize,
    ) -> Vec<SearchHit<'a>> {
        self.search_with(contacts, query, limit, true)
    }

    /// Every contact that matches, scored: what the shortcuts must agree with.
    #[cfg(test)]
    fn search_scoring_all<'a>(
        &self,
        contacts: &'a [ContactRecord],
        query: &str,
        limit: usize,
    ) -> Vec<SearchHit<'a>> {
        self.search_with(contacts, query, limit, false)
    }

    /// The search, through the shortcuts (the top tier, then the word starts) when
    /// `shortcut` (always, but in tests).
    fn search_with<'a>(
        &self,
        contacts: &'a [ContactRecord],
        query: &str,
        limit: usize,
        shortcut: bool,
    ) -> Vec<SearchHit<'a>> {
        let needles = contact_search::needles(query);
        if needles.is_empty() || limit == 0 {
            return Vec::new();
        }
        let finders = Needle::all(&needles);
        let shortcut = shortcut
            .then(|| {
                self.search_top_tier(&needles, &finders, limit)
                    .or_else(|| self.search_word_starts(&needles, &finders, limit))
            })
            .flatten();
        let scored = match shortcut {
            Some(scored) => scored,
            None => self
                .score_all(self.contacts_matching(&needles), &finders)
                .collect(),
        };
        Self::best(contacts, scored, limit)
    }

    /// The best `limit` of these hits, best first.
    fn best(
        contacts: &[ContactRecord],
        mut scored: Vec<Scored>,
        limit: usize,
    ) -> Vec<SearchHit<'_>> {
        if limit == 0 {
            return Vec::new();
        }
        let key = |hit: &Scored| (hit.0, hit.1);
        if scored.len() > limit {
            scored.select_nth_unstable_by_key(limit - 1, key);
            scored.truncate(limit);
        }
        scored.sort_unstable_by_key(key);
        scored
            .into_iter()
            .map(|(Reverse(score), _, i, field)| SearchHit {
                contact: &contacts[i],
                index: i,
                score,
                field,
            })
            .collect()
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
        in_one_group(group, contacts)
    }

    /// A list of `contacts`, all in `group` ("G").
    fn in_one_group(group: GroupId, contacts: Vec<ContactRecord>) -> ContactList {
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

    /// The same contacts as the store's rule, on the table every contact search is held to.
    #[test]
    fn finds_what_the_store_finds() {
        use wink_ports::contact_search::{self, examples};
        let book = examples::address_book();
        let list = ContactList::from_records(vec![examples::group()], book.clone());
        for &(query, expected) in examples::QUERIES {
            let mut here = names(&list.search(query, usize::MAX));
            here.sort_unstable();
            let needles = contact_search::needles(query);
            let store: Vec<&str> = book
                .iter()
                .filter(|c| contact_search::matches(&needles, c))
                .map(|c| c.name.as_str())
                .collect();
            assert_eq!(here, store, "query {query:?}: domain and store disagree");
            assert_eq!(here, expected, "query {query:?}");
        }
    }

    #[test]
    fn numbers_rank_by_their_digits_with_or_without_00() {
        use wink_ports::contact_search::examples;
        let list = ContactList::from_records(vec![examples::group()], examples::address_book());
        // Carla's "0044 20 7946 0002" starts with 44207946 as Ann's "+44 20 7946 0001" does.
        let hits = list.search("+44 20 7946", 10);
        assert!(hits.iter().all(|h| h.field == MatchedField::PhoneNumber));
        assert_eq!(hits[0].score, hits[1].score);
        let slash = list.search("089/123456", 10);
        assert_eq!(names(&slash), ["Bernd Huber"]);
        assert_eq!(slash[0].field, MatchedField::PhoneNumber);
    }

    #[test]
    fn favorites_win_ties() {
        let mut list = list();
        let bob = ContactId::new("4").unwrap();
        list.set_favorite(&bob, true).unwrap();
        // "example" matches three addresses equally; the favorite comes first.
        assert_eq!(names(&list.search("example", 10))[0], "Bob Annex");
    }

    /// The shortcuts through the top tier and the word starts find exactly what scoring
    /// every contact finds, on a book where many names share prefixes, some fields equal a
    /// query, some favorites sort late, numbers are kept with and without `00`, and a text
    /// occurs inside a word before it starts one.
    #[test]
    fn the_shortcuts_agree_with_scoring_every_contact() {
        let list = shared_prefixes();
        let queries = [
            "a",
            "an",
            "ann",
            "ANN",
            "anna",
            "b",
            "p",
            "pe",
            "z",
            "é",
            "émile 1",
            "ann 1",
            "44",
            "4420",
            "0044 20",
            "+44 20 00",
            "1",
            "user",
            "@",
            "x",
            "2",
            "20",
            "0",
            "00",
            "ab",
            "ab 3",
            "example",
            "com",
            "ser",
        ];
        for query in queries {
            for limit in [1, 5, 20, 50, 1000] {
                let fast = list.search(query, limit);
                let full = list.index.search_scoring_all(&list.contacts, query, limit);
                let ids = |hits: &[SearchHit<'_>]| {
                    hits.iter()
                        .map(|h| (h.contact.id.to_string(), h.score, h.field))
                        .collect::<Vec<_>>()
                };
                assert_eq!(ids(&fast), ids(&full), "query {query:?}, limit {limit}");
            }
        }
    }

    /// Queries that start words in many contacts, and none of whose names, are answered
    /// from the word starts (so the agreement above covers that path); not a query found
    /// only inside words, one whose word starts are inside words first (they score as
    /// such), nor one that starts a word in most contacts (a scan is as quick).
    #[test]
    fn word_starts_answer_queries_that_start_words() {
        let list = shared_prefixes();
        let shortcut = |query: &str| {
            let needles = contact_search::needles(query);
            let finders = Needle::all(&needles);
            list.index
                .search_word_starts(&needles, &finders, 20)
                .map(|hits| hits.len())
        };
        for query in ["1", "2", "3"] {
            assert!(shortcut(query).is_some_and(|n| n >= 20), "{query:?}");
        }
        for query in ["ser", "ab", "example"] {
            assert_eq!(shortcut(query), None, "{query:?}");
        }
    }

    /// 600 contacts whose names share prefixes, with equal fields, late favorites, numbers
    /// with and without `00`, and names where "ab" occurs inside a word before starting one.
    fn shared_prefixes() -> ContactList {
        let group = GroupId::new("g").unwrap();
        let first = [
            "Ann", "ann", "Anna", "Bob", "Pat", "pete", "Zoe", "Émile", "a", "Mab ab",
        ];
        let contacts: Vec<ContactRecord> = (0..600)
            .map(|i| ContactRecord {
                id: ContactId::new(i.to_string()).unwrap(),
                name: format!("{} {}", first[i % first.len()], i / 7),
                sip_addresses: vec![if i % 11 == 0 {
                    "ann".to_owned()
                } else {
                    format!("user{i}@example.com")
                }],
                phone_numbers: vec![if i % 2 == 0 {
                    format!("0044 20 {i:04}")
                } else {
                    format!("+44 20 {i:04}")
                }],
                aliases: if i % 13 == 0 {
                    vec!["a".into()]
                } else {
                    vec![]
                },
                preferred_media: Default::default(),
                icon: None,
                group: group.clone(),
                position: 0,
                favorite: i % 17 == 0,
            })
            .collect();
        in_one_group(group, contacts)
    }

    /// The scores from one pass over a contact's bytes are those of the plain definition:
    /// per field, the whole field, its start, a word start at the first occurrence, or
    /// anywhere; a number also without its `00`.
    #[test]
    fn one_pass_scores_follow_the_plain_definition() {
        fn plain(field: &str, query: &str, scores: (u32, u32, u32, u32)) -> u32 {
            if field == query {
                scores.0
            } else if field.starts_with(query) {
                scores.1
            } else if let Some(at) = field.find(query) {
                let word = field[..at].ends_with(|c: char| !c.is_alphanumeric());
                if word { scores.2 } else { scores.3 }
            } else {
                0
            }
        }
        let fields = [
            "ann",
            "anna",
            "xann ann",
            "jo-ann",
            "éann",
            "ann\u{e9}",
            "café ann",
            "b",
            "",
            "ann ann",
        ];
        let queries = ["ann", "an", "a", "nn", "é", "ann ", "b"];
        let scores = (100, 90, 75, 40);
        for field in fields {
            let mut haystack = Haystack::default();
            haystack.push(["zz", field, "zz"].into_iter());
            for query in queries {
                let owned = [query.to_owned()];
                let needle = Needle::all(&owned).remove(0);
                let found = haystack
                    .first_in_each_field(0, &needle.finder)
                    .find(|f| f.field == 1)
                    .map_or(0, |f| f.score(query.len(), scores));
                assert_eq!(found, plain(field, query, scores), "{field:?} {query:?}");
            }
        }
        for (stored, needle, expected) in [
            ("0000", "00", 95),
            ("00442012", "4420", 65),
            ("00442012", "0044", 65),
            ("4420", "4420", 95),
            ("0044", "04", 45),
            ("0020020", "20", 65),
        ] {
            let mut haystack = Haystack::default();
            haystack.push([stored].into_iter());
            let needles = [needle.to_owned()];
            let finder = &Needle::all(&needles)[0];
            let found = haystack
                .first_in_each_field(0, &finder.finder)
                .next()
                .unwrap();
            assert_eq!(
                found.number_score(needle.as_bytes()),
                expected,
                "{stored} {needle}"
            );
        }
    }

    #[test]
    fn a_line_break_in_a_name_does_not_shift_the_fields() {
        let group = wink_ports::GroupId::new("g").unwrap();
        let contact = ContactRecord {
            id: ContactId::new("1").unwrap(),
            name: "Ann\nLee".into(),
            sip_addresses: vec!["zed@example.com".into()],
            phone_numbers: vec![],
            aliases: vec!["nick".into()],
            preferred_media: Default::default(),
            icon: None,
            group: group.clone(),
            position: 0,
            favorite: false,
        };
        let list = in_one_group(group, vec![contact]);
        let by_alias = list.search("nick", 10);
        assert_eq!(by_alias[0].field, MatchedField::Alias, "{by_alias:?}");
        assert_eq!(list.search("zed@", 10)[0].field, MatchedField::Address);
        assert_eq!(list.search("ann lee", 10)[0].field, MatchedField::Name);
    }
}
