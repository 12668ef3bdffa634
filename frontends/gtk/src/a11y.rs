//! Accessible names set at run time, for the controls whose name changes or that
//! libadwaita 1.2 leaves unnamed (the password row's "show password" button).
//!
//! gtk4-rs exposes `gtk_accessible_update_property_value` only for GTK 4.10 and later,
//! but the function is in GTK since 4.0 and Debian 12 ships 4.8; so this one call is
//! declared here. It is the crate's only `unsafe`, kept to a single safe function.
#![allow(unsafe_code)]

use std::ffi::c_int;

use gtk::glib;
use gtk::glib::translate::ToGlibPtr;
use gtk::prelude::*;

// SAFETY of the declaration: the C signature in gtk/gtkaccessible.h (GTK 4.0+):
// void gtk_accessible_update_property_value (GtkAccessible *self, int n_properties,
//     GtkAccessibleProperty properties[], const GValue values[]);
unsafe extern "C" {
    fn gtk_accessible_update_property_value(
        accessible: *mut gtk::ffi::GtkWidget,
        n_properties: c_int,
        properties: *mut gtk::ffi::GtkAccessibleProperty,
        values: *const glib::gobject_ffi::GValue,
    );
}

/// Gives `widget` the accessible name `label` (what a screen reader says for it).
pub(crate) fn set_label(widget: &impl IsA<gtk::Widget>, label: &str) {
    let value = label.to_value();
    let mut property = gtk::ffi::GTK_ACCESSIBLE_PROPERTY_LABEL;
    let widget: &gtk::Widget = widget.upcast_ref();
    // SAFETY: every GtkWidget implements GtkAccessible; one property with one GValue of
    // type string, as the label property requires; both live across the call.
    unsafe {
        gtk_accessible_update_property_value(
            widget.to_glib_none().0,
            1,
            &mut property,
            value.to_glib_none().0,
        );
    }
}

/// Names every icon-only button inside `container` that has no name of its own, with
/// `label` (libadwaita's password row has one such button: show or hide the password).
pub(crate) fn name_inner_buttons(container: &impl IsA<gtk::Widget>, label: &str) {
    name_inner::<gtk::Button>(container, label, |button| button.label().is_none());
}

/// Names the search entries inside `container` (libadwaita's preferences window has one,
/// unnamed, even with its search off).
pub(crate) fn name_inner_search_entries(container: &impl IsA<gtk::Widget>, label: &str) {
    name_inner::<gtk::SearchEntry>(container, label, |_| true);
}

/// Gives `label` to every `W` inside `container` for which `unnamed` says so.
fn name_inner<W: IsA<gtk::Widget>>(
    container: &impl IsA<gtk::Widget>,
    label: &str,
    unnamed: impl Fn(&W) -> bool,
) {
    let mut stack = vec![container.upcast_ref::<gtk::Widget>().clone()];
    while let Some(widget) = stack.pop() {
        if let Some(found) = widget.downcast_ref::<W>()
            && unnamed(found)
        {
            set_label(found, label);
        }
        let mut child = widget.first_child();
        while let Some(next) = child {
            child = next.next_sibling();
            stack.push(next);
        }
    }
}
