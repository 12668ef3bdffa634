//! The Preferences window: the special groups of the contact list and the answering
//! machine, switched on and off. A change is saved at once (no Apply button, as in GNOME's
//! own apps) and the window's owner is told, to update what it shows.

use std::cell::RefCell;
use std::rc::Rc;

use adw::prelude::*;
use adw::subclass::prelude::*;
use gtk::glib;

use crate::core::Core;
use crate::models::preferences::PreferenceSwitch;

type ChangedHandler = Box<dyn Fn(PreferenceSwitch, bool)>;

mod imp {
    use super::*;

    #[derive(Default, gtk::CompositeTemplate)]
    #[template(file = "preferences.ui")]
    pub struct Preferences {
        #[template_child]
        pub(super) contacts_group: TemplateChild<adw::PreferencesGroup>,
        #[template_child]
        pub(super) calls_group: TemplateChild<adw::PreferencesGroup>,
        pub(super) changed: RefCell<Option<ChangedHandler>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for Preferences {
        const NAME: &'static str = "WkPreferences";
        type Type = super::Preferences;
        type ParentType = adw::PreferencesWindow;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for Preferences {}
    impl WidgetImpl for Preferences {}
    impl WindowImpl for Preferences {}
    impl AdwWindowImpl for Preferences {}
    impl PreferencesWindowImpl for Preferences {}
}

glib::wrapper! {
    /// The Preferences window.
    pub struct Preferences(ObjectSubclass<imp::Preferences>)
        @extends adw::PreferencesWindow, adw::Window, gtk::Window, gtk::Widget,
        @implements gtk::Buildable, gtk::ConstraintTarget, gtk::Native, gtk::Root,
            gtk::ShortcutManager;
}

impl Preferences {
    /// The window over `core`'s settings, in front of `parent`.
    pub(crate) fn new(parent: &impl IsA<gtk::Window>, core: Rc<Core>) -> Self {
        let window: Self = glib::Object::builder()
            .property("transient-for", parent)
            .build();
        let settings = core.settings();
        for switch in PreferenceSwitch::ALL {
            let group = if switch.shapes_the_contact_list() {
                &window.imp().contacts_group
            } else {
                &window.imp().calls_group
            };
            group.add(&window.switch_row(switch, &settings, &core));
        }
        crate::a11y::name_inner_search_entries(&window, "Search preferences");
        window
    }

    /// Calls `handler` after a switch's change is saved.
    pub(crate) fn connect_changed(&self, handler: impl Fn(PreferenceSwitch, bool) + 'static) {
        *self.imp().changed.borrow_mut() = Some(Box::new(handler));
    }

    fn switch_row(
        &self,
        switch: PreferenceSwitch,
        settings: &wink_config::Settings,
        core: &Rc<Core>,
    ) -> adw::ActionRow {
        let toggle = gtk::Switch::builder()
            .active(switch.read(settings))
            .valign(gtk::Align::Center)
            .build();
        // Named by its row (the row's title labels its activatable widget).
        let row = adw::ActionRow::builder()
            .title(switch.title())
            .subtitle(switch.explanation(settings))
            .activatable_widget(&toggle)
            .build();
        row.add_suffix(&toggle);
        toggle.connect_active_notify(glib::clone!(
            #[weak(rename_to = window)]
            self,
            #[strong]
            core,
            move |toggle| window.save(switch, toggle, core.clone())
        ));
        row
    }

    /// Saves one switch; when saving fails, the switch goes back and says why.
    fn save(&self, switch: PreferenceSwitch, toggle: &gtk::Switch, core: Rc<Core>) {
        let on = toggle.is_active();
        if switch.read(&core.settings()) == on {
            return;
        }
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = window)]
            self,
            #[weak]
            toggle,
            async move {
                match core.update_settings(|s| switch.write(s, on)).await {
                    Ok(()) => {
                        if let Some(command) = switch.command(on)
                            && core.phone().is_some()
                            && let Err(error) = core.execute(command).await
                        {
                            window.add_toast(adw::Toast::new(&format!("{error:#}")));
                        }
                        if let Some(handler) = window.imp().changed.borrow().as_ref() {
                            handler(switch, on);
                        }
                    }
                    Err(error) => {
                        toggle.set_active(!on);
                        window.add_toast(adw::Toast::new(&format!("{error:#}")));
                    }
                }
            }
        ));
    }
}
