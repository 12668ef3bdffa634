//! One row of the contact list: a group header (fold arrow, name, count), a contact
//! (picture, name, address) or the typed text to call.

use std::cell::{Cell, OnceCell, RefCell};

use gtk::prelude::*;
use gtk::{gdk, gio, glib};

use crate::actions::WindowAction;
use crate::models::contact_drop::RowRef;
use gtk::subclass::prelude::*;

use crate::models::contact_item::{ContactItem, RowKind};

mod imp {
    use super::*;

    #[derive(Debug, Default, gtk::CompositeTemplate)]
    #[template(file = "contact_row.ui")]
    pub struct ContactRow {
        #[template_child]
        pub(super) expander: TemplateChild<gtk::Image>,
        #[template_child]
        pub(super) avatar: TemplateChild<adw::Avatar>,
        #[template_child]
        pub(super) title_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub(super) subtitle_label: TemplateChild<gtk::Label>,
        /// The contact shown (rows are recycled), for the context menu.
        pub(super) contact: RefCell<Option<String>>,
        /// The contact or group shown, for drag and drop (`None` for the typed row).
        pub(super) row: RefCell<Option<RowRef>>,
        /// The contact shown is a favorite (the menu offers the opposite).
        pub(super) favorite: Cell<bool>,
        pub(super) menu: OnceCell<gtk::PopoverMenu>,
        /// The item shown and the handler that follows its changes (a search result's
        /// place shows the next result in the same item).
        pub(super) bound: RefCell<Option<(ContactItem, glib::SignalHandlerId)>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for ContactRow {
        const NAME: &'static str = "WkContactRow";
        type Type = super::ContactRow;
        type ParentType = gtk::Box;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for ContactRow {
        fn constructed(&self) {
            self.parent_constructed();
            self.obj().set_up_menu();
            self.obj().set_up_drag_and_drop();
        }

        fn dispose(&self) {
            if let Some(menu) = self.menu.get() {
                menu.unparent();
            }
        }
    }
    impl WidgetImpl for ContactRow {}
    impl BoxImpl for ContactRow {}
}

glib::wrapper! {
    /// A row of the contact list.
    pub struct ContactRow(ObjectSubclass<imp::ContactRow>)
        @extends gtk::Box, gtk::Widget,
        @implements gtk::Buildable, gtk::ConstraintTarget, gtk::Orientable;
}

impl Default for ContactRow {
    fn default() -> Self {
        glib::Object::new()
    }
}

impl ContactRow {
    /// A right click (or a long press) on a contact opens its menu: call, message, send a
    /// file, edit, favorite, delete.
    /// The menu itself is made on the first use: rows are made and recycled as the list
    /// scrolls and the search changes, and most are never right-clicked.
    fn set_up_menu(&self) {
        let click = gtk::GestureClick::new();
        click.set_button(gdk::BUTTON_SECONDARY);
        click.connect_pressed(glib::clone!(
            #[weak(rename_to = row)]
            self,
            move |_, _, x, y| row.open_menu(x, y)
        ));
        self.add_controller(click);
        let long_press = gtk::GestureLongPress::new();
        long_press.connect_pressed(glib::clone!(
            #[weak(rename_to = row)]
            self,
            move |_, x, y| row.open_menu(x, y)
        ));
        self.add_controller(long_press);
    }

    /// Contacts drag to other groups (or before other contacts), groups to other places.
    fn set_up_drag_and_drop(&self) {
        let source = gtk::DragSource::new();
        source.set_actions(gdk::DragAction::MOVE);
        source.connect_prepare(glib::clone!(
            #[weak(rename_to = row)]
            self,
            #[upgrade_or]
            None,
            move |_, _, _| {
                let dragged = row.imp().row.borrow().as_ref()?.encode();
                Some(gdk::ContentProvider::for_value(&dragged.to_value()))
            }
        ));
        self.add_controller(source);
        let target = gtk::DropTarget::new(glib::Type::STRING, gdk::DragAction::MOVE);
        target.connect_drop(glib::clone!(
            #[weak(rename_to = row)]
            self,
            #[upgrade_or]
            false,
            move |_, value, _, _| {
                let (Ok(dragged), Some(target)) =
                    (value.get::<String>(), row.imp().row.borrow().clone())
                else {
                    return false;
                };
                if RowRef::decode(&dragged).is_none() {
                    return false;
                }
                let parameter = (dragged, target.encode()).to_variant();
                row.activate_action(WindowAction::DropOnRow.name(), Some(&parameter))
                    .is_ok()
            }
        ));
        self.add_controller(target);
        // Files dropped on a contact are sent to them.
        let files = gtk::DropTarget::new(gdk::FileList::static_type(), gdk::DragAction::COPY);
        files.connect_drop(glib::clone!(
            #[weak(rename_to = row)]
            self,
            #[upgrade_or]
            false,
            move |_, value, _, _| {
                let (Ok(list), Some(contact)) = (
                    value.get::<gdk::FileList>(),
                    row.imp().contact.borrow().clone(),
                ) else {
                    return false;
                };
                let paths = crate::widgets::chat_tab_dropped_paths(&list);
                if paths.is_empty() {
                    return false;
                }
                let parameter = (contact, paths).to_variant();
                row.activate_action(WindowAction::FilesOnContact.name(), Some(&parameter))
                    .is_ok()
            }
        ));
        self.add_controller(files);
    }

    fn menu(&self) -> &gtk::PopoverMenu {
        self.imp().menu.get_or_init(|| {
            let menu = gtk::PopoverMenu::from_model(None::<&gio::MenuModel>);
            menu.set_parent(self);
            menu.set_has_arrow(false);
            menu
        })
    }

    fn open_menu(&self, x: f64, y: f64) {
        let Some(id) = self.imp().contact.borrow().clone() else {
            return;
        };
        let menu = self.menu();
        let model = gio::Menu::new();
        let favorite = if self.imp().favorite.get() {
            "Remove from Favorites"
        } else {
            "Add to Favorites"
        };
        for (label, action) in [
            ("Call", WindowAction::CallContact),
            ("Send Message", WindowAction::MessageContact),
            ("Send File…", WindowAction::SendFileToContact),
            ("Edit…", WindowAction::EditContact),
            (favorite, WindowAction::ToggleFavorite),
            ("Delete…", WindowAction::DeleteContact),
        ] {
            let item = gio::MenuItem::new(Some(label), None);
            item.set_action_and_target_value(Some(action.name()), Some(&id.to_variant()));
            model.append_item(&item);
        }
        menu.set_menu_model(Some(&model));
        // Truncation is fine: a pixel position.
        #[allow(clippy::cast_possible_truncation)]
        menu.set_pointing_to(Some(&gdk::Rectangle::new(x as i32, y as i32, 1, 1)));
        menu.popup();
    }

    /// Shows `item` and follows it when it shows another row, until [`Self::unbind`].
    pub(crate) fn bind(&self, item: &ContactItem) {
        self.unbind();
        let handler = item.connect_changed(glib::clone!(
            #[weak(rename_to = row)]
            self,
            move |item| row.show(item)
        ));
        self.imp().bound.replace(Some((item.clone(), handler)));
        self.show(item);
    }

    /// Stops following the item shown.
    pub(crate) fn unbind(&self) {
        if let Some((item, handler)) = self.imp().bound.take() {
            item.disconnect(handler);
        }
    }

    /// Shows `item` (rows are recycled as the list scrolls).
    fn show(&self, item: &ContactItem) {
        let imp = self.imp();
        let kind = item.kind();
        *imp.contact.borrow_mut() = (kind == RowKind::Contact).then(|| item.id());
        imp.favorite.set(item.favorite());
        *imp.row.borrow_mut() = match kind {
            RowKind::Contact => wink_ports::ContactId::new(item.id())
                .ok()
                .map(RowRef::Contact),
            RowKind::Group => wink_ports::GroupId::new(item.id()).ok().map(RowRef::Group),
            RowKind::Typed | RowKind::Missed => None,
        };
        imp.title_label.set_label(&item.title());
        imp.subtitle_label.set_label(&item.subtitle());
        imp.expander.set_visible(kind == RowKind::Group);
        imp.avatar.set_visible(kind != RowKind::Group);
        imp.expander.set_icon_name(Some(if item.collapsed() {
            "pan-end-symbolic"
        } else {
            "pan-down-symbolic"
        }));
        match kind {
            RowKind::Group => {
                imp.title_label.set_css_classes(&["heading"]);
                self.set_margin_start(0);
            }
            RowKind::Contact => {
                imp.title_label.set_css_classes(&[]);
                imp.avatar.set_text(Some(&item.title()));
                imp.avatar.set_icon_name(None);
                self.set_margin_start(12);
            }
            RowKind::Typed => {
                imp.title_label.set_css_classes(&[]);
                imp.avatar.set_text(None);
                imp.avatar.set_icon_name(Some("call-start-symbolic"));
                self.set_margin_start(0);
            }
            RowKind::Missed => {
                imp.title_label.set_css_classes(&[]);
                imp.avatar.set_text(None);
                imp.avatar.set_icon_name(Some("call-missed-symbolic"));
                self.set_margin_start(12);
            }
        }
        // The list item around the row (recycled as the list scrolls) reads as the row.
        let name = match kind {
            RowKind::Group if item.collapsed() => {
                format!("Group {}, {}, folded", item.title(), item.subtitle())
            }
            RowKind::Group => format!("Group {}, {}", item.title(), item.subtitle()),
            RowKind::Contact | RowKind::Typed | RowKind::Missed => {
                format!("{}, {}", item.title(), item.subtitle())
            }
        };
        if let Some(list_item) = self.parent() {
            crate::a11y::set_label(&list_item, &name);
        }
    }
}
