//! The chat window, as Blink's: one tab per correspondent (matched by address), each
//! showing the stored conversation when it opens, then the lines as they go and come. A
//! line goes over the chat session with that correspondent when one runs (queued until it
//! connects), else as a short message (SIP MESSAGE). A line that arrives while the window
//! is not in front is announced on the desktop. Over a connected chat session each side
//! sees when the other is typing: the decisions are `models::composing`'s, the one timer
//! they need runs here on the GLib loop.

use std::cell::{OnceCell, RefCell};
use std::rc::Rc;
use std::time::Instant;

use adw::prelude::*;
use adw::subclass::prelude::*;
use gtk::{gio, glib};
use wink_domain::{Command, CommandOutcome, PhoneEvent};
use wink_ports::{CallResult, SessionId};

use crate::actions::ChatAction;
use crate::core::Core;
use crate::models::conversations::{
    Composing, ConversationChange, Conversations, Resend, Route, STORED_LINES, now_millis,
};
use crate::widgets::{ChatTab, MainWindow};

mod imp {
    use super::*;

    #[derive(Default, gtk::CompositeTemplate)]
    #[template(file = "chat_window.ui")]
    pub struct ChatWindow {
        #[template_child]
        pub(super) window_title: TemplateChild<adw::WindowTitle>,
        #[template_child]
        pub(super) send_file_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub(super) tab_bar: TemplateChild<adw::TabBar>,
        #[template_child]
        pub(super) stack: TemplateChild<gtk::Stack>,
        #[template_child]
        pub(super) tab_view: TemplateChild<adw::TabView>,
        pub(super) core: OnceCell<Rc<Core>>,
        pub(super) main: glib::WeakRef<MainWindow>,
        pub(super) conversations: RefCell<Conversations>,
        /// The typing timer: its source and when it fires.
        pub(super) timer: RefCell<Option<(glib::SourceId, Instant)>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for ChatWindow {
        const NAME: &'static str = "WkChatWindow";
        type Type = super::ChatWindow;
        type ParentType = adw::ApplicationWindow;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
            for action in ChatAction::ALL {
                klass.install_action(
                    action.name(),
                    action.parameter_type(),
                    move |window, _, parameter| {
                        window.run_action(action, parameter);
                    },
                );
                crate::actions::bind_shortcut(klass, action.name(), action.shortcut());
            }
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for ChatWindow {
        fn constructed(&self) {
            self.parent_constructed();
            self.obj().set_up_tabs();
        }
    }
    impl WidgetImpl for ChatWindow {}
    impl WindowImpl for ChatWindow {}
    impl ApplicationWindowImpl for ChatWindow {}
    impl AdwApplicationWindowImpl for ChatWindow {}
}

glib::wrapper! {
    /// The chat window.
    pub struct ChatWindow(ObjectSubclass<imp::ChatWindow>)
        @extends adw::ApplicationWindow, gtk::ApplicationWindow, gtk::Window, gtk::Widget,
        @implements gio::ActionGroup, gio::ActionMap, gtk::Buildable,
            gtk::ConstraintTarget, gtk::Native, gtk::Root, gtk::ShortcutManager;
}

impl ChatWindow {
    /// The chat window of `main` (made once, hidden until a conversation opens).
    pub(crate) fn new(main: &MainWindow, core: Rc<Core>) -> Self {
        let window: Self = glib::Object::builder()
            .property("application", main.application())
            // Read as a window (frame), as the main window is; without it GTK 4.8 says
            // "filler" for this subclass.
            .property("accessible-role", gtk::AccessibleRole::Window)
            .build();
        let imp = window.imp();
        let _ = imp.core.set(core);
        imp.main.set(Some(main));
        window
    }

    fn core(&self) -> Rc<Core> {
        self.imp()
            .core
            .get()
            .cloned()
            .unwrap_or_else(|| unreachable!("the core is set right after construction"))
    }

    fn set_up_tabs(&self) {
        let imp = self.imp();
        imp.tab_view.connect_selected_page_notify(glib::clone!(
            #[weak(rename_to = window)]
            self,
            move |_| window.on_tab_selected()
        ));
        imp.tab_view.connect_close_page(glib::clone!(
            #[weak(rename_to = window)]
            self,
            #[upgrade_or]
            glib::Propagation::Proceed,
            move |_, page| {
                if let Some(tab) = page.child().downcast_ref::<ChatTab>() {
                    let mut conversations = window.imp().conversations.borrow_mut();
                    let stopped = conversations.line_sent(&tab.address());
                    conversations.close(&tab.address());
                    drop(conversations);
                    if let Some(composing) = stopped {
                        window.tell_soon(composing);
                    }
                }
                glib::Propagation::Proceed
            }
        ));
        imp.tab_view.connect_n_pages_notify(glib::clone!(
            #[weak(rename_to = window)]
            self,
            move |view| {
                let imp = window.imp();
                let page = if view.n_pages() == 0 { "empty" } else { "tabs" };
                imp.stack.set_visible_child_name(page);
                imp.send_file_button.set_sensitive(view.n_pages() > 0);
                window.name_tab_buttons();
            }
        ));
        imp.send_file_button.set_sensitive(false);
    }

    /// libadwaita 1.2 leaves a tab's close button without a name.
    fn name_tab_buttons(&self) {
        crate::a11y::name_inner_buttons(&*self.imp().tab_bar, "Close Conversation");
    }

    fn on_tab_selected(&self) {
        let Some(tab) = self.current_tab() else {
            self.imp().window_title.set_subtitle("");
            return;
        };
        let address = tab.address();
        self.imp().window_title.set_subtitle(&address);
        self.refresh_counter(&tab);
        tab.focus_entry();
    }

    /// The tab in front.
    fn current_tab(&self) -> Option<ChatTab> {
        self.imp()
            .tab_view
            .selected_page()
            .and_then(|page| page.child().downcast::<ChatTab>().ok())
    }

    fn page_of(&self, address: &str) -> Option<adw::TabPage> {
        let key = crate::models::conversations::conversation_key(address);
        let view = &self.imp().tab_view;
        (0..view.n_pages()).map(|i| view.nth_page(i)).find(|page| {
            page.child()
                .downcast_ref::<ChatTab>()
                .is_some_and(|tab| tab.address() == key)
        })
    }

    fn tab_of(&self, address: &str) -> Option<ChatTab> {
        self.page_of(address)
            .and_then(|page| page.child().downcast::<ChatTab>().ok())
    }

    /// Opens (or brings forward) the conversation with `address`; `target` is what short
    /// messages go to when it was typed (a phone number stays one). With `select`, its tab
    /// comes to the front.
    pub(crate) fn open_tab(
        &self,
        address: &str,
        name: Option<String>,
        target: Option<&str>,
        select: bool,
    ) -> ChatTab {
        let (key, _) = self.imp().conversations.borrow_mut().open(address, name);
        if let Some(target) = target {
            self.imp()
                .conversations
                .borrow_mut()
                .set_target(&key, target);
        }
        let (tab, page) = match self.page_of(&key) {
            Some(page) => (
                page.child()
                    .downcast::<ChatTab>()
                    .unwrap_or_else(|_| unreachable!("every page is a chat tab")),
                page,
            ),
            None => {
                let tab = ChatTab::new(&key);
                tab.connect_text_changed(glib::clone!(
                    #[weak(rename_to = window)]
                    self,
                    move |tab| {
                        tab.show_hint(None);
                        window.refresh_counter(tab);
                        window.on_typed(tab);
                    }
                ));
                let page = self.imp().tab_view.append(&tab);
                // The tab bar makes the tab's widgets once it lays the new page out.
                glib::idle_add_local_once(glib::clone!(
                    #[weak(rename_to = window)]
                    self,
                    move || window.name_tab_buttons()
                ));
                page.set_icon(Some(&gio::ThemedIcon::new("avatar-default-symbolic")));
                self.load_stored(&key);
                (tab, page)
            }
        };
        self.redraw(&key);
        if select {
            self.imp().tab_view.set_selected_page(&page);
        }
        tab
    }

    /// Reads the stored conversation into the tab (off the main loop).
    fn load_stored(&self, address: &str) {
        let core = self.core();
        let address = address.to_owned();
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = window)]
            self,
            async move {
                match core.messages_with(&address, STORED_LINES).await {
                    Ok(stored) => {
                        let change = window
                            .imp()
                            .conversations
                            .borrow_mut()
                            .load(&address, stored);
                        window.show_change(change);
                    }
                    Err(error) => {
                        if let Some(tab) = window.tab_of(&address) {
                            tab.show_hint(Some(&format!(
                                "The earlier conversation cannot be read: {error:#}"
                            )));
                        }
                    }
                }
            }
        ));
    }

    /// Shows a change of the conversations in their tabs.
    fn show_change(&self, change: ConversationChange) {
        match change {
            ConversationChange::None => {}
            ConversationChange::Whole(address) => self.redraw(&address),
            ConversationChange::Typing(address) => {
                let conversations = self.imp().conversations.borrow();
                if let (Some(tab), Some(conversation)) =
                    (self.tab_of(&address), conversations.get(&address))
                {
                    tab.show_typing(conversation);
                }
            }
            ConversationChange::Added(address, index) => {
                let conversations = self.imp().conversations.borrow();
                if let (Some(tab), Some(conversation)) =
                    (self.tab_of(&address), conversations.get(&address))
                {
                    tab.show_added(conversation, index);
                }
            }
            ConversationChange::Line(address, index) => {
                let conversations = self.imp().conversations.borrow();
                if let (Some(tab), Some(conversation)) =
                    (self.tab_of(&address), conversations.get(&address))
                {
                    tab.show_line(conversation, index);
                }
            }
        }
    }

    fn redraw(&self, address: &str) {
        let Some(page) = self.page_of(address) else {
            return;
        };
        let conversations = self.imp().conversations.borrow();
        let Some(conversation) = conversations.get(address) else {
            return;
        };
        page.set_title(conversation.title());
        self.name_tab_buttons();
        page.set_tooltip(&conversation.address);
        page.set_indicator_icon(
            conversation
                .session
                .as_ref()
                .filter(|s| s.connected)
                .map(|_| gio::ThemedIcon::new("user-available-symbolic"))
                .as_ref(),
        );
        if let Ok(tab) = page.child().downcast::<ChatTab>() {
            tab.show_conversation(conversation);
            drop(conversations);
            self.refresh_counter(&tab);
        }
    }

    fn refresh_counter(&self, tab: &ChatTab) {
        let text = tab.text();
        let counter = self
            .imp()
            .conversations
            .borrow()
            .get(&tab.address())
            .and_then(|c| c.counter(&text));
        tab.show_counter(counter.as_ref());
    }

    /// A chat session we started with `address` (not connected yet).
    pub(crate) fn chat_started(&self, address: &str, session: SessionId) {
        let change = self
            .imp()
            .conversations
            .borrow_mut()
            .chat_started(address, session);
        self.show_change(change);
    }

    /// A chat session with `address` connected: its tab comes to the front.
    pub(crate) fn chat_connected(&self, address: &str, session: &SessionId) {
        self.open_tab(address, None, None, true);
        let change = self
            .imp()
            .conversations
            .borrow_mut()
            .chat_connected(address, session);
        self.show_change(change);
        self.present();
    }

    /// The address of the conversation whose chat session is `session`.
    pub(crate) fn address_of_session(&self, session: &SessionId) -> Option<String> {
        self.imp()
            .conversations
            .borrow()
            .address_of_session(session)
    }

    /// A test hook (see `Application::set_up_test_actions`): the event the other side of
    /// the chat with `address` causes when it starts typing.
    pub(crate) fn pretend_their_typing(&self, address: &str) {
        let session = self
            .imp()
            .conversations
            .borrow()
            .get(address)
            .and_then(|c| c.session.as_ref().map(|s| s.id.clone()));
        if let Some(session) = session {
            self.on_event(&PhoneEvent::Composing {
                session,
                active: true,
            });
        }
    }

    /// Takes a phone event about messages or a chat session.
    pub(crate) fn on_event(&self, event: &PhoneEvent) {
        match event {
            PhoneEvent::MessageReceived { id, from, body, .. } => {
                let address = from.address();
                self.open_tab(&address, None, None, self.current_tab().is_none());
                let change = self.imp().conversations.borrow_mut().received(
                    &address,
                    id.clone(),
                    body,
                    now_millis(),
                );
                self.show_change(change);
                self.notify_line(&address, body);
            }
            PhoneEvent::MessageState { id, state, reason } => {
                let change =
                    self.imp()
                        .conversations
                        .borrow_mut()
                        .set_state(id, *state, reason.clone());
                self.show_change(change);
            }
            PhoneEvent::Composing { session, active } => {
                let change = self.imp().conversations.borrow_mut().their_typing(
                    session,
                    *active,
                    Instant::now(),
                );
                self.show_change(change);
                self.schedule();
            }
            PhoneEvent::ChatConnected { session } => {
                if let Some(address) = self.address_of_session(session) {
                    self.chat_connected(&address, session);
                }
            }
            PhoneEvent::CallEnded {
                session, result, ..
            } => {
                let address = self.address_of_session(session);
                let change = self.imp().conversations.borrow_mut().chat_ended(session);
                self.show_change(change);
                if let (Some(address), CallResult::Rejected | CallResult::Busy | CallResult::Failed) =
                    (address, result)
                    && let Some(tab) = self.tab_of(&address)
                {
                    tab.show_hint(Some(
                        "The chat session could not start; lines go as short messages.",
                    ));
                }
            }
            _ => {}
        }
    }

    /// A line arrived while the window is not in front: the desktop says so.
    fn notify_line(&self, address: &str, body: &str) {
        if self.is_visible() && self.is_active() {
            return;
        }
        let Some(app) = self.application() else {
            return;
        };
        let title = self
            .imp()
            .conversations
            .borrow()
            .get(address)
            .map(|c| c.title().to_owned())
            .unwrap_or_else(|| address.to_owned());
        let notification = gio::Notification::new(&format!("Message from {title}"));
        notification.set_body(Some(body));
        notification.set_icon(&gio::ThemedIcon::new("chat-message-new-symbolic"));
        notification
            .set_default_action_and_target_value("app.show-chat", Some(&address.to_variant()));
        app.send_notification(Some(&format!("message-{address}")), &notification);
    }

    /// Brings the conversation with `address` to the front (a click on its notification).
    pub(crate) fn show_conversation(&self, address: &str) {
        self.open_tab(address, None, None, true);
        self.present();
        if let Some(app) = self.application() {
            app.withdraw_notification(&format!("message-{address}"));
        }
    }

    fn run_action(&self, action: ChatAction, parameter: Option<&glib::Variant>) {
        let pair = parameter.and_then(|p| p.get::<(String, String)>());
        let main = self.imp().main.upgrade();
        match action {
            ChatAction::SendLine => self.send_line(),
            ChatAction::ResendLine => {
                if let Some((address, key)) = pair {
                    self.resend(&address, key.parse().unwrap_or_default());
                }
            }
            ChatAction::StartChat => {
                if let (Some(tab), Some(main)) = (self.current_tab(), main) {
                    main.start_chat(&tab.address());
                }
            }
            ChatAction::EndChat => {
                let session = self.current_tab().and_then(|tab| {
                    let conversations = self.imp().conversations.borrow();
                    conversations
                        .get(&tab.address())
                        .and_then(|c| c.session.as_ref().map(|s| s.id.clone()))
                });
                if let (Some(session), Some(main)) = (session, main) {
                    main.send(Command::HangUp(session));
                }
            }
            ChatAction::SendFile => {
                if let (Some(tab), Some(main)) = (self.current_tab(), main) {
                    let name = self.title_of(&tab.address());
                    main.pick_files(self.upcast_ref(), &tab.address(), name);
                }
            }
            ChatAction::FilesOnTab => {
                if let (Some((address, paths)), Some(main)) = (pair, main) {
                    let name = self.title_of(&address);
                    main.send_files(&address, name, paths.lines().map(Into::into).collect());
                }
            }
            ChatAction::ShowTransfers => {
                if let Some(main) = main {
                    main.show_transfers();
                }
            }
        }
    }

    fn title_of(&self, address: &str) -> Option<String> {
        self.imp()
            .conversations
            .borrow()
            .get(address)
            .and_then(|c| c.name.clone())
    }

    /// Sends what the current tab holds (Enter).
    fn send_line(&self) {
        let Some(tab) = self.current_tab() else {
            return;
        };
        let text = tab.text();
        let address = tab.address();
        let checked = self
            .imp()
            .conversations
            .borrow()
            .get(&address)
            .map(|c| c.check(&text));
        match checked {
            Some(Ok(())) => {}
            Some(Err(why)) => {
                tab.show_hint(Some(&why));
                return;
            }
            None => return,
        }
        // Said after the line goes, not before it (the entry's clearing says nothing more).
        let stopped = self.imp().conversations.borrow_mut().line_sent(&address);
        tab.clear();
        let (line, change) =
            self.imp()
                .conversations
                .borrow_mut()
                .write(&address, &text, now_millis());
        self.show_change(change);
        self.send_line_as(&address, line, text, stopped);
    }

    /// Sends a failed line again, in its own row: as itself when the phone has it stored
    /// (`Command::Resend`: same id, its state follows), else its text the way a new line
    /// goes.
    fn resend(&self, address: &str, key: u64) {
        let resent = self.imp().conversations.borrow_mut().resend(address, key);
        let Some((how, change)) = resent else {
            return;
        };
        self.show_change(change);
        match how {
            Resend::Stored(id) => self.run_line_command(address, key, Command::Resend(id), None),
            Resend::Again(text) => self.send_line_as(address, key, text, None),
        }
    }

    /// Hands the line `line` (shown pending) to the phone: over the chat session if one
    /// runs, else as a short message; `then` is told the other side afterwards.
    fn send_line_as(&self, address: &str, line: u64, text: String, then: Option<Composing>) {
        let (route, target) = {
            let conversations = self.imp().conversations.borrow();
            let Some(conversation) = conversations.get(address) else {
                return;
            };
            (conversation.route(), conversation.target.clone())
        };
        let command = match route {
            Route::Chat(session) => Command::SendChat(session, text),
            Route::ShortMessage => Command::SendMessage {
                target,
                text,
                account: None,
            },
        };
        self.run_line_command(address, line, command, then);
    }

    /// Runs a command that sends the line `line`; its row follows the answer (the id, or
    /// why not). `then` goes right after.
    fn run_line_command(
        &self,
        address: &str,
        line: u64,
        command: Command,
        then: Option<Composing>,
    ) {
        let core = self.core();
        let address = address.to_owned();
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = window)]
            self,
            async move {
                let change = match core.execute(command).await {
                    Ok(CommandOutcome::Message(id)) => window
                        .imp()
                        .conversations
                        .borrow_mut()
                        .sent_as(&address, line, id),
                    Ok(_) => ConversationChange::None,
                    Err(error) => window.imp().conversations.borrow_mut().refused(
                        &address,
                        line,
                        &crate::sentence::sentence(&error.to_string()),
                    ),
                };
                window.show_change(change);
                if let Some(composing) = then {
                    tell(&core, composing).await;
                }
            }
        ));
    }

    /// What is typed in `tab` changed: the other side hears we type, or stopped.
    fn on_typed(&self, tab: &ChatTab) {
        let empty = tab.text().is_empty();
        let composing =
            self.imp()
                .conversations
                .borrow_mut()
                .typed(&tab.address(), Instant::now(), empty);
        if let Some(composing) = composing {
            self.tell_soon(composing);
        }
        self.schedule();
    }

    fn tell_soon(&self, composing: Composing) {
        let core = self.core();
        glib::spawn_future_local(async move { tell(&core, composing).await });
    }

    /// Keeps one GLib timeout at the earliest typing deadline (a later deadline waits for
    /// the timeout in place, which sets the next one when it fires).
    fn schedule(&self) {
        let imp = self.imp();
        let Some(due) = imp.conversations.borrow().deadline() else {
            return;
        };
        if imp
            .timer
            .borrow()
            .as_ref()
            .is_some_and(|(_, at)| *at <= due)
        {
            return;
        }
        if let Some((source, _)) = imp.timer.take() {
            source.remove();
        }
        let wait = due.saturating_duration_since(Instant::now());
        let source = glib::timeout_add_local_once(
            wait,
            glib::clone!(
                #[weak(rename_to = window)]
                self,
                move || window.on_timer()
            ),
        );
        imp.timer.replace(Some((source, due)));
    }

    fn on_timer(&self) {
        let imp = self.imp();
        // The source is gone once it fired: never remove it again.
        imp.timer.replace(None);
        let (tell, changes) = imp.conversations.borrow_mut().tick(Instant::now());
        for composing in tell {
            self.tell_soon(composing);
        }
        for change in changes {
            self.show_change(change);
        }
        self.schedule();
    }
}

/// Tells the other side of a chat we type or stopped; a chat that ended meanwhile makes
/// this fail, which matters to no one.
async fn tell(core: &Core, composing: Composing) {
    let command = Command::Composing(composing.session, composing.active);
    if let Err(error) = core.execute(command).await {
        tracing::debug!(%error, "the typing state did not go");
    }
}
