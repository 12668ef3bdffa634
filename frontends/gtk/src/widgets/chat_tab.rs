//! One tab of the chat window: the conversation with one correspondent (the stored lines
//! first), whether a chat session runs, and the entry: Enter sends, Shift+Enter starts a
//! new line, and the short-message limit counts down while typing when the line would go
//! as a SIP MESSAGE. Under the conversation: `Bob is typing…` while they are. Files
//! dropped on the tab are sent to the correspondent.

use std::cell::RefCell;

use adw::subclass::prelude::*;
use gtk::prelude::*;
use gtk::{gdk, glib};

use crate::actions::ChatAction;
use crate::models::conversations::{Conversation, Counter};
use crate::widgets::MessageRow;

mod imp {
    use super::*;

    #[derive(Debug, Default, gtk::CompositeTemplate)]
    #[template(file = "chat_tab.ui")]
    pub struct ChatTab {
        #[template_child]
        pub(super) status_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) start_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub(super) end_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub(super) lines_stack: TemplateChild<gtk::Stack>,
        #[template_child]
        pub(super) empty_page: TemplateChild<adw::StatusPage>,
        #[template_child]
        pub(super) scroller: TemplateChild<gtk::ScrolledWindow>,
        #[template_child]
        pub(super) line_list: TemplateChild<gtk::ListBox>,
        #[template_child]
        pub(super) typing_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) hint_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) entry: TemplateChild<gtk::TextView>,
        #[template_child]
        pub(super) counter_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) send_button: TemplateChild<gtk::Button>,
        /// The conversation's address.
        pub(super) address: RefCell<String>,
        /// The rows, one per line, in order.
        pub(super) rows: RefCell<Vec<MessageRow>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for ChatTab {
        const NAME: &'static str = "WkChatTab";
        type Type = super::ChatTab;
        type ParentType = gtk::Box;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for ChatTab {
        fn constructed(&self) {
            self.parent_constructed();
            self.obj().set_up_keys();
            self.obj().set_up_drop();
        }
    }
    impl WidgetImpl for ChatTab {}
    impl BoxImpl for ChatTab {}
}

glib::wrapper! {
    /// The conversation with one correspondent.
    pub struct ChatTab(ObjectSubclass<imp::ChatTab>)
        @extends gtk::Box, gtk::Widget,
        @implements gtk::Buildable, gtk::ConstraintTarget, gtk::Orientable;
}

impl ChatTab {
    /// The tab of the conversation with `address`.
    pub(crate) fn new(address: &str) -> Self {
        let tab: Self = glib::Object::new();
        tab.imp().address.replace(address.to_owned());
        tab
    }

    /// The conversation's address.
    pub(crate) fn address(&self) -> String {
        self.imp().address.borrow().clone()
    }

    /// What is typed.
    pub(crate) fn text(&self) -> String {
        let buffer = self.imp().entry.buffer();
        buffer
            .text(&buffer.start_iter(), &buffer.end_iter(), false)
            .to_string()
    }

    /// Empties the entry (the line went).
    pub(crate) fn clear(&self) {
        self.imp().entry.buffer().set_text("");
    }

    /// Puts the keyboard in the entry.
    pub(crate) fn focus_entry(&self) {
        self.imp().entry.grab_focus();
    }

    /// Calls `handler` whenever what is typed changes.
    pub(crate) fn connect_text_changed(&self, handler: impl Fn(&Self) + 'static) {
        self.imp().entry.buffer().connect_changed(glib::clone!(
            #[weak(rename_to = tab)]
            self,
            move |_| handler(&tab)
        ));
    }

    /// Shows the conversation as a whole (its lines, its session).
    pub(crate) fn show_conversation(&self, conversation: &Conversation) {
        let imp = self.imp();
        let title = conversation.title();
        crate::a11y::set_label(&*imp.entry, &format!("Message to {title}"));
        imp.empty_page.set_description(Some(&format!(
            "What you write to {title} and what they write appears here."
        )));
        let connected_or_waiting = conversation.session.is_some();
        imp.start_button.set_visible(!connected_or_waiting);
        imp.end_button.set_visible(connected_or_waiting);
        imp.status_label.set_label(&conversation.status_text());
        while let Some(child) = imp.line_list.first_child() {
            imp.line_list.remove(&child);
        }
        imp.rows.borrow_mut().clear();
        for index in 0..conversation.lines.len() {
            self.add_line(conversation, index);
        }
        self.show_page(conversation);
        self.show_typing(conversation);
        self.scroll_to_end();
    }

    /// Whether the other side is typing: `Bob is typing…` under the conversation. Shown
    /// and hidden, not slid: GTK 4.8 leaves a label in a closed `GtkRevealer` showing to
    /// AT-SPI (the end-to-end test saw it stay).
    pub(crate) fn show_typing(&self, conversation: &Conversation) {
        let label = &self.imp().typing_label;
        let typing = conversation.typing_text();
        label.set_visible(typing.is_some());
        label.set_label(typing.as_deref().unwrap_or_default());
    }

    /// A line was added at the end.
    pub(crate) fn show_added(&self, conversation: &Conversation, index: usize) {
        if index != self.imp().rows.borrow().len() {
            // Out of step (a reload meanwhile): redraw the whole conversation.
            self.show_conversation(conversation);
            return;
        }
        self.add_line(conversation, index);
        self.show_page(conversation);
        self.show_typing(conversation);
        self.scroll_to_end();
    }

    /// A line changed (delivered, failed, resent).
    pub(crate) fn show_line(&self, conversation: &Conversation, index: usize) {
        let row = self.imp().rows.borrow().get(index).cloned();
        match (row, conversation.lines.get(index)) {
            (Some(row), Some(line)) => row.show(&conversation.address, conversation.title(), line),
            _ => self.show_conversation(conversation),
        }
    }

    fn add_line(&self, conversation: &Conversation, index: usize) {
        let Some(line) = conversation.lines.get(index) else {
            return;
        };
        let holder = gtk::ListBoxRow::new();
        let row = MessageRow::new(&holder);
        self.imp().line_list.append(&holder);
        row.show(&conversation.address, conversation.title(), line);
        self.imp().rows.borrow_mut().push(row);
    }

    fn show_page(&self, conversation: &Conversation) {
        let page = if conversation.lines.is_empty() {
            "empty"
        } else {
            "lines"
        };
        self.imp().lines_stack.set_visible_child_name(page);
    }

    /// Keeps the newest line in sight (once the list has its new height).
    fn scroll_to_end(&self) {
        let adjustment = self.imp().scroller.vadjustment();
        glib::idle_add_local_once(move || {
            adjustment.set_value(adjustment.upper() - adjustment.page_size());
        });
    }

    /// The short-message counter (`None`: the line goes over a chat session, or nothing
    /// is typed).
    pub(crate) fn show_counter(&self, counter: Option<&Counter>) {
        let label = &self.imp().counter_label;
        label.set_visible(counter.is_some());
        if let Some(counter) = counter {
            label.set_label(&counter.text);
            let class = if counter.over { "error" } else { "dim-label" };
            label.set_css_classes(&["caption", "numeric", class]);
            crate::a11y::set_label(
                &**label,
                &format!(
                    "Short message length {}",
                    counter.text.replace(" / ", " of ")
                ),
            );
        }
    }

    /// A sentence under the conversation (why a line cannot go), or nothing.
    pub(crate) fn show_hint(&self, hint: Option<&str>) {
        let label = &self.imp().hint_label;
        label.set_visible(hint.is_some());
        label.set_label(hint.unwrap_or_default());
    }

    /// Enter sends; Shift+Enter (or Ctrl+Enter) lets the text view start a new line.
    fn set_up_keys(&self) {
        let keys = gtk::EventControllerKey::new();
        keys.set_propagation_phase(gtk::PropagationPhase::Capture);
        keys.connect_key_pressed(glib::clone!(
            #[weak(rename_to = tab)]
            self,
            #[upgrade_or]
            glib::Propagation::Proceed,
            move |_, key, _, modifiers| {
                let enter = matches!(
                    key,
                    gdk::Key::Return | gdk::Key::KP_Enter | gdk::Key::ISO_Enter
                );
                let plain = !modifiers
                    .intersects(gdk::ModifierType::SHIFT_MASK | gdk::ModifierType::CONTROL_MASK);
                if enter && plain {
                    let _ = tab.activate_action(ChatAction::SendLine.name(), None);
                    glib::Propagation::Stop
                } else {
                    glib::Propagation::Proceed
                }
            }
        ));
        self.imp().entry.add_controller(keys);
    }

    /// Files dropped on the tab go to the correspondent.
    fn set_up_drop(&self) {
        let target = gtk::DropTarget::new(gdk::FileList::static_type(), gdk::DragAction::COPY);
        target.connect_drop(glib::clone!(
            #[weak(rename_to = tab)]
            self,
            #[upgrade_or]
            false,
            move |_, value, _, _| {
                let Ok(files) = value.get::<gdk::FileList>() else {
                    return false;
                };
                let paths = dropped_paths(&files);
                if paths.is_empty() {
                    return false;
                }
                let parameter = (tab.address(), paths).to_variant();
                tab.activate_action(ChatAction::FilesOnTab.name(), Some(&parameter))
                    .is_ok()
            }
        ));
        self.add_controller(target);
    }
}

/// The local paths of dropped files, one a line (files without a local path are left out).
pub(crate) fn dropped_paths(files: &gdk::FileList) -> String {
    files
        .files()
        .iter()
        .filter_map(|file| file.path())
        .map(|path| path.display().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}
