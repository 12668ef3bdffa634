//! The `adw::Application`: one instance per user (D-Bus), `sip:`/`tel:` addresses given on
//! the command line are dialed in the running instance, and the app-wide actions.

use std::cell::OnceCell;
use std::rc::Rc;

use adw::prelude::*;
use adw::subclass::prelude::*;
use gtk::{gio, glib};

use crate::core::Core;
use crate::widgets::MainWindow;

/// The application id (also the D-Bus name that keeps it single-instance).
pub(crate) const APP_ID: &str = "org.wink.Wink";

mod imp {
    use super::*;

    #[derive(Default)]
    pub struct WinkApplication {
        pub(super) core: OnceCell<Rc<Core>>,
        pub(super) window: glib::WeakRef<MainWindow>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for WinkApplication {
        const NAME: &'static str = "WkApplication";
        type Type = super::WinkApplication;
        type ParentType = adw::Application;
    }

    impl ObjectImpl for WinkApplication {}

    impl ApplicationImpl for WinkApplication {
        fn startup(&self) {
            self.parent_startup();
            let app = self.obj();
            app.set_up_actions();
            app.load_style();
        }

        fn activate(&self) {
            self.parent_activate();
            self.obj().main_window().present();
        }

        fn open(&self, files: &[gio::File], _hint: &str) {
            let window = self.obj().main_window();
            window.present();
            for file in files {
                let uri = file.uri().to_string();
                window.dial(&uri);
            }
        }

        fn shutdown(&self) {
            if let Some(core) = self.core.get() {
                core.shut_down();
            }
            self.parent_shutdown();
        }
    }

    impl GtkApplicationImpl for WinkApplication {}
    impl AdwApplicationImpl for WinkApplication {}
}

glib::wrapper! {
    /// Wink.
    pub struct WinkApplication(ObjectSubclass<imp::WinkApplication>)
        @extends adw::Application, gtk::Application, gio::Application,
        @implements gio::ActionGroup, gio::ActionMap;
}

impl WinkApplication {
    /// Runs the app with the process's arguments; returns its exit code.
    pub(crate) fn run_app() -> glib::ExitCode {
        let app: Self = glib::Object::builder()
            .property("application-id", APP_ID)
            .property("flags", gio::ApplicationFlags::HANDLES_OPEN)
            .build();
        app.run()
    }

    /// The main window, made (and the phone started) on first use.
    fn main_window(&self) -> MainWindow {
        let imp = self.imp();
        if let Some(window) = imp.window.upgrade() {
            return window;
        }
        let core = match imp.core.get() {
            Some(core) => core.clone(),
            None => match Core::load() {
                Ok(core) => {
                    let _ = imp.core.set(core.clone());
                    core
                }
                Err(error) => {
                    eprintln!("wink: {error:#}");
                    std::process::exit(1);
                }
            },
        };
        let window = MainWindow::new(self.upcast_ref(), core.clone());
        imp.window.set(Some(&window));
        if let Some(notice) = core.notice() {
            window.show_problem(notice);
        }
        if core.has_accounts() {
            window.start_phone();
        } else {
            // First start: the window shows behind the dialog, so the user sees where
            // they are.
            glib::idle_add_local_once(glib::clone!(
                #[weak]
                window,
                move || window.add_account(true)
            ));
        }
        window
    }

    fn set_up_actions(&self) {
        let quit = gio::ActionEntry::builder("quit")
            .activate(|app: &Self, _, _| app.quit())
            .build();
        let about = gio::ActionEntry::builder("about")
            .activate(|app: &Self, _, _| app.show_about())
            .build();
        // The buttons of the incoming-call notification (the window may be hidden).
        let answer = gio::ActionEntry::builder("answer-call")
            .parameter_type(Some(glib::VariantTy::STRING))
            .activate(|app: &Self, _, parameter| {
                if let Some(call) = parameter.and_then(|p| p.get::<String>()) {
                    let window = app.main_window();
                    window.present();
                    window.answer(&call);
                }
            })
            .build();
        let reject = gio::ActionEntry::builder("reject-call")
            .parameter_type(Some(glib::VariantTy::STRING))
            .activate(|app: &Self, _, parameter| {
                if let Some(call) = parameter.and_then(|p| p.get::<String>()) {
                    app.main_window().reject(&call);
                }
            })
            .build();
        let show = gio::ActionEntry::builder("show-window")
            .activate(|app: &Self, _, _| app.main_window().present())
            .build();
        // A click on a message's notification: its conversation.
        let show_chat = gio::ActionEntry::builder("show-chat")
            .parameter_type(Some(glib::VariantTy::STRING))
            .activate(|app: &Self, _, parameter| {
                if let Some(address) = parameter.and_then(|p| p.get::<String>()) {
                    app.main_window().show_conversation(&address);
                }
            })
            .build();
        self.add_action_entries([quit, about, answer, reject, show, show_chat]);
        self.set_accels_for_action("app.quit", &["<Control>q"]);
        if std::env::var_os("WINK_SCREENSHOTS").is_some() {
            self.set_up_test_actions();
        }
    }

    /// Test hooks, reached over D-Bus (`org.gtk.Actions`) by the end-to-end tests:
    /// `screenshot(prefix)` saves every visible window as `<prefix>-<title>.png` and writes
    /// `<prefix>.done` (or `<prefix>.failed` with the reason); `color-scheme("dark"|"light")`;
    /// `peer-typing(address)`: the phone's `Composing` event as the other side of that
    /// conversation's chat session would cause it (`wink-cli`, the test's peer, never
    /// types), so the typing state can be seen and photographed.
    fn set_up_test_actions(&self) {
        let screenshot = gio::ActionEntry::builder("screenshot")
            .parameter_type(Some(glib::VariantTy::STRING))
            .activate(|_: &Self, _, parameter| {
                let Some(prefix) = parameter.and_then(|p| p.get::<String>()) else {
                    return;
                };
                // Let a style change or a new window draw first.
                glib::spawn_future_local(async move {
                    // Let a style change or a new window settle first.
                    glib::timeout_future(std::time::Duration::from_millis(300)).await;
                    let prefix = std::path::PathBuf::from(prefix);
                    let (file, text) = match crate::screenshot::save_windows(&prefix).await {
                        Ok(paths) => (
                            "done",
                            paths
                                .iter()
                                .map(|p| p.display().to_string())
                                .collect::<Vec<_>>()
                                .join("\n"),
                        ),
                        Err(error) => ("failed", error.to_string()),
                    };
                    let marker = format!("{}.{file}", prefix.display());
                    if let Err(error) = std::fs::write(&marker, text) {
                        eprintln!("wink: {marker} cannot be written: {error}");
                    }
                });
            })
            .build();
        let scheme = gio::ActionEntry::builder("color-scheme")
            .parameter_type(Some(glib::VariantTy::STRING))
            .activate(|_: &Self, _, parameter| {
                let dark = parameter.and_then(|p| p.get::<String>()).as_deref() == Some("dark");
                adw::StyleManager::default().set_color_scheme(if dark {
                    adw::ColorScheme::ForceDark
                } else {
                    adw::ColorScheme::ForceLight
                });
            })
            .build();
        let peer_typing = gio::ActionEntry::builder("peer-typing")
            .parameter_type(Some(glib::VariantTy::STRING))
            .activate(|app: &Self, _, parameter| {
                if let Some(address) = parameter.and_then(|p| p.get::<String>()) {
                    app.main_window().chats().pretend_their_typing(&address);
                }
            })
            .build();
        self.add_action_entries([screenshot, scheme, peer_typing]);
    }

    fn show_about(&self) {
        let about = adw::AboutWindow::builder()
            .application_name("Wink")
            .application_icon("call-start-symbolic")
            .version(env!("CARGO_PKG_VERSION"))
            .comments("A SIP softphone for Linux: calls, chat and files with your provider or your company's PBX.")
            .license_type(gtk::License::Gpl30)
            .build();
        if let Some(window) = self.imp().window.upgrade() {
            about.set_transient_for(Some(&window));
        }
        about.present();
    }

    fn load_style(&self) {
        let Some(display) = gtk::gdk::Display::default() else {
            return;
        };
        let provider = gtk::CssProvider::new();
        provider.load_from_data(include_str!("../data/style.css"));
        gtk::style_context_add_provider_for_display(
            &display,
            &provider,
            gtk::STYLE_PROVIDER_PRIORITY_APPLICATION,
        );
    }
}
