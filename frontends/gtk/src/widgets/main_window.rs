//! The main window: the account selector with its registration state, the search bar and
//! contact list, the calls pane. It renders the phone's events and turns clicks and keys
//! into phone commands; the logic it shows lives in the view-models.

mod calls;
mod contacts;
mod devices;
mod events;
mod messaging;
mod notifications;

use std::cell::{Cell, OnceCell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Instant;

use adw::subclass::prelude::*;
use gtk::prelude::*;
use gtk::{gio, glib};
use wink_domain::Command;

use crate::actions::WindowAction;
use crate::core::Core;
use crate::core::StoredContacts;
use crate::models::account_item::AccountItem;
use crate::models::audio_devices::DeviceRole;
use crate::models::call_item::CallItem;
use crate::models::call_view::CallBook;
use crate::models::contact_item::{ContactItem, RowKind};
use crate::models::contact_list_model::ContactLists;
use crate::widgets::{AccountDialog, CallRow, ContactRow, DialPad, IncomingCall};

mod imp {
    use super::*;

    #[derive(Default, gtk::CompositeTemplate, glib::Properties)]
    #[template(file = "main_window.ui")]
    #[properties(wrapper_type = super::MainWindow)]
    pub struct MainWindow {
        /// The dial pad shows instead of the contact list.
        #[property(get, set = Self::set_dial_pad, explicit_notify)]
        pub(super) dial_pad: Cell<bool>,
        /// Compact view: the search bar and the calls only.
        #[property(get, set = Self::set_compact, explicit_notify)]
        pub(super) compact: Cell<bool>,
        /// The microphone's id (`""`: the system default).
        #[property(get, set = Self::set_microphone, explicit_notify)]
        pub(super) microphone: RefCell<String>,
        /// The speaker's id.
        #[property(get, set = Self::set_speaker, explicit_notify)]
        pub(super) speaker: RefCell<String>,
        /// Where incoming calls ring (`""`: the speaker).
        #[property(get, set = Self::set_ringing, explicit_notify)]
        pub(super) ringing: RefCell<String>,
        #[template_child]
        pub(super) device_revealer: TemplateChild<gtk::Revealer>,
        #[template_child]
        pub(super) device_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) device_use: TemplateChild<gtk::Button>,
        #[template_child]
        pub(super) device_dismiss: TemplateChild<gtk::Button>,
        #[template_child]
        pub(super) devices_button: TemplateChild<gtk::MenuButton>,
        #[template_child]
        pub(super) pad: TemplateChild<DialPad>,
        #[template_child]
        pub(super) account_selector: TemplateChild<gtk::DropDown>,
        #[template_child]
        pub(super) window_title: TemplateChild<adw::WindowTitle>,
        #[template_child]
        pub(super) missed_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub(super) problem_revealer: TemplateChild<gtk::Revealer>,
        #[template_child]
        pub(super) problem_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) problem_close: TemplateChild<gtk::Button>,
        #[template_child]
        pub(super) search_entry: TemplateChild<gtk::SearchEntry>,
        #[template_child]
        pub(super) contacts_stack: TemplateChild<gtk::Stack>,
        #[template_child]
        pub(super) contact_list: TemplateChild<gtk::ListView>,
        #[template_child]
        pub(super) result_list: TemplateChild<gtk::ListView>,
        #[template_child]
        pub(super) starting_spinner: TemplateChild<gtk::Spinner>,
        #[template_child]
        pub(super) calls_revealer: TemplateChild<gtk::Revealer>,
        #[template_child]
        pub(super) call_list: TemplateChild<gtk::ListBox>,
        #[template_child]
        pub(super) merge_button: TemplateChild<gtk::Button>,
        pub(super) core: OnceCell<Rc<Core>>,
        pub(super) accounts: OnceCell<gio::ListStore>,
        pub(super) contacts: ContactLists,
        pub(super) calls: OnceCell<gio::ListStore>,
        pub(super) book: RefCell<CallBook>,
        pub(super) incoming: RefCell<HashMap<String, IncomingCall>>,
        pub(super) clock: OnceCell<Instant>,
        pub(super) devices: devices::DeviceState,
        /// What each session is (call, chat, file), and who invites to a chat or file.
        pub(super) kinds: RefCell<crate::models::session_kinds::SessionKinds>,
        pub(super) chats: OnceCell<crate::widgets::ChatWindow>,
        pub(super) transfers: OnceCell<crate::widgets::TransfersWindow>,
        /// Files offered to us, until the user answers: the row each becomes.
        pub(super) offers:
            RefCell<HashMap<wink_ports::SessionId, crate::models::transfers::TransferView>>,
        /// The file chooser open, kept alive until it answers.
        pub(super) file_chooser: RefCell<Option<gtk::FileChooserDialog>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for MainWindow {
        const NAME: &'static str = "WkMainWindow";
        type Type = super::MainWindow;
        type ParentType = adw::ApplicationWindow;

        fn class_init(klass: &mut Self::Class) {
            DialPad::ensure_type();
            klass.bind_template();
            for action in WindowAction::ALL {
                match action.property() {
                    Some(property) => klass.install_property_action(action.name(), property),
                    None => klass.install_action(
                        action.name(),
                        action.parameter_type(),
                        move |window, _, parameter| window.run_action(action, parameter),
                    ),
                }
                crate::actions::bind_shortcut(klass, action.name(), action.shortcut());
            }
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    #[glib::derived_properties]
    impl ObjectImpl for MainWindow {}

    impl MainWindow {
        fn set_dial_pad(&self, on: bool) {
            if self.dial_pad.replace(on) != on {
                self.obj().show_contacts_page();
                self.obj().notify_dial_pad();
            }
        }

        fn set_microphone(&self, id: String) {
            self.obj().choose_device(DeviceRole::Microphone, id);
        }

        fn set_speaker(&self, id: String) {
            self.obj().choose_device(DeviceRole::Speaker, id);
        }

        fn set_ringing(&self, id: String) {
            self.obj().choose_device(DeviceRole::Ringing, id);
        }

        fn set_compact(&self, on: bool) {
            if self.compact.replace(on) != on {
                self.obj().show_compact(on);
                self.obj().notify_compact();
            }
        }
    }

    impl WidgetImpl for MainWindow {}
    impl WindowImpl for MainWindow {}
    impl ApplicationWindowImpl for MainWindow {}
    impl AdwApplicationWindowImpl for MainWindow {}
}

glib::wrapper! {
    /// Wink's main window.
    pub struct MainWindow(ObjectSubclass<imp::MainWindow>)
        @extends adw::ApplicationWindow, gtk::ApplicationWindow, gtk::Window, gtk::Widget,
        @implements gio::ActionGroup, gio::ActionMap, gtk::Buildable,
            gtk::ConstraintTarget, gtk::Native, gtk::Root, gtk::ShortcutManager;
}

impl MainWindow {
    /// The window of `app`, over the core.
    pub(crate) fn new(app: &adw::Application, core: Rc<Core>) -> Self {
        let window: Self = glib::Object::builder().property("application", app).build();
        let _ = window.imp().core.set(core);
        window.set_up();
        if crate::bench::enabled() {
            // The first frame clock tick comes once the window is on screen.
            window.add_tick_callback(|_, _| {
                crate::bench::mark("mapped");
                glib::ControlFlow::Break
            });
        }
        window
    }

    fn core(&self) -> Rc<Core> {
        self.imp()
            .core
            .get()
            .cloned()
            .unwrap_or_else(|| unreachable!("the core is set right after construction"))
    }

    fn set_up(&self) {
        let imp = self.imp();
        let _ = imp.clock.set(Instant::now());
        let _ = imp.accounts.set(gio::ListStore::new::<AccountItem>());
        let _ = imp.calls.set(gio::ListStore::new::<CallItem>());
        self.set_up_accounts();
        self.set_up_contacts();
        self.set_up_calls();
        self.set_up_dtmf_keys();
        self.set_up_devices();
        imp.pad.connect_key(glib::clone!(
            #[weak(rename_to = window)]
            self,
            move |key| window.dial_key(key)
        ));
        imp.problem_close.connect_clicked(glib::clone!(
            #[weak(rename_to = window)]
            self,
            move |_| window.imp().problem_revealer.set_reveal_child(false)
        ));
        imp.missed_button.connect_clicked(glib::clone!(
            #[weak(rename_to = window)]
            self,
            move |_| window.send(Command::ClearMissedCalls)
        ));
    }

    fn set_up_accounts(&self) {
        let imp = self.imp();
        let factory = gtk::SignalListItemFactory::new();
        factory.connect_setup(|_, item| {
            let Some(item) = item.downcast_ref::<gtk::ListItem>() else {
                return;
            };
            let dot = gtk::Image::from_icon_name("media-record-symbolic");
            let title = gtk::Label::new(None);
            let status = gtk::Label::new(None);
            status.add_css_class("caption");
            let row = gtk::Box::new(gtk::Orientation::Horizontal, 6);
            row.append(&dot);
            row.append(&title);
            row.append(&status);
            item.set_child(Some(&row));
        });
        factory.connect_bind(|_, item| {
            let Some(item) = item.downcast_ref::<gtk::ListItem>() else {
                return;
            };
            let (Some(account), Some(row)) = (
                item.item().and_downcast::<AccountItem>(),
                item.child().and_downcast::<gtk::Box>(),
            ) else {
                return;
            };
            bind_account_row(&row, &account);
        });
        imp.account_selector
            .set_model(imp.accounts.get().map(|s| s.upcast_ref::<gio::ListModel>()));
        imp.account_selector.set_factory(Some(&factory));
        crate::a11y::name_inner_buttons(&*imp.account_selector, "Account calls go out on");
        imp.account_selector
            .connect_selected_item_notify(glib::clone!(
                #[weak(rename_to = window)]
                self,
                move |selector| {
                    let Some(account) = selector.selected_item().and_downcast::<AccountItem>()
                    else {
                        return;
                    };
                    window.show_account_advice(&account);
                    window.make_default(&account);
                }
            ));
        self.reload_accounts();
    }

    /// Lists the configured accounts in the selector, the default one selected.
    fn reload_accounts(&self) {
        let imp = self.imp();
        let Some(store) = imp.accounts.get() else {
            return;
        };
        let settings = self.core().settings();
        let known: Vec<String> = (0..store.n_items())
            .filter_map(|i| store.item(i).and_downcast::<AccountItem>())
            .map(|a| a.id())
            .collect();
        for account in &settings.accounts {
            let id = account.id().to_string();
            if !known.contains(&id) {
                store.append(&AccountItem::new(&id));
            }
        }
        let default = settings
            .default_account
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        if let Some(position) = (0..store.n_items()).find(|&i| {
            store
                .item(i)
                .and_downcast::<AccountItem>()
                .is_some_and(|a| a.id() == default)
        }) {
            imp.account_selector.set_selected(position);
        }
        imp.account_selector.set_visible(store.n_items() > 0);
    }

    fn make_default(&self, account: &AccountItem) {
        let core = self.core();
        let Ok(id) = wink_ports::AccountId::new(account.id()) else {
            return;
        };
        if core.settings().default_account.as_ref() == Some(&id) {
            return;
        }
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = window)]
            self,
            async move {
                if let Err(error) = core.set_default_account(id).await {
                    window.show_problem(&format!("{error:#}"));
                }
            }
        ));
    }

    fn set_up_contacts(&self) {
        let imp = self.imp();
        let factory = gtk::SignalListItemFactory::new();
        factory.connect_setup(|_, item| {
            if let Some(item) = item.downcast_ref::<gtk::ListItem>() {
                item.set_child(Some(&ContactRow::default()));
            }
        });
        factory.connect_bind(|_, item| {
            let Some(item) = item.downcast_ref::<gtk::ListItem>() else {
                return;
            };
            if let (Some(row), Some(contact)) = (
                item.child().and_downcast::<ContactRow>(),
                item.item().and_downcast::<ContactItem>(),
            ) {
                row.bind(&contact);
            }
        });
        factory.connect_unbind(|_, item| {
            if let Some(row) = item
                .downcast_ref::<gtk::ListItem>()
                .and_then(|item| item.child().and_downcast::<ContactRow>())
            {
                row.unbind();
            }
        });
        for (list, model) in [
            (&*imp.contact_list, imp.contacts.grouped()),
            (&*imp.result_list, imp.contacts.results()),
        ] {
            let selection = gtk::SingleSelection::new(Some(model.clone()));
            // Nothing looks chosen until the user chooses (a header is not a choice).
            selection.set_autoselect(false);
            selection.set_can_unselect(true);
            list.set_model(Some(&selection));
            list.set_factory(Some(&factory));
            list.connect_activate(glib::clone!(
                #[weak(rename_to = window)]
                self,
                move |list, position| {
                    let item = list
                        .model()
                        .and_then(|m| m.item(position))
                        .and_downcast::<ContactItem>();
                    if let Some(item) = item {
                        window.activate_contact_row(&item);
                    }
                }
            ));
            model.connect_items_changed(glib::clone!(
                #[weak(rename_to = window)]
                self,
                move |_, _, _, _| window.show_contacts_page()
            ));
        }
        imp.search_entry.connect_changed(glib::clone!(
            #[weak(rename_to = window)]
            self,
            move |entry| {
                let text = entry.text();
                crate::bench::keystroke(&window, text.chars().count(), || {
                    window.imp().contacts.set_query(text.as_str())
                });
                // The results' places keep their objects: a place chosen before shows
                // another contact now.
                if let Some(selection) = window
                    .imp()
                    .result_list
                    .model()
                    .and_downcast::<gtk::SingleSelection>()
                {
                    selection.set_selected(gtk::INVALID_LIST_POSITION);
                }
                window.show_contacts_page();
            }
        ));
        imp.search_entry.connect_activate(glib::clone!(
            #[weak(rename_to = window)]
            self,
            move |_| {
                if let Some(target) = window.imp().contacts.enter_target() {
                    window.dial(&target);
                }
            }
        ));
    }

    fn activate_contact_row(&self, item: &ContactItem) {
        match item.kind() {
            RowKind::Group => {
                if let Ok(group) = wink_ports::GroupId::new(item.id()) {
                    self.imp().contacts.set_collapsed(&group, !item.collapsed());
                }
            }
            RowKind::Contact | RowKind::Typed | RowKind::Missed => {
                let target = item.target();
                if !target.is_empty() {
                    self.dial(&target);
                }
            }
        }
    }

    /// The list, or the empty state when there is nothing to show and nothing typed.
    fn show_contacts_page(&self) {
        let imp = self.imp();
        if imp.contacts_stack.visible_child_name().as_deref() == Some("starting") {
            return;
        }
        let contacts = &imp.contacts;
        let page = if imp.dial_pad.get() {
            "dialpad"
        } else if contacts.is_searching() {
            "results"
        } else if contacts.grouped().n_items() == 0 {
            "empty"
        } else {
            "list"
        };
        imp.contacts_stack.set_visible_child_name(page);
    }

    /// Compact view: the contact list (or dial pad) folds away and the window shrinks to
    /// the search bar and the calls; back, it takes its size again.
    fn show_compact(&self, on: bool) {
        let imp = self.imp();
        imp.contacts_stack.set_visible(!on);
        if on {
            self.set_default_size(420, 120);
        } else {
            self.set_default_size(960, 660);
        }
    }

    /// A key of the dial pad: a DTMF tone in a connected call, else typed into the search.
    fn dial_key(&self, key: char) {
        let current = self
            .imp()
            .book
            .borrow()
            .current()
            .filter(|c| c.is_connected())
            .map(|c| c.id.clone());
        match current {
            Some(call) => self.send(Command::SendDtmf(call, key.to_string())),
            None => {
                let entry = &self.imp().search_entry;
                let mut text = entry.text().to_string();
                text.push(key);
                entry.set_text(&text);
                entry.set_position(-1);
            }
        }
    }

    /// Keys 0-9 * # pressed outside a text field go to the connected call as DTMF.
    fn set_up_dtmf_keys(&self) {
        let keys = gtk::EventControllerKey::new();
        keys.connect_key_pressed(glib::clone!(
            #[weak(rename_to = window)]
            self,
            #[upgrade_or]
            glib::Propagation::Proceed,
            move |_, key, _, modifiers| {
                let plain = !modifiers.intersects(
                    gtk::gdk::ModifierType::CONTROL_MASK | gtk::gdk::ModifierType::ALT_MASK,
                );
                let digit = key
                    .to_unicode()
                    .filter(|c| c.is_ascii_digit() || *c == '*' || *c == '#');
                let in_call = window
                    .imp()
                    .book
                    .borrow()
                    .current()
                    .is_some_and(|c| c.is_connected());
                match digit {
                    Some(digit) if plain && in_call => {
                        window.dial_key(digit);
                        glib::Propagation::Stop
                    }
                    _ => glib::Propagation::Proceed,
                }
            }
        ));
        self.add_controller(keys);
    }

    fn set_up_calls(&self) {
        let imp = self.imp();
        let Some(store) = imp.calls.get() else {
            return;
        };
        let calls: gio::ListModel = store.clone().upcast();
        imp.call_list.bind_model(Some(store), move |item| {
            item.downcast_ref::<CallItem>()
                .map(|call| CallRow::new(call, &calls).upcast::<gtk::Widget>())
                .unwrap_or_else(|| gtk::Label::new(None).upcast())
        });
        store.connect_items_changed(glib::clone!(
            #[weak(rename_to = window)]
            self,
            move |store, _, _, _| {
                window
                    .imp()
                    .calls_revealer
                    .set_reveal_child(store.n_items() > 0);
            }
        ));
        glib::timeout_add_seconds_local(
            1,
            glib::clone!(
                #[weak(rename_to = window)]
                self,
                #[upgrade_or]
                glib::ControlFlow::Break,
                move || {
                    window.tick();
                    glib::ControlFlow::Continue
                }
            ),
        );
    }

    /// Starts the phone (a spinner shows meanwhile), then loads the contacts.
    pub(crate) fn start_phone(&self) {
        let imp = self.imp();
        imp.contacts_stack.set_visible_child_name("starting");
        imp.starting_spinner.start();
        let core = self.core();
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = window)]
            self,
            async move {
                let started = core.start().await;
                let imp = window.imp();
                imp.starting_spinner.stop();
                imp.contacts_stack.set_visible_child_name("list");
                match started {
                    Ok((events, problems)) => {
                        window.pump_events(events);
                        if !problems.is_empty() {
                            window.show_problem(&problems.join(" "));
                        }
                        window.load_contacts().await;
                    }
                    Err(error) => window.show_problem(&format!("{error:#}")),
                }
                window.show_contacts_page();
            }
        ));
    }

    async fn load_contacts(&self) {
        match self.core().contacts().await {
            Ok(stored) => self.show_contacts(stored),
            Err(error) => self.show_problem(&format!("Your contacts cannot be read: {error:#}")),
        }
        self.load_missed_calls().await;
    }

    /// Fills the Missed Calls group from history.
    pub(super) async fn load_missed_calls(&self) {
        match self.core().missed_calls().await {
            Ok(records) => self.imp().contacts.set_missed(&records),
            Err(error) => {
                self.show_problem(&format!("Your missed calls cannot be read: {error:#}"))
            }
        }
    }

    /// Shows a new state of the contact list.
    pub(super) fn show_contacts(&self, stored: StoredContacts) {
        let count = stored.contacts.len();
        let special = self.core().settings().special_groups;
        // The records were made on the core's threads amid the database rows they came
        // from: copied here they sit together, and everything loading used is freed and
        // given back (100,000 contacts: 115 → 99 MB of the app's own memory).
        let compact: Vec<_> = stored.contacts.to_vec();
        drop(stored.contacts);
        self.imp()
            .contacts
            .set_contacts(stored.groups, compact, special);
        wink_config::memory::give_back_freed_memory();
        crate::bench::mark(&format!("contacts-shown {count}"));
    }

    /// Opens the Preferences window; the contact list follows its special groups.
    fn open_preferences(&self) {
        let preferences = crate::widgets::Preferences::new(self, self.core());
        preferences.connect_changed(glib::clone!(
            #[weak(rename_to = window)]
            self,
            move |switch, _| {
                if switch.shapes_the_contact_list() {
                    let special = window.core().settings().special_groups;
                    window.imp().contacts.set_special(special);
                    window.show_contacts_page();
                }
            }
        ));
        gtk::prelude::GtkWindowExt::present(&preferences);
    }

    /// Opens the Add Account dialog; `first` when Wink has no account yet.
    pub(crate) fn add_account(&self, first: bool) {
        let dialog = AccountDialog::new(self, self.core(), first);
        dialog.connect_added(glib::clone!(
            #[weak(rename_to = window)]
            self,
            move || {
                window.reload_accounts();
                if window.core().phone().is_none() {
                    window.start_phone();
                }
            }
        ));
        dialog.present();
    }

    /// The account item with `id`, if listed.
    pub(crate) fn account_item(&self, id: &str) -> Option<AccountItem> {
        let store = self.imp().accounts.get()?;
        (0..store.n_items())
            .filter_map(|i| store.item(i).and_downcast::<AccountItem>())
            .find(|a| a.id() == id)
    }

    fn show_account_advice(&self, account: &AccountItem) {
        let advice = account.advice();
        if advice.is_empty() {
            self.imp().problem_revealer.set_reveal_child(false);
        } else {
            self.show_problem(&format!("{}: {advice}", account.id()));
        }
    }

    /// Shows a sentence in the bar under the header.
    pub(crate) fn show_problem(&self, text: &str) {
        let imp = self.imp();
        imp.problem_label.set_label(text);
        imp.problem_revealer.set_reveal_child(true);
    }

    /// Sends a command; a failure is shown as a sentence.
    pub(crate) fn send(&self, command: Command) {
        let core = self.core();
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = window)]
            self,
            async move {
                if let Err(error) = core.execute(command).await {
                    window.show_problem(&crate::sentence::sentence(&error.to_string()));
                }
            }
        ));
    }

    fn run_action(&self, action: WindowAction, parameter: Option<&glib::Variant>) {
        let call = parameter.and_then(|p| p.get::<String>());
        let pair = parameter.and_then(|p| p.get::<(String, String)>());
        match action {
            WindowAction::AddAccount => self.add_account(false),
            WindowAction::FocusSearch => {
                self.imp().search_entry.grab_focus();
            }
            WindowAction::HangUp => self.on_current_call(WindowAction::HangUpCall),
            WindowAction::ToggleHold => self.on_current_call(WindowAction::HoldCall),
            WindowAction::ToggleMute => self.on_current_call(WindowAction::MuteCall),
            WindowAction::HangUpCall
            | WindowAction::HoldCall
            | WindowAction::MuteCall
            | WindowAction::RecordCall
            | WindowAction::SilenceCall => {
                if let Some(call) = call {
                    self.call_action(action, &call);
                }
            }
            WindowAction::TransferCall => {
                if let Some((call, target)) = pair {
                    self.transfer(&call, &target);
                }
            }
            WindowAction::ConnectCalls => {
                if let Some((call, other)) = pair {
                    self.connect_calls(&call, &other);
                }
            }
            WindowAction::MergeCalls => self.merge_calls(),
            // Property actions: GTK flips the property itself.
            WindowAction::DialPad
            | WindowAction::Compact
            | WindowAction::Microphone
            | WindowAction::Speaker
            | WindowAction::Ringing => {}
            WindowAction::UsePluggedIn => self.use_plugged_in(),
            WindowAction::Preferences => self.open_preferences(),
            WindowAction::AddContact => self.add_contact(),
            WindowAction::DropOnRow => {
                if let Some((dragged, target)) = pair {
                    self.drop_on_row(&dragged, &target);
                }
            }
            WindowAction::CallContact => {
                if let Some((_, target)) =
                    call.and_then(|id| self.imp().contacts.name_and_target(&id))
                {
                    self.dial(&target);
                }
            }
            WindowAction::EditContact => {
                if let Some(id) = call {
                    self.edit_contact(&id);
                }
            }
            WindowAction::DeleteContact => {
                if let Some(id) = call {
                    self.delete_contact(&id);
                }
            }
            WindowAction::ToggleFavorite => {
                if let Some(id) = call {
                    self.toggle_favorite(&id);
                }
            }
            WindowAction::MessageContact => {
                if let Some((name, target)) =
                    call.and_then(|id| self.imp().contacts.name_and_target(&id))
                {
                    self.open_chat(&target, Some(name));
                }
            }
            WindowAction::SendFileToContact => {
                if let Some((name, target)) =
                    call.and_then(|id| self.imp().contacts.name_and_target(&id))
                {
                    self.pick_files(self.upcast_ref(), &target, Some(name));
                }
            }
            WindowAction::FilesOnContact => {
                if let Some(((name, target), paths)) = pair.and_then(|(id, paths)| {
                    self.imp().contacts.name_and_target(&id).map(|c| (c, paths))
                }) {
                    self.send_files(&target, Some(name), paths.lines().map(Into::into).collect());
                }
            }
            WindowAction::MessageTyped => {
                let typed = self.imp().contacts.enter_target();
                match typed {
                    Some(target) => {
                        self.imp().search_entry.set_text("");
                        self.open_chat(&target, None);
                    }
                    None => self.show_problem(
                        "Type an address or a number in the search bar first, or pick a contact.",
                    ),
                }
            }
            WindowAction::ShowChats => self.chats().present(),
            WindowAction::ShowTransfers => self.show_transfers(),
        }
    }
}

/// Fills an account selector row: coloured dot, address, state.
fn bind_account_row(row: &gtk::Box, account: &AccountItem) {
    let (Some(dot), Some(title), Some(status)) = (
        row.first_child().and_downcast::<gtk::Image>(),
        row.first_child()
            .and_then(|w| w.next_sibling())
            .and_downcast::<gtk::Label>(),
        row.last_child().and_downcast::<gtk::Label>(),
    ) else {
        return;
    };
    title.set_label(&account.title());
    let paint = move |account: &AccountItem| {
        status.set_label(&account.status_text());
        dot.set_css_classes(&[account.status_class().as_str()]);
        status.set_css_classes(&["caption", account.status_class().as_str()]);
    };
    paint(account);
    account.connect_status_text_notify(paint);
}
