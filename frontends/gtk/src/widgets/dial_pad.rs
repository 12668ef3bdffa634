//! The dial pad: twelve keys. Outside a call a key types into the search bar; in a call it
//! sends the DTMF tone (the window decides, through the handler it connects).

use std::cell::RefCell;

use gtk::glib;
use gtk::prelude::*;
use gtk::subclass::prelude::*;

/// The keys, in the order of the template's children.
const KEYS: [char; 12] = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];

type KeyHandler = Box<dyn Fn(char)>;

mod imp {
    use super::*;

    #[derive(Default, gtk::CompositeTemplate)]
    #[template(file = "dial_pad.ui")]
    pub struct DialPad {
        pub(super) handler: RefCell<Option<KeyHandler>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for DialPad {
        const NAME: &'static str = "WkDialPad";
        type Type = super::DialPad;
        type ParentType = gtk::Grid;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for DialPad {
        fn constructed(&self) {
            self.parent_constructed();
            let obj = self.obj();
            let mut child = obj.first_child();
            let mut keys = KEYS.iter();
            while let (Some(widget), Some(&key)) = (child, keys.next()) {
                child = widget.next_sibling();
                if let Some(button) = widget.downcast_ref::<gtk::Button>() {
                    button.connect_clicked(glib::clone!(
                        #[weak]
                        obj,
                        move |_| obj.press(key)
                    ));
                }
            }
        }
    }

    impl WidgetImpl for DialPad {}
    impl GridImpl for DialPad {}
}

glib::wrapper! {
    /// The dial pad.
    pub struct DialPad(ObjectSubclass<imp::DialPad>)
        @extends gtk::Grid, gtk::Widget,
        @implements gtk::Buildable, gtk::ConstraintTarget, gtk::Orientable;
}

impl DialPad {
    /// Calls `handler` with each key pressed.
    pub(crate) fn connect_key(&self, handler: impl Fn(char) + 'static) {
        *self.imp().handler.borrow_mut() = Some(Box::new(handler));
    }

    fn press(&self, key: char) {
        if let Some(handler) = self.imp().handler.borrow().as_ref() {
            handler(key);
        }
    }
}
