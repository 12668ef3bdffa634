//! One row of the contact list, made when `GtkListView` asks for it (only visible rows
//! exist as objects). A search result keeps its object and takes another row's content
//! ([`ContactItem::assign`]), so a keystroke rebinds the rows on screen instead of making
//! new ones.

use std::cell::{Cell, RefCell};

use gtk::glib;
use gtk::prelude::*;
use gtk::subclass::prelude::*;

use super::contact_rows::{ContactRows, Row, Section, contact_target};

/// What a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, glib::Enum)]
#[enum_type(name = "WkContactRowKind")]
pub enum RowKind {
    /// A group header.
    #[default]
    Group,
    /// A contact.
    Contact,
    /// The typed text, to call as it is.
    Typed,
    /// A missed caller, to call back.
    Missed,
}

/// The signal a result slot emits when it shows another row.
const CHANGED: &str = "changed";

mod imp {
    use super::*;

    #[derive(Debug, Default, glib::Properties)]
    #[properties(wrapper_type = super::ContactItem)]
    pub struct ContactItem {
        /// Group, contact or typed text.
        #[property(get, construct_only, builder(RowKind::Group))]
        pub(super) kind: Cell<RowKind>,
        /// The group's or contact's name, or "Call …".
        #[property(get, construct_only)]
        pub(super) title: RefCell<String>,
        /// A contact's address or number; a group's contact count.
        #[property(get, construct_only)]
        pub(super) subtitle: RefCell<String>,
        /// The group's id (of a header) or the contact's id.
        #[property(get, construct_only)]
        pub(super) id: RefCell<String>,
        /// What calling this row dials (empty for a group).
        #[property(get, construct_only)]
        pub(super) target: RefCell<String>,
        /// A folded group.
        #[property(get, construct_only)]
        pub(super) collapsed: Cell<bool>,
        /// A contact marked as favorite.
        #[property(get, construct_only)]
        pub(super) favorite: Cell<bool>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for ContactItem {
        const NAME: &'static str = "WkContactItem";
        type Type = super::ContactItem;
    }

    #[glib::derived_properties]
    impl ObjectImpl for ContactItem {
        fn signals() -> &'static [glib::subclass::Signal] {
            static SIGNALS: std::sync::OnceLock<Vec<glib::subclass::Signal>> =
                std::sync::OnceLock::new();
            SIGNALS.get_or_init(|| vec![glib::subclass::Signal::builder(CHANGED).build()])
        }
    }
}

glib::wrapper! {
    /// A row of the contact list.
    pub struct ContactItem(ObjectSubclass<imp::ContactItem>);
}

impl ContactItem {
    /// Shows `other`'s row from now on (a search result slot given the next result) and
    /// emits `changed` once.
    pub(crate) fn assign(&self, other: &ContactItem) {
        let (to, from) = (self.imp(), other.imp());
        to.kind.set(from.kind.get());
        to.title.replace(from.title.take());
        to.subtitle.replace(from.subtitle.take());
        to.id.replace(from.id.take());
        to.target.replace(from.target.take());
        to.collapsed.set(from.collapsed.get());
        to.favorite.set(from.favorite.get());
        self.emit_by_name::<()>(CHANGED, &[]);
    }

    /// Calls `f` each time the item shows another row.
    pub(crate) fn connect_changed<F: Fn(&Self) + 'static>(&self, f: F) -> glib::SignalHandlerId {
        self.connect_local(CHANGED, false, move |values| {
            if let Some(item) = values.first().and_then(|v| v.get::<Self>().ok()) {
                f(&item);
            }
            None
        })
    }

    /// The object for `row` of `rows`.
    pub(crate) fn for_row(rows: &ContactRows, row: &Row) -> Self {
        // Every property is given once (construct-only strings have no default).
        let favorite = match row {
            Row::Contact(index) => rows.contacts()[*index].favorite,
            _ => false,
        };
        let (kind, title, subtitle, id, target, collapsed) = match row {
            Row::Group {
                section,
                count,
                collapsed,
            } => {
                let title = match section {
                    Section::Group(index) => rows.groups()[*index].name.clone(),
                    Section::Favorites => "Favorites".to_owned(),
                    Section::MissedCalls => "Missed Calls".to_owned(),
                };
                let subtitle = match (section, count) {
                    (Section::MissedCalls, 1) => "1 caller".to_owned(),
                    (Section::MissedCalls, n) => format!("{n} callers"),
                    _ => count_text(*count),
                };
                (
                    RowKind::Group,
                    title,
                    subtitle,
                    rows.section_key(*section).to_string(),
                    String::new(),
                    *collapsed,
                )
            }
            Row::Contact(index) => {
                let contact = &rows.contacts()[*index];
                let target = contact_target(contact).unwrap_or_default();
                (
                    RowKind::Contact,
                    contact.name.clone(),
                    target.clone(),
                    contact.id.to_string(),
                    target,
                    false,
                )
            }
            Row::Missed(index) => {
                let caller = &rows.missed()[*index];
                let name = rows
                    .name_of(&caller.address)
                    .map(str::to_owned)
                    .or_else(|| caller.display.clone())
                    .unwrap_or_else(|| caller.address.clone());
                (
                    RowKind::Missed,
                    name,
                    missed_text(caller),
                    String::new(),
                    caller.address.clone(),
                    false,
                )
            }
            Row::Typed(text) => (
                RowKind::Typed,
                format!("Call {text}"),
                "Press Enter to call this address or number".to_owned(),
                String::new(),
                text.clone(),
                false,
            ),
        };
        glib::Object::builder()
            .property("kind", kind)
            .property("title", title)
            .property("subtitle", subtitle)
            .property("id", id)
            .property("target", target)
            .property("collapsed", collapsed)
            .property("favorite", favorite)
            .build()
    }
}

/// "Missed at 14:32" (or "3 missed, last on 2 Dec 14:32").
fn missed_text(caller: &super::contact_rows::MissedCaller) -> String {
    let when = glib::DateTime::from_unix_local(caller.at_ms / 1000)
        .ok()
        .and_then(|at| {
            let today = glib::DateTime::now_local().ok()?;
            let format = if at.ymd() == today.ymd() {
                "%H:%M"
            } else {
                "%e %b %H:%M"
            };
            at.format(format).ok()
        })
        .map(|text| text.trim().to_owned())
        .unwrap_or_default();
    match caller.count {
        1 => format!("Missed at {when}"),
        n => format!("{n} missed, last at {when}"),
    }
}

fn count_text(count: usize) -> String {
    match count {
        0 => "empty".into(),
        1 => "1 contact".into(),
        n => format!("{} contacts", thousands(n)),
    }
}

/// `12345` → `12,345`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::contact_rows::View;
    use crate::models::fixtures::{contact, group};

    #[test]
    fn counts_have_thousands_separated() {
        assert_eq!(count_text(0), "empty");
        assert_eq!(count_text(999), "999 contacts");
        assert_eq!(count_text(10_000), "10,000 contacts");
        assert_eq!(count_text(1_234_567), "1,234,567 contacts");
    }

    #[test]
    fn every_kind_of_row_makes_an_item() {
        let group = group("friends", "Friends");
        let contact = contact("ann", "Ann", "friends", "ann@example.com");
        let mut rows = ContactRows::new(vec![group], vec![contact]);
        let header = ContactItem::for_row(&rows, &rows.rows(View::Grouped)[0]);
        assert_eq!(
            (
                header.kind(),
                header.title(),
                header.subtitle(),
                header.target()
            ),
            (
                RowKind::Group,
                "Friends".into(),
                "1 contact".into(),
                String::new()
            )
        );
        let ann = ContactItem::for_row(&rows, &rows.rows(View::Grouped)[1]);
        assert_eq!(
            (ann.kind(), ann.target()),
            (RowKind::Contact, "ann@example.com".into())
        );
        rows.set_query("bob@example.org");
        let typed = ContactItem::for_row(&rows, &rows.rows(View::Results)[0]);
        assert_eq!(
            (typed.kind(), typed.title(), typed.id()),
            (RowKind::Typed, "Call bob@example.org".into(), String::new())
        );
    }
}
