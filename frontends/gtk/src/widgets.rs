//! The widgets, one per file, each with its template beside it (`name.rs` + `name.ui`).

mod account_dialog;
mod call_row;
mod contact_editor;
mod contact_row;
mod dial_pad;
mod incoming_call;
mod main_window;
mod preferences;

pub(crate) use account_dialog::AccountDialog;
pub(crate) use call_row::CallRow;
pub(crate) use contact_editor::ContactEditor;
pub(crate) use contact_row::ContactRow;
pub(crate) use dial_pad::DialPad;
pub(crate) use incoming_call::{IncomingCall, IncomingChoice};
pub(crate) use main_window::MainWindow;
pub(crate) use preferences::Preferences;
