//! The contact list as two `gio::ListModel`s over one [`ContactRows`]: the grouped rows and
//! the search results. Row objects are made on demand; each change emits `items-changed`
//! for just the rows it touched (a fold: that group's rows). The results keep one object
//! per place: a keystroke gives the places new content ([`ContactItem::assign`]) and
//! announces only a change in their number, so GTK rebinds the rows it shows instead of
//! making and dropping row widgets (which cost about 0.4 ms each).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gtk::prelude::*;
use gtk::subclass::prelude::*;
use gtk::{gio, glib};
use wink_domain::SpecialGroups;
use wink_ports::{ContactRecord, GroupId, GroupRecord};

use super::contact_form::ContactForm;
use super::contact_item::ContactItem;
use super::contact_rows::{ContactRows, Row, View};

mod imp {
    use super::*;

    #[derive(Debug, Default)]
    pub struct ContactListModel {
        pub(super) rows: RefCell<Rc<RefCell<ContactRows>>>,
        pub(super) view: Cell<View>,
        /// The results' objects by place (the grouped view makes one per request).
        pub(super) slots: RefCell<Vec<Option<ContactItem>>>,
        /// The rows the results' places show. While the bar is empty (the page hidden)
        /// they keep the last results, so the next keystroke rebinds row widgets instead of
        /// making them again.
        pub(super) shown: RefCell<Vec<Row>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for ContactListModel {
        const NAME: &'static str = "WkContactListModel";
        type Type = super::ContactListModel;
        type Interfaces = (gio::ListModel,);
    }

    impl ObjectImpl for ContactListModel {}

    impl ListModelImpl for ContactListModel {
        fn item_type(&self) -> glib::Type {
            ContactItem::static_type()
        }

        fn n_items(&self) -> u32 {
            let len = match self.view.get() {
                View::Grouped => self.rows.borrow().borrow().rows(View::Grouped).len(),
                View::Results => self.shown.borrow().len(),
            };
            u32::try_from(len).unwrap_or(u32::MAX)
        }

        fn item(&self, position: u32) -> Option<glib::Object> {
            let rows = self.rows.borrow();
            let rows = rows.borrow();
            let place = usize::try_from(position).ok()?;
            if self.view.get() == View::Grouped {
                let row = rows.rows(View::Grouped).get(place)?;
                return Some(ContactItem::for_row(&rows, row).upcast());
            }
            let shown = self.shown.borrow();
            let row = shown.get(place)?;
            let mut slots = self.slots.borrow_mut();
            if slots.len() <= place {
                slots.resize(place + 1, None);
            }
            let slot = slots[place].get_or_insert_with(|| ContactItem::for_row(&rows, row));
            Some(slot.clone().upcast())
        }
    }
}

glib::wrapper! {
    /// One view of the contact list.
    pub struct ContactListModel(ObjectSubclass<imp::ContactListModel>)
        @implements gio::ListModel;
}

impl ContactListModel {
    fn over(rows: &Rc<RefCell<ContactRows>>, view: View) -> Self {
        let model: Self = glib::Object::new();
        *model.imp().rows.borrow_mut() = rows.clone();
        model.imp().view.set(view);
        model
    }

    fn len(&self) -> u32 {
        self.n_items()
    }

    /// Shows `new` in the results' places: the places whose row changed get their new
    /// content, those past the new end are forgotten. Returns how many places there were
    /// and are.
    fn show_rows(&self, rows: &ContactRows, new: Vec<Row>) -> (usize, usize) {
        let old = self.imp().shown.replace(new);
        let new = self.imp().shown.borrow();
        let mut slots = self.imp().slots.borrow_mut();
        slots.truncate(new.len());
        for (place, slot) in slots.iter().enumerate() {
            if let Some(slot) = slot
                && old.get(place) != Some(&new[place])
            {
                slot.assign(&ContactItem::for_row(rows, &new[place]));
            }
        }
        (old.len(), new.len())
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The contact list's two views and the rows behind them.
#[derive(Debug)]
pub(crate) struct ContactLists {
    rows: Rc<RefCell<ContactRows>>,
    grouped: ContactListModel,
    results: ContactListModel,
}

impl Default for ContactLists {
    fn default() -> Self {
        let rows = Rc::new(RefCell::new(ContactRows::default()));
        Self {
            grouped: ContactListModel::over(&rows, View::Grouped),
            results: ContactListModel::over(&rows, View::Results),
            rows,
        }
    }
}

impl ContactLists {
    /// The groups and their contacts.
    pub(crate) fn grouped(&self) -> &ContactListModel {
        &self.grouped
    }

    /// What the search found.
    pub(crate) fn results(&self) -> &ContactListModel {
        &self.results
    }

    /// The name of the contact with this address, if any.
    pub(crate) fn name_of(&self, address: &str) -> Option<String> {
        self.rows.borrow().name_of(address).map(str::to_owned)
    }

    /// Whether something is typed (the results show instead of the groups).
    pub(crate) fn is_searching(&self) -> bool {
        self.rows.borrow().is_searching()
    }

    /// Replaces the contacts (after loading or an edit), with the special groups the
    /// settings show; the query stays.
    pub(crate) fn set_contacts(
        &self,
        groups: Vec<GroupRecord>,
        contacts: Vec<ContactRecord>,
        special: SpecialGroups,
    ) {
        let (grouped_before, results_before) = (self.grouped.len(), self.results.len());
        {
            let mut rows = self.rows.borrow_mut();
            let query = rows.query().to_owned();
            *rows = ContactRows::new(groups, contacts);
            rows.set_special(special);
            rows.set_query(&query);
        }
        self.grouped
            .items_changed(0, grouped_before, self.grouped.len());
        // Places may point at contacts that moved: all new.
        self.results.imp().slots.borrow_mut().clear();
        let shown = Self::results_or_first_contacts(&self.rows.borrow());
        self.results.imp().shown.replace(shown);
        self.results
            .items_changed(0, results_before, self.results.len());
    }

    /// What the results' places show: the results, or while the bar is empty (the page
    /// hidden) the first contacts, so that the first keystroke rebinds row widgets made
    /// beforehand instead of making a screenful of them.
    fn results_or_first_contacts(rows: &ContactRows) -> Vec<Row> {
        if rows.is_searching() {
            return rows.rows(View::Results).to_vec();
        }
        let first = rows.contacts().len().min(super::contact_rows::SEARCH_LIMIT);
        (0..first).map(Row::Contact).collect()
    }

    /// Shows or hides the special groups (Favorites, Missed Calls).
    pub(crate) fn set_special(&self, special: SpecialGroups) {
        let before = self.grouped.len();
        self.rows.borrow_mut().set_special(special);
        self.grouped.items_changed(0, before, self.grouped.len());
    }

    /// Shows the missed callers of these history records in the Missed Calls group.
    pub(crate) fn set_missed(&self, records: &[wink_ports::HistoryRecord]) {
        let before = self.grouped.len();
        self.rows
            .borrow_mut()
            .set_missed(super::contact_rows::missed_callers(records));
        self.grouped.items_changed(0, before, self.grouped.len());
    }

    /// Filters by what is typed in the search bar; returns how many results there are.
    pub(crate) fn set_query(&self, query: &str) -> u32 {
        let started = std::time::Instant::now();
        let (before, after, searched) = {
            let mut rows = self.rows.borrow_mut();
            rows.set_query(query);
            let searched = started.elapsed();
            if !rows.is_searching() {
                // The results page is hidden: its places keep their rows for the next
                // keystroke to rebind.
                return 0;
            }
            let new = rows.rows(View::Results).to_vec();
            let (before, after) = self.results.show_rows(&rows, new);
            (before, after, searched)
        };
        // Only a change in the number of places: the places kept were rebound above.
        let kept = before.min(after);
        if before != after {
            self.results
                .items_changed(count(kept), count(before - kept), count(after - kept));
        }
        if crate::bench::enabled() {
            eprintln!(
                "wink-bench: search-us {} list-us {}",
                searched.as_micros(),
                (started.elapsed() - searched).as_micros()
            );
        }
        count(after)
    }

    /// Folds or unfolds a group (only its rows change).
    pub(crate) fn set_collapsed(&self, group: &GroupId, collapsed: bool) {
        let splice = self.rows.borrow_mut().set_collapsed(group, collapsed);
        if let Some(splice) = splice {
            self.grouped.items_changed(
                count(splice.position),
                count(splice.removed),
                count(splice.added),
            );
        }
    }

    /// The editor's form for a contact.
    pub(crate) fn form_for(&self, id: &str) -> Option<ContactForm> {
        let rows = self.rows.borrow();
        let id = wink_ports::ContactId::new(id).ok()?;
        let contact = rows.list().contact(&id)?;
        Some(ContactForm::of(contact, rows.list()))
    }

    /// Whether a contact is a favorite.
    pub(crate) fn is_favorite(&self, id: &str) -> bool {
        let rows = self.rows.borrow();
        wink_ports::ContactId::new(id)
            .ok()
            .and_then(|id| rows.list().contact(&id).map(|c| c.favorite))
            .unwrap_or(false)
    }

    /// A contact's name and what calling it dials.
    pub(crate) fn name_and_target(&self, id: &str) -> Option<(String, String)> {
        let rows = self.rows.borrow();
        let id = wink_ports::ContactId::new(id).ok()?;
        let contact = rows.list().contact(&id)?;
        Some((
            contact.name.clone(),
            super::contact_rows::contact_target(contact).unwrap_or_default(),
        ))
    }

    /// What is typed in the search bar.
    pub(crate) fn query(&self) -> String {
        self.rows.borrow().query().to_owned()
    }

    /// What Enter in the search bar calls.
    pub(crate) fn enter_target(&self) -> Option<String> {
        self.rows.borrow().enter_target()
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::rc::Rc;

    use wink_ports::GroupId;

    use super::*;
    use crate::models::fixtures;

    fn lists_with(contacts: usize) -> ContactLists {
        let group = fixtures::group("all", "All");
        let contacts = (0..contacts)
            .map(|n| {
                fixtures::contact(
                    &format!("c{n}"),
                    &format!("Person {n}"),
                    "all",
                    &format!("p{n}@example.com"),
                )
            })
            .collect();
        let lists = ContactLists::default();
        lists.set_contacts(vec![group], contacts, SpecialGroups::default());
        lists
    }

    /// Counts the rows each `items-changed` of `model` says were removed and added.
    fn watch(model: &ContactListModel) -> Rc<Cell<(u32, u32)>> {
        let seen = Rc::new(Cell::new((0, 0)));
        let counter = seen.clone();
        model.connect_items_changed(move |_, _, removed, added| {
            let (r, a) = counter.get();
            counter.set((r + removed, a + added));
        });
        seen
    }

    #[test]
    fn a_keystroke_changes_only_the_results_and_a_fold_only_its_rows() {
        let lists = lists_with(1_000);
        assert_eq!(lists.grouped().n_items(), 1_001);
        // Before the first keystroke the hidden results hold the first contacts (row
        // widgets made while nobody waits for them).
        assert_eq!(lists.results().n_items(), 50);
        let prefilled = lists
            .results()
            .item(0)
            .and_downcast::<ContactItem>()
            .unwrap();
        assert_eq!(prefilled.title(), "Person 0");
        let grouped = watch(lists.grouped());
        let results = watch(lists.results());
        assert_eq!(lists.set_query("person 99"), 11);
        assert!(lists.is_searching());
        assert_eq!(grouped.get(), (0, 0));
        assert_eq!(
            results.get(),
            (39, 0),
            "the first eleven places are rebound"
        );
        // Typing on: only the places past the new end are announced ("person 999" keeps
        // the first result, Person 999, and drops the other ten).
        let first = lists
            .results()
            .item(0)
            .and_downcast::<ContactItem>()
            .unwrap();
        assert_eq!(first, prefilled);
        let second = lists
            .results()
            .item(1)
            .and_downcast::<ContactItem>()
            .unwrap();
        assert_eq!(lists.set_query("person 999"), 1);
        assert_eq!(results.get(), (49, 0));
        // A place keeps its object and is told when it shows another row.
        let rebound = Rc::new(Cell::new(0));
        let counter = rebound.clone();
        first.connect_changed(move |_| counter.set(counter.get() + 1));
        assert_eq!(lists.set_query("person 99"), 11);
        assert_eq!(results.get(), (49, 10));
        assert_eq!(
            rebound.get(),
            1,
            "Person 999 gave the first place to Person 99"
        );
        assert_eq!(first.title(), "Person 99");
        lists.set_query("person 12");
        assert_eq!(
            results.get(),
            (49, 10),
            "as many results: no place added or removed"
        );
        assert_eq!(rebound.get(), 2);
        let again = lists
            .results()
            .item(0)
            .and_downcast::<ContactItem>()
            .unwrap();
        assert_eq!(again, first);
        assert_eq!(first.title(), "Person 12");
        assert_ne!(second.title(), "Person 12");
        // An empty bar hides the results and keeps their places for the next keystroke.
        assert_eq!(lists.set_query(""), 0);
        assert!(!lists.is_searching());
        assert_eq!(results.get(), (49, 10));
        assert_eq!(lists.set_query("person 13"), 11);
        assert_eq!(
            results.get(),
            (49, 10),
            "the next search rebinds the same places"
        );
        assert_eq!(first.title(), "Person 13");
        lists.set_collapsed(&GroupId::new("all").unwrap(), true);
        assert_eq!(grouped.get(), (1_001, 1));
        assert_eq!(lists.grouped().n_items(), 1);
        let header = lists
            .grouped()
            .item(0)
            .and_downcast::<ContactItem>()
            .unwrap();
        assert!(header.collapsed());
    }
}
