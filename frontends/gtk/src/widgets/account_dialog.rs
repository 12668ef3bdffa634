//! The Add Account dialog (shown at first start, and from the menu): address and password,
//! an Advanced part (username, outbound proxy, transport). It stays open until the account
//! registers, and when it does not, says in plain words what the server's answer means
//! and lets the user correct the fields and try again.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use adw::prelude::*;
use adw::subclass::prelude::*;
use gtk::glib;

use crate::core::Core;
use crate::models::account_form::{AccountForm, Field, TransportChoice};
use crate::models::account_item::AccountItem;
use crate::widgets::MainWindow;

/// How long the dialog waits for a registration before saying it keeps trying.
const REGISTRATION_PATIENCE: Duration = Duration::from_secs(40);

type AddedHandler = Box<dyn Fn()>;

mod imp {
    use super::*;

    #[derive(Default, gtk::CompositeTemplate)]
    #[template(file = "account_dialog.ui")]
    pub struct AccountDialog {
        #[template_child]
        pub(super) cancel_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub(super) add_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub(super) spinner: TemplateChild<gtk::Spinner>,
        #[template_child]
        pub(super) address_row: TemplateChild<adw::EntryRow>,
        #[template_child]
        pub(super) password_row: TemplateChild<adw::PasswordEntryRow>,
        #[template_child]
        pub(super) advanced_row: TemplateChild<adw::ExpanderRow>,
        #[template_child]
        pub(super) username_row: TemplateChild<adw::EntryRow>,
        #[template_child]
        pub(super) proxy_row: TemplateChild<adw::EntryRow>,
        #[template_child]
        pub(super) transport_row: TemplateChild<adw::ComboRow>,
        #[template_child]
        pub(super) status_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) advice_label: TemplateChild<gtk::Label>,
        pub(super) window: glib::WeakRef<MainWindow>,
        pub(super) core: RefCell<Option<Rc<Core>>>,
        pub(super) added: RefCell<Option<AddedHandler>>,
        /// The account saved by a first press, corrected by the next ones.
        pub(super) saved: RefCell<Option<String>>,
        pub(super) busy: Cell<bool>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for AccountDialog {
        const NAME: &'static str = "WkAccountDialog";
        type Type = super::AccountDialog;
        type ParentType = adw::Window;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for AccountDialog {
        fn constructed(&self) {
            self.parent_constructed();
            self.obj().set_up();
        }
    }

    impl WidgetImpl for AccountDialog {}
    impl WindowImpl for AccountDialog {}
    impl AdwWindowImpl for AccountDialog {}
}

glib::wrapper! {
    /// The Add Account dialog.
    pub struct AccountDialog(ObjectSubclass<imp::AccountDialog>)
        @extends adw::Window, gtk::Window, gtk::Widget,
        @implements gtk::Buildable, gtk::ConstraintTarget, gtk::Native,
            gtk::Root, gtk::ShortcutManager;
}

impl AccountDialog {
    /// The dialog over `window`; `first` at first start (the window is empty behind it).
    pub(crate) fn new(window: &MainWindow, core: Rc<Core>, first: bool) -> Self {
        let dialog: Self = glib::Object::builder()
            .property("transient-for", window)
            .build();
        let imp = dialog.imp();
        imp.window.set(Some(window));
        *imp.core.borrow_mut() = Some(core);
        if first {
            dialog.set_title(Some("Welcome to Wink"));
        }
        dialog
    }

    /// Calls `handler` once the account is saved (the window lists it and starts the
    /// phone if needed).
    pub(crate) fn connect_added(&self, handler: impl Fn() + 'static) {
        *self.imp().added.borrow_mut() = Some(Box::new(handler));
    }

    fn set_up(&self) {
        let imp = self.imp();
        let labels: Vec<&str> = TransportChoice::ALL.iter().map(|t| t.label()).collect();
        imp.transport_row
            .set_model(Some(&gtk::StringList::new(&labels)));
        crate::a11y::name_inner_buttons(&*imp.password_row, "Show or hide the password");
        imp.cancel_button.connect_clicked(glib::clone!(
            #[weak(rename_to = dialog)]
            self,
            move |_| dialog.close()
        ));
        imp.add_button.connect_clicked(glib::clone!(
            #[weak(rename_to = dialog)]
            self,
            move |_| dialog.submit()
        ));
        for row in [&*imp.address_row, &*imp.username_row, &*imp.proxy_row] {
            row.connect_entry_activated(glib::clone!(
                #[weak(rename_to = dialog)]
                self,
                move |_| dialog.submit()
            ));
        }
        imp.password_row.connect_entry_activated(glib::clone!(
            #[weak(rename_to = dialog)]
            self,
            move |_| dialog.submit()
        ));
    }

    fn form(&self) -> AccountForm {
        let imp = self.imp();
        AccountForm {
            address: imp.address_row.text().into(),
            password: imp.password_row.text().into(),
            username: imp.username_row.text().into(),
            outbound_proxy: imp.proxy_row.text().into(),
            transport: TransportChoice::ALL
                .get(usize::try_from(imp.transport_row.selected()).unwrap_or(0))
                .copied()
                .unwrap_or_default(),
        }
    }

    fn submit(&self) {
        let imp = self.imp();
        if imp.busy.get() {
            return;
        }
        let (account, password) = match self.form().validate() {
            Ok(valid) => valid,
            Err(problem) => {
                let row: &gtk::Widget = match problem.field {
                    Field::Address => imp.address_row.upcast_ref(),
                    Field::Password => imp.password_row.upcast_ref(),
                    Field::OutboundProxy => {
                        imp.advanced_row.set_expanded(true);
                        imp.proxy_row.upcast_ref()
                    }
                };
                row.grab_focus();
                self.show_status(&problem.message, None, "error");
                return;
            }
        };
        let Some(core) = imp.core.borrow().clone() else {
            return;
        };
        let id = account.id().to_string();
        let replace = imp.saved.borrow().as_deref() == Some(id.as_str());
        self.set_busy(true);
        self.show_status("Checking the account with its server…", None, "dim-label");
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = dialog)]
            self,
            async move {
                let saved = core.save_account(account, password, replace).await;
                match saved {
                    Ok(()) => {
                        *dialog.imp().saved.borrow_mut() = Some(id.clone());
                        if let Some(handler) = dialog.imp().added.borrow().as_ref() {
                            handler();
                        }
                        dialog.await_registration(&id);
                    }
                    Err(error) => {
                        dialog.set_busy(false);
                        dialog.show_status(&format!("{error:#}"), None, "error");
                    }
                }
            }
        ));
    }

    /// Waits for the account's first registration result: success closes the dialog, a
    /// failure is explained and the fields can be corrected.
    fn await_registration(&self, id: &str) {
        let Some(item) = self.imp().window.upgrade().and_then(|w| w.account_item(id)) else {
            self.close();
            return;
        };
        let handler = Rc::new(RefCell::new(None::<glib::SignalHandlerId>));
        let settle = glib::clone!(
            #[weak(rename_to = dialog)]
            self,
            #[strong]
            handler,
            move |item: &AccountItem| {
                match item.status_class().as_str() {
                    "success" => dialog.close(),
                    "error" => {
                        dialog.set_busy(false);
                        dialog.imp().add_button.set_label("Try Again");
                        dialog.show_status(&item.status_text(), Some(&item.advice()), "error");
                    }
                    _ => return,
                }
                if let Some(id) = handler.borrow_mut().take() {
                    item.disconnect(id);
                }
            }
        );
        *handler.borrow_mut() = Some(item.connect_status_text_notify(settle.clone()));
        settle(&item);
        glib::timeout_add_local_once(
            REGISTRATION_PATIENCE,
            glib::clone!(
                #[weak(rename_to = dialog)]
                self,
                move || {
                    if dialog.imp().busy.get() {
                        dialog.set_busy(false);
                        dialog.show_status(
                            "The server has not answered yet. Wink keeps trying in the \
                             background; you can close this window.",
                            None,
                            "warning",
                        );
                        dialog.imp().cancel_button.set_label("Close");
                    }
                }
            ),
        );
    }

    fn set_busy(&self, busy: bool) {
        let imp = self.imp();
        imp.busy.set(busy);
        imp.spinner.set_spinning(busy);
        imp.add_button.set_sensitive(!busy);
        for row in [
            imp.address_row.upcast_ref::<gtk::Widget>(),
            imp.password_row.upcast_ref(),
            imp.advanced_row.upcast_ref(),
        ] {
            row.set_sensitive(!busy);
        }
        // The address cannot change once the account is saved: a new address is a new account.
        if imp.saved.borrow().is_some() {
            imp.address_row.set_sensitive(false);
        }
    }

    fn show_status(&self, text: &str, advice: Option<&str>, class: &str) {
        let imp = self.imp();
        imp.status_label.set_label(text);
        imp.status_label.set_css_classes(&[class]);
        imp.status_label.set_visible(!text.is_empty());
        let advice = advice.unwrap_or_default();
        imp.advice_label.set_label(advice);
        imp.advice_label.set_visible(!advice.is_empty());
    }
}
