//! The incoming-call alert: who calls (name and picture when known), on which account,
//! with which audio devices; Accept, Busy (486: other devices keep ringing) and Reject
//! (603: every device stops), and the answering machine's countdown when it is on.
//! The same alert offers an incoming file (who sends which file and its size) and a chat
//! invitation (who wants to chat), each with Accept and Decline.

use std::cell::{Cell, RefCell};
use std::time::{Duration, Instant};

use adw::subclass::prelude::*;
use gtk::glib;
use gtk::prelude::*;

use crate::models::call_view::Party;
use crate::models::transfers::size_text;

/// What rings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum IncomingOffer {
    /// An audio call.
    Call {
        /// The audio devices in use, in words.
        devices: String,
        /// When the answering machine picks up.
        answering_machine_in: Option<Duration>,
    },
    /// A file.
    File {
        /// Its name.
        name: String,
        /// Its size, when the sender said.
        size: Option<u64>,
    },
    /// An invitation to chat.
    Chat,
}

impl IncomingOffer {
    /// The alert's title (and the notification's).
    pub(crate) fn title(&self, party: &Party) -> String {
        match self {
            IncomingOffer::Call { .. } => format!("Incoming call from {}", party.title()),
            IncomingOffer::File { .. } => format!("Incoming file from {}", party.title()),
            IncomingOffer::Chat => format!("Incoming chat from {}", party.title()),
        }
    }

    /// The alert's heading.
    fn heading(&self) -> &'static str {
        match self {
            IncomingOffer::Call { .. } => "Incoming call",
            IncomingOffer::File { .. } => "Incoming file",
            IncomingOffer::Chat => "Incoming chat",
        }
    }

    /// What the party wants, in words (`wants to send you notes.pdf, 1.2 MB`, `wants to
    /// chat`); empty for a call.
    pub(crate) fn detail(&self) -> String {
        match self {
            IncomingOffer::Call { .. } => String::new(),
            IncomingOffer::File { name, size } => match size {
                Some(size) => format!("wants to send you {name}, {}", size_text(*size)),
                None => format!("wants to send you {name}"),
            },
            IncomingOffer::Chat => "wants to chat".to_owned(),
        }
    }
}

/// What the user chose in the alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IncomingChoice {
    /// Answer.
    Accept,
    /// 603 Decline.
    Reject,
    /// 486 Busy Here.
    Busy,
}

type ChoiceHandler = Box<dyn Fn(IncomingChoice)>;

mod imp {
    use super::*;

    #[derive(Default, gtk::CompositeTemplate)]
    #[template(file = "incoming_call.ui")]
    pub struct IncomingCall {
        #[template_child]
        pub(super) heading: TemplateChild<adw::WindowTitle>,
        #[template_child]
        pub(super) avatar: TemplateChild<adw::Avatar>,
        #[template_child]
        pub(super) caller_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) address_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) account_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) offer_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) devices_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) countdown_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) accept_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub(super) busy_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub(super) reject_button: TemplateChild<gtk::Button>,
        pub(super) handler: RefCell<Option<ChoiceHandler>>,
        pub(super) chosen: Cell<bool>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for IncomingCall {
        const NAME: &'static str = "WkIncomingCall";
        type Type = super::IncomingCall;
        type ParentType = adw::Window;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for IncomingCall {
        fn constructed(&self) {
            self.parent_constructed();
            let obj = self.obj();
            for (button, choice) in [
                (&*self.accept_button, IncomingChoice::Accept),
                (&*self.busy_button, IncomingChoice::Busy),
                (&*self.reject_button, IncomingChoice::Reject),
            ] {
                button.connect_clicked(glib::clone!(
                    #[weak]
                    obj,
                    move |_| obj.choose(choice)
                ));
            }
        }
    }

    impl WidgetImpl for IncomingCall {}
    impl WindowImpl for IncomingCall {
        /// Closing the alert without a choice leaves the call ringing (the main window
        /// still shows it), as Blink does.
        fn close_request(&self) -> glib::Propagation {
            self.parent_close_request()
        }
    }
    impl AdwWindowImpl for IncomingCall {}
}

glib::wrapper! {
    /// The alert for one incoming call.
    pub struct IncomingCall(ObjectSubclass<imp::IncomingCall>)
        @extends adw::Window, gtk::Window, gtk::Widget,
        @implements gtk::Buildable, gtk::ConstraintTarget, gtk::Native,
            gtk::Root, gtk::ShortcutManager;
}

impl IncomingCall {
    /// The alert for `offer` from `party` on `account`, beside `parent`.
    pub(crate) fn new(
        parent: &impl IsA<gtk::Window>,
        party: &Party,
        account: &str,
        offer: &IncomingOffer,
    ) -> Self {
        let alert: Self = glib::Object::builder()
            .property("transient-for", parent)
            .build();
        let imp = alert.imp();
        imp.avatar.set_text(Some(party.title()));
        imp.caller_label.set_label(party.title());
        imp.address_label.set_label(&party.address);
        imp.address_label.set_visible(party.name.is_some());
        imp.account_label.set_label(&format!("To {account}"));
        alert.set_title(Some(&offer.title(party)));
        match offer {
            IncomingOffer::Call {
                devices,
                answering_machine_in,
            } => {
                imp.devices_label.set_label(devices);
                if let Some(delay) = answering_machine_in {
                    alert.count_down(Instant::now() + *delay);
                }
            }
            IncomingOffer::File { .. } | IncomingOffer::Chat => {
                let (refuse, take) = match offer {
                    IncomingOffer::Chat => ("Refuse the chat", "Open the chat in the Chats window"),
                    _ => (
                        "Refuse the file",
                        "Take the file into your downloads folder",
                    ),
                };
                imp.offer_label.set_label(&offer.detail());
                imp.offer_label.set_visible(true);
                imp.devices_label.set_visible(false);
                imp.busy_button.set_visible(false);
                imp.reject_button.set_label("Decline");
                imp.reject_button.set_tooltip_text(Some(refuse));
                imp.accept_button.set_tooltip_text(Some(take));
            }
        }
        imp.heading.set_title(offer.heading());
        alert
    }

    /// Calls `handler` with the user's choice (once).
    pub(crate) fn connect_choice(&self, handler: impl Fn(IncomingChoice) + 'static) {
        *self.imp().handler.borrow_mut() = Some(Box::new(handler));
    }

    fn choose(&self, choice: IncomingChoice) {
        let imp = self.imp();
        if imp.chosen.replace(true) {
            return;
        }
        if let Some(handler) = imp.handler.borrow().as_ref() {
            handler(choice);
        }
    }

    fn count_down(&self, at: Instant) {
        let label = self.imp().countdown_label.clone();
        label.set_visible(true);
        let update = move || {
            let left = at.saturating_duration_since(Instant::now()).as_secs();
            label.set_label(&format!("The answering machine answers in {left} s"));
            if left == 0 {
                glib::ControlFlow::Break
            } else {
                glib::ControlFlow::Continue
            }
        };
        update();
        glib::timeout_add_local(
            Duration::from_millis(250),
            glib::clone!(
                #[weak(rename_to = alert)]
                self,
                #[upgrade_or]
                glib::ControlFlow::Break,
                move || {
                    if alert.imp().chosen.get() {
                        return glib::ControlFlow::Break;
                    }
                    update()
                }
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use wink_ports::SipUri;

    use super::*;

    fn bob() -> Party {
        Party::new(
            &SipUri::parse("sip:bob@wink.test").unwrap(),
            Some("Bob".into()),
        )
    }

    #[test]
    fn a_call_a_file_and_a_chat_each_say_what_they_are() {
        let call = IncomingOffer::Call {
            devices: String::new(),
            answering_machine_in: None,
        };
        let file = IncomingOffer::File {
            name: "minutes.pdf".into(),
            size: Some(3_145_728),
        };
        let no_size = IncomingOffer::File {
            name: "notes.txt".into(),
            size: None,
        };
        let chat = IncomingOffer::Chat;
        assert_eq!(call.title(&bob()), "Incoming call from Bob");
        assert_eq!(call.detail(), "");
        assert_eq!(file.title(&bob()), "Incoming file from Bob");
        assert_eq!(file.detail(), "wants to send you minutes.pdf, 3.1 MB");
        assert_eq!(no_size.detail(), "wants to send you notes.txt");
        assert_eq!(chat.title(&bob()), "Incoming chat from Bob");
        assert_eq!(chat.heading(), "Incoming chat");
        assert_eq!(chat.detail(), "wants to chat");
    }
}
