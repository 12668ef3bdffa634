//! `wink-domain`: Wink's core, pure and deterministic.
//!
//! It models accounts, typed call targets and the per-account phone number rules,
//! contacts and groups with search, call sessions as a state machine, call history, the
//! incoming-call web page, short-message limits — and the [`Phone`] service, the one
//! object frontends talk to. It does no I/O of its own: everything outside goes through
//! the port traits of [`wink_ports`], so every behaviour here is tested with `mockall`
//! mocks and tokio's paused clock. Its place in the house is described in
//! `../shared/ARCHITECTURE.md`.
#![warn(missing_docs)]

pub mod account;
pub mod answering_machine;
pub mod composing;
pub mod contacts;
pub mod cpim;
pub mod file_progress;
pub mod history;
pub mod imdn;
pub mod message;
pub mod number_rules;
pub mod phone;
pub mod session;
pub mod target;
pub mod web_alert;

pub use account::{
    Account, AccountAddress, AccountError, AccountKind, DtmfMethod, OutboundProxy, Transport,
};
pub use answering_machine::AnsweringMachine;
pub use contacts::{ContactError, ContactList, SearchHit, SpecialGroups};
pub use file_progress::{FileProgress, ProgressMeter};
pub use history::MissedCalls;
pub use message::{MessageError, ShortMessage};
pub use number_rules::{DialPlan, DtmfStep, NumberError, NumberRules};
pub use phone::{
    Command, CommandOutcome, FileOutcome, Phone, PhoneError, PhoneEvent, PhoneHandle,
    PhoneSettings, Ports,
};
pub use session::{CallState, Session, SessionError};
pub use target::{Target, TargetError};
pub use web_alert::{WebAlertMoment, WebAlertTemplate};
