//! The contact editor (add and edit): name, SIP addresses, phone numbers, aliases, group,
//! what a double click starts, favorite, picture. Saving runs the domain's contact rules;
//! a refusal is shown as a sentence and nothing is lost.

use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;

use adw::prelude::*;
use adw::subclass::prelude::*;
use gtk::{gio, glib};
use wink_ports::ContactId;

use crate::core::{Core, StoredContacts};
use crate::models::contact_form::{ContactForm, MEDIA_CHOICES};

type SavedHandler = Box<dyn Fn(StoredContacts)>;

mod imp {
    use super::*;

    #[derive(Default, gtk::CompositeTemplate)]
    #[template(file = "contact_editor.ui")]
    pub struct ContactEditor {
        #[template_child]
        pub(super) cancel_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub(super) save_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub(super) avatar: TemplateChild<adw::Avatar>,
        #[template_child]
        pub(super) picture_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub(super) name_row: TemplateChild<adw::EntryRow>,
        #[template_child]
        pub(super) addresses_row: TemplateChild<adw::EntryRow>,
        #[template_child]
        pub(super) numbers_row: TemplateChild<adw::EntryRow>,
        #[template_child]
        pub(super) aliases_row: TemplateChild<adw::EntryRow>,
        #[template_child]
        pub(super) group_row: TemplateChild<adw::EntryRow>,
        #[template_child]
        pub(super) media_row: TemplateChild<adw::ComboRow>,
        #[template_child]
        pub(super) favorite_switch: TemplateChild<gtk::Switch>,
        #[template_child]
        pub(super) problem_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) delete_button: TemplateChild<gtk::Button>,
        pub(super) core: RefCell<Option<Rc<Core>>>,
        pub(super) editing: RefCell<Option<ContactId>>,
        pub(super) icon: RefCell<Option<PathBuf>>,
        pub(super) saved: RefCell<Option<SavedHandler>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for ContactEditor {
        const NAME: &'static str = "WkContactEditor";
        type Type = super::ContactEditor;
        type ParentType = adw::Window;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for ContactEditor {
        fn constructed(&self) {
            self.parent_constructed();
            self.obj().set_up();
        }
    }

    impl WidgetImpl for ContactEditor {}
    impl WindowImpl for ContactEditor {}
    impl AdwWindowImpl for ContactEditor {}
}

glib::wrapper! {
    /// The contact editor.
    pub struct ContactEditor(ObjectSubclass<imp::ContactEditor>)
        @extends adw::Window, gtk::Window, gtk::Widget,
        @implements gtk::Buildable, gtk::ConstraintTarget, gtk::Native, gtk::Root,
            gtk::ShortcutManager;
}

impl ContactEditor {
    /// An editor over `parent` showing `form`; `editing` names the contact being edited
    /// (`None`: a new one).
    pub(crate) fn new(
        parent: &impl IsA<gtk::Window>,
        core: Rc<Core>,
        form: &ContactForm,
        editing: Option<ContactId>,
    ) -> Self {
        let editor: Self = glib::Object::builder()
            .property("transient-for", parent)
            .build();
        let imp = editor.imp();
        *imp.core.borrow_mut() = Some(core);
        imp.delete_button.set_visible(editing.is_some());
        if editing.is_some() {
            editor.set_title(Some("Edit Contact"));
        }
        *imp.editing.borrow_mut() = editing;
        editor.show_form(form);
        editor
    }

    /// Calls `handler` with the new contact list after a save or a delete.
    pub(crate) fn connect_saved(&self, handler: impl Fn(StoredContacts) + 'static) {
        *self.imp().saved.borrow_mut() = Some(Box::new(handler));
    }

    fn set_up(&self) {
        let imp = self.imp();
        let labels: Vec<&str> = MEDIA_CHOICES.iter().map(|(_, label)| *label).collect();
        imp.media_row
            .set_model(Some(&gtk::StringList::new(&labels)));
        imp.cancel_button.connect_clicked(glib::clone!(
            #[weak(rename_to = editor)]
            self,
            move |_| editor.close()
        ));
        imp.save_button.connect_clicked(glib::clone!(
            #[weak(rename_to = editor)]
            self,
            move |_| editor.save()
        ));
        imp.delete_button.connect_clicked(glib::clone!(
            #[weak(rename_to = editor)]
            self,
            move |_| editor.delete()
        ));
        imp.picture_button.connect_clicked(glib::clone!(
            #[weak(rename_to = editor)]
            self,
            move |_| editor.choose_picture()
        ));
        imp.name_row.connect_changed(glib::clone!(
            #[weak(rename_to = editor)]
            self,
            move |row| editor.imp().avatar.set_text(Some(&row.text()))
        ));
    }

    fn show_form(&self, form: &ContactForm) {
        let imp = self.imp();
        imp.name_row.set_text(&form.name);
        imp.addresses_row.set_text(&form.addresses);
        imp.numbers_row.set_text(&form.numbers);
        imp.aliases_row.set_text(&form.aliases);
        imp.group_row.set_text(&form.group);
        let media = MEDIA_CHOICES
            .iter()
            .position(|(kind, _)| *kind == form.preferred)
            .unwrap_or(0);
        imp.media_row
            .set_selected(u32::try_from(media).unwrap_or(0));
        imp.favorite_switch.set_active(form.favorite);
        self.show_picture(form.icon.clone());
    }

    fn form(&self) -> ContactForm {
        let imp = self.imp();
        ContactForm {
            name: imp.name_row.text().into(),
            addresses: imp.addresses_row.text().into(),
            numbers: imp.numbers_row.text().into(),
            aliases: imp.aliases_row.text().into(),
            group: imp.group_row.text().into(),
            preferred: MEDIA_CHOICES
                .get(usize::try_from(imp.media_row.selected()).unwrap_or(0))
                .map(|(kind, _)| *kind)
                .unwrap_or_default(),
            favorite: imp.favorite_switch.is_active(),
            icon: imp.icon.borrow().clone(),
        }
    }

    fn show_picture(&self, icon: Option<PathBuf>) {
        let imp = self.imp();
        let texture = icon
            .as_ref()
            .and_then(|path| gtk::gdk::Texture::from_filename(path).ok());
        imp.avatar.set_custom_image(texture.as_ref());
        *imp.icon.borrow_mut() = icon;
    }

    fn choose_picture(&self) {
        let chooser = gtk::FileChooserNative::new(
            Some("Choose a Picture"),
            Some(self),
            gtk::FileChooserAction::Open,
            Some("Choose"),
            Some("Cancel"),
        );
        let images = gtk::FileFilter::new();
        images.set_name(Some("Pictures"));
        images.add_pixbuf_formats();
        chooser.add_filter(&images);
        chooser.connect_response(glib::clone!(
            #[weak(rename_to = editor)]
            self,
            move |chooser, response| {
                if response == gtk::ResponseType::Accept
                    && let Some(path) = chooser.file().and_then(|f: gio::File| f.path())
                {
                    editor.show_picture(Some(path));
                }
            }
        ));
        chooser.show();
    }

    fn save(&self) {
        let form = self.form();
        let editing = self.imp().editing.borrow().clone();
        self.run(move |list| form.apply(list, editing.as_ref()).map(|_| ()));
    }

    fn delete(&self) {
        let Some(id) = self.imp().editing.borrow().clone() else {
            return;
        };
        self.run(move |list| {
            list.remove_contact(&id)
                .map(|_| ())
                .map_err(|e| crate::sentence::sentence(&e.to_string()))
        });
    }

    /// Applies a change through the core; closes on success, says why otherwise.
    fn run(
        &self,
        change: impl FnOnce(&mut wink_domain::ContactList) -> Result<(), String> + Send + 'static,
    ) {
        let Some(core) = self.imp().core.borrow().clone() else {
            return;
        };
        self.imp().save_button.set_sensitive(false);
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = editor)]
            self,
            async move {
                let imp = editor.imp();
                imp.save_button.set_sensitive(true);
                match core.change_contacts(change).await {
                    Ok(stored) => {
                        if let Some(handler) = imp.saved.borrow().as_ref() {
                            handler(stored);
                        }
                        editor.close();
                    }
                    Err(error) => {
                        imp.problem_label.set_label(&format!("{error:#}"));
                        imp.problem_label.set_visible(true);
                    }
                }
            }
        ));
    }
}
