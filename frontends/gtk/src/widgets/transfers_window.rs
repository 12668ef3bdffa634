//! The file transfers window, as Blink's: every transfer of this run, newest last, each
//! with its progress bar, speed and time left; Cancel hangs up its session; a file that
//! is there opens with its application or shows in the file manager.

use std::cell::{OnceCell, RefCell};
use std::path::Path;
use std::rc::Rc;

use adw::prelude::*;
use adw::subclass::prelude::*;
use gtk::{gio, glib};
use tracing::warn;
use wink_domain::{Command, PhoneEvent};
use wink_ports::SessionId;

use crate::actions::TransferAction;
use crate::core::Core;
use crate::models::transfers::{TransferChange, TransferView, Transfers};
use crate::widgets::{MainWindow, TransferRow};

mod imp {
    use super::*;

    #[derive(Default, gtk::CompositeTemplate)]
    #[template(file = "transfers_window.ui")]
    pub struct TransfersWindow {
        #[template_child]
        pub(super) stack: TemplateChild<gtk::Stack>,
        #[template_child]
        pub(super) list: TemplateChild<gtk::ListBox>,
        #[template_child]
        pub(super) clear_button: TemplateChild<gtk::Button>,
        pub(super) core: OnceCell<Rc<Core>>,
        pub(super) transfers: RefCell<Transfers>,
        pub(super) rows: RefCell<Vec<TransferRow>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for TransfersWindow {
        const NAME: &'static str = "WkTransfersWindow";
        type Type = super::TransfersWindow;
        type ParentType = adw::ApplicationWindow;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
            for action in TransferAction::ALL {
                klass.install_action(
                    action.name(),
                    action.parameter_type(),
                    move |window, _, parameter| {
                        window.run_action(action, parameter);
                    },
                );
            }
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for TransfersWindow {}
    impl WidgetImpl for TransfersWindow {}
    impl WindowImpl for TransfersWindow {}
    impl ApplicationWindowImpl for TransfersWindow {}
    impl AdwApplicationWindowImpl for TransfersWindow {}
}

glib::wrapper! {
    /// The file transfers window.
    pub struct TransfersWindow(ObjectSubclass<imp::TransfersWindow>)
        @extends adw::ApplicationWindow, gtk::ApplicationWindow, gtk::Window, gtk::Widget,
        @implements gio::ActionGroup, gio::ActionMap, gtk::Buildable,
            gtk::ConstraintTarget, gtk::Native, gtk::Root, gtk::ShortcutManager;
}

impl TransfersWindow {
    /// The transfers window of `main` (made once, hidden until there is a transfer).
    pub(crate) fn new(main: &MainWindow, core: Rc<Core>) -> Self {
        let window: Self = glib::Object::builder()
            .property("application", main.application())
            // Read as a window (frame), as the main window is; without it GTK 4.8 says
            // "filler" for this subclass.
            .property("accessible-role", gtk::AccessibleRole::Window)
            .build();
        let _ = window.imp().core.set(core);
        window.show_page();
        window
    }

    /// Adds a transfer and shows the window.
    pub(crate) fn add(&self, transfer: TransferView) {
        let change = self.imp().transfers.borrow_mut().add(transfer);
        self.show_change(change);
        self.present();
    }

    /// Whether `session` is one of the transfers shown.
    pub(crate) fn has(&self, session: &SessionId) -> bool {
        self.imp().transfers.borrow().get(session).is_some()
    }

    /// Takes a phone event about a file session.
    pub(crate) fn on_event(&self, event: &PhoneEvent) {
        let change = self.imp().transfers.borrow_mut().apply(event);
        self.show_change(change);
    }

    fn show_change(&self, change: TransferChange) {
        let imp = self.imp();
        let transfers = imp.transfers.borrow();
        match change {
            TransferChange::Added(index) => {
                let holder = gtk::ListBoxRow::new();
                let row = TransferRow::new(&holder);
                imp.list.insert(&holder, i32::try_from(index).unwrap_or(-1));
                if let Some(transfer) = transfers.rows().get(index) {
                    row.show(transfer);
                }
                imp.rows.borrow_mut().insert(index, row);
            }
            TransferChange::Changed(index) => {
                if let (Some(row), Some(transfer)) =
                    (imp.rows.borrow().get(index), transfers.rows().get(index))
                {
                    row.show(transfer);
                }
            }
            TransferChange::None => return,
        }
        drop(transfers);
        self.show_page();
    }

    fn show_page(&self) {
        let imp = self.imp();
        let transfers = imp.transfers.borrow();
        let page = if transfers.rows().is_empty() {
            "empty"
        } else {
            "list"
        };
        imp.stack.set_visible_child_name(page);
        imp.clear_button
            .set_sensitive(transfers.rows().iter().any(|t| !t.is_running()));
    }

    fn run_action(&self, action: TransferAction, parameter: Option<&glib::Variant>) {
        let session = parameter
            .and_then(|p| p.get::<String>())
            .and_then(|s| SessionId::new(s).ok());
        match (action, session) {
            (TransferAction::ClearFinished, _) => self.clear_finished(),
            (TransferAction::Cancel, Some(session)) => self.cancel(session),
            (TransferAction::Open, Some(session)) => {
                if let Some(path) = self.file_of(&session) {
                    open_uri(&gio::File::for_path(&path).uri());
                }
            }
            (TransferAction::ShowInFolder, Some(session)) => {
                if let Some(path) = self.file_of(&session) {
                    show_in_folder(&path);
                }
            }
            _ => {}
        }
    }

    fn file_of(&self, session: &SessionId) -> Option<std::path::PathBuf> {
        self.imp()
            .transfers
            .borrow()
            .get(session)
            .and_then(|t| t.file().map(Path::to_owned))
    }

    fn cancel(&self, session: SessionId) {
        let change = self.imp().transfers.borrow_mut().cancel(&session);
        self.show_change(change);
        let Some(core) = self.imp().core.get().cloned() else {
            return;
        };
        glib::spawn_future_local(async move {
            if let Err(error) = core.execute(Command::HangUp(session)).await {
                // Already over: the row says how it ended.
                warn!(%error, "the transfer could not be cancelled");
            }
        });
    }

    fn clear_finished(&self) {
        let imp = self.imp();
        let gone = imp.transfers.borrow_mut().clear_finished();
        for index in gone {
            let row = imp.rows.borrow_mut().remove(index);
            if let Some(holder) = row.parent() {
                imp.list.remove(&holder);
            }
        }
        self.show_page();
    }
}

/// Opens `uri` with its default application.
fn open_uri(uri: &str) {
    if let Err(error) = gio::AppInfo::launch_default_for_uri(uri, None::<&gio::AppLaunchContext>) {
        warn!(%error, uri, "cannot be opened");
    }
}

/// Shows `path` selected in the file manager (`org.freedesktop.FileManager1.ShowItems`),
/// or opens its folder when no file manager answers that call.
fn show_in_folder(path: &Path) {
    let uri = gio::File::for_path(path).uri().to_string();
    let folder = path
        .parent()
        .map(|p| gio::File::for_path(p).uri().to_string());
    glib::spawn_future_local(async move {
        let shown = match gio::bus_get_future(gio::BusType::Session).await {
            Ok(bus) => bus
                .call_future(
                    Some("org.freedesktop.FileManager1"),
                    "/org/freedesktop/FileManager1",
                    "org.freedesktop.FileManager1",
                    "ShowItems",
                    Some(&(vec![uri], "").to_variant()),
                    None,
                    gio::DBusCallFlags::NONE,
                    5_000,
                )
                .await
                .is_ok(),
            Err(_) => false,
        };
        if !shown && let Some(folder) = folder {
            open_uri(&folder);
        }
    });
}
