//! View-models. The plain ones (`account_form`, `account_status`, `audio_devices`,
//! `call_view`, `composing`, `contact_rows`, `conversations`, `preferences`, `session_kinds`,
//! `transfers`) hold the app's logic and are tested without a display; the GObject
//! ones (`*_item`, `contact_list_model`) only carry their results to the widgets.

pub(crate) mod account_form;
pub(crate) mod account_item;
pub(crate) mod account_status;
pub(crate) mod audio_devices;
pub(crate) mod call_item;
pub(crate) mod call_view;
pub(crate) mod composing;
pub(crate) mod contact_drop;
pub(crate) mod contact_form;
pub(crate) mod contact_item;
pub(crate) mod contact_list_model;
pub(crate) mod contact_rows;
pub(crate) mod conversations;
#[cfg(test)]
pub(crate) mod fixtures;
pub(crate) mod preferences;
pub(crate) mod session_kinds;
pub(crate) mod transfers;
