//! The widgets, one per file, each with its template beside it (`name.rs` + `name.ui`).

mod account_dialog;
mod call_row;
mod chat_tab;
mod chat_window;
mod contact_editor;
mod contact_row;
mod dial_pad;
mod incoming_call;
mod main_window;
mod message_row;
mod preferences;
mod transfer_row;
mod transfers_window;

pub(crate) use account_dialog::AccountDialog;
pub(crate) use call_row::CallRow;
pub(crate) use chat_tab::{ChatTab, dropped_paths as chat_tab_dropped_paths};
pub(crate) use chat_window::ChatWindow;
pub(crate) use contact_editor::ContactEditor;
pub(crate) use contact_row::ContactRow;
pub(crate) use dial_pad::DialPad;
pub(crate) use incoming_call::{IncomingCall, IncomingChoice, IncomingOffer};
pub(crate) use main_window::MainWindow;
pub(crate) use message_row::MessageRow;
pub(crate) use preferences::Preferences;
pub(crate) use transfer_row::TransferRow;
pub(crate) use transfers_window::TransfersWindow;
