//! The main window's calls: dialing, the per-call buttons, keyboard shortcuts on the
//! current call, and the once-a-second refresh of timers and statistics.

use std::time::Duration;

use gtk::glib;
use gtk::prelude::*;
use gtk::subclass::prelude::*;
use wink_domain::{Command, CommandOutcome};
use wink_ports::SessionId;

use super::MainWindow;
use crate::actions::WindowAction;
use crate::models::call_item::CallItem;
use crate::models::call_view::{CallChange, CallView};
use crate::models::session_kinds::SessionKind;

/// How long an ended call stays in the pane, so the user sees how it ended.
const ENDED_CALL_LINGERS: Duration = Duration::from_secs(4);

impl MainWindow {
    /// The app's clock for call timers.
    pub(super) fn now(&self) -> Duration {
        self.imp()
            .clock
            .get()
            .map(std::time::Instant::elapsed)
            .unwrap_or_default()
    }

    /// Calls `target` as typed (number rules apply); connected calls are put on hold.
    pub(crate) fn dial(&self, target: &str) {
        let target = target.trim().to_owned();
        if target.is_empty() {
            return;
        }
        if self.core().phone().is_none() {
            self.show_problem("Add an account first: Wink needs one to make calls.");
            return;
        }
        self.hold_others(None);
        self.imp().search_entry.set_text("");
        self.send(Command::Call {
            target,
            account: None,
        });
    }

    /// Answers an incoming call, holding the others first; takes an offered file or a
    /// chat invitation (calls go on).
    pub(crate) fn answer(&self, call: &str) {
        let Ok(id) = SessionId::new(call) else {
            return;
        };
        let kind = self.imp().kinds.borrow().kind(&id);
        match kind {
            SessionKind::File => self.accept_file(&id),
            SessionKind::Chat => self.accept_chat(&id),
            SessionKind::Call => {
                self.hold_others(Some(&id));
                self.send(Command::Answer(id));
            }
        }
    }

    /// Declines an incoming call (603).
    pub(crate) fn reject(&self, call: &str) {
        if let Ok(id) = SessionId::new(call) {
            self.send(Command::Reject(id));
        }
    }

    fn hold_others(&self, except: Option<&SessionId>) {
        let active = self.imp().book.borrow().active_except(except);
        for id in active {
            self.send(Command::Hold(id, true));
        }
    }

    /// A per-call action on the newest live call (keyboard shortcuts).
    pub(super) fn on_current_call(&self, action: WindowAction) {
        let current = self.imp().book.borrow().current().map(|c| c.id.to_string());
        if let Some(call) = current {
            self.call_action(action, &call);
        }
    }

    /// Runs a per-call action.
    pub(super) fn call_action(&self, action: WindowAction, call: &str) {
        let Ok(id) = SessionId::new(call) else {
            return;
        };
        let Some(view) = self.imp().book.borrow().get(&id).cloned() else {
            return;
        };
        let command = match action {
            WindowAction::HangUpCall => Command::HangUp(id),
            WindowAction::HoldCall if view.is_connected() => {
                let hold = view.state != wink_domain::CallState::OnHold;
                if !hold {
                    self.hold_others(Some(&id));
                }
                Command::Hold(id, hold)
            }
            WindowAction::MuteCall if view.is_connected() => Command::Mute(id, !view.muted),
            WindowAction::SilenceCall if view.in_conference => {
                Command::SilenceParticipant(id, !view.silenced)
            }
            WindowAction::RecordCall if view.is_connected() => {
                self.record(id, !view.recording);
                return;
            }
            _ => return,
        };
        self.send(command);
    }

    /// Blind transfer of a call's other party to `target` (number rules apply).
    pub(super) fn transfer(&self, call: &str, target: &str) {
        if let Ok(id) = SessionId::new(call) {
            self.send(Command::Transfer(id, target.trim().to_owned()));
        }
    }

    /// Attended transfer: the other parties of `call` and `other` are connected.
    pub(super) fn connect_calls(&self, call: &str, other: &str) {
        if let (Ok(id), Ok(other)) = (SessionId::new(call), SessionId::new(other)) {
            self.send(Command::TransferToCall(id, other));
        }
    }

    /// Every connected call in one local conference (held ones are resumed).
    pub(super) fn merge_calls(&self) {
        let connected = self.imp().book.borrow().connected();
        if connected.len() >= 2 {
            self.send(Command::Conference(connected));
        }
    }

    /// Merge shows when two calls or more are connected and not all in the conference.
    fn show_merge(&self) {
        let imp = self.imp();
        let book = imp.book.borrow();
        imp.merge_button.set_visible(book.can_merge());
    }

    /// Starts or stops recording; the pane says where the file goes.
    fn record(&self, id: SessionId, on: bool) {
        let core = self.core();
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = window)]
            self,
            async move {
                match core.execute(Command::Record(id.clone(), on)).await {
                    Ok(outcome) => {
                        let change = window.imp().book.borrow_mut().set_recording(&id, on);
                        window.show_call_change(change);
                        if let CommandOutcome::Recording(path) = outcome {
                            window.show_problem(&format!("Recording to {}", path.display()));
                        }
                    }
                    Err(error) => {
                        window.show_problem(&crate::sentence::sentence(&error.to_string()))
                    }
                }
            }
        ));
    }

    /// Shows a change of the call book in the pane.
    pub(super) fn show_call_change(&self, change: CallChange) {
        let imp = self.imp();
        let Some(store) = imp.calls.get() else {
            return;
        };
        let now = self.now();
        let book = imp.book.borrow();
        let call = match change {
            CallChange::Added(index) => {
                let Some(call) = book.calls().get(index) else {
                    return;
                };
                store.insert(
                    u32::try_from(index).unwrap_or(u32::MAX),
                    &CallItem::new(call, now),
                );
                call.clone()
            }
            CallChange::Changed(index) => {
                let Some(call) = book.calls().get(index) else {
                    return;
                };
                if let Some(item) = store
                    .item(u32::try_from(index).unwrap_or(u32::MAX))
                    .and_downcast::<CallItem>()
                {
                    item.show(call, now);
                }
                call.clone()
            }
            CallChange::All => {
                for (index, call) in book.calls().iter().enumerate() {
                    if let Some(item) = store
                        .item(u32::try_from(index).unwrap_or(u32::MAX))
                        .and_downcast::<CallItem>()
                    {
                        item.show(call, now);
                    }
                }
                drop(book);
                self.show_merge();
                return;
            }
            CallChange::None => return,
        };
        drop(book);
        self.show_merge();
        if call.is_over() {
            self.close_incoming(call.id.as_str());
            self.notify_missed(&call);
            self.forget_call_later(&call);
        }
    }

    fn forget_call_later(&self, call: &CallView) {
        let id = call.id.clone();
        glib::timeout_add_local_once(
            ENDED_CALL_LINGERS,
            glib::clone!(
                #[weak(rename_to = window)]
                self,
                move || {
                    let imp = window.imp();
                    imp.kinds.borrow_mut().forget(&id);
                    let removed = imp.book.borrow_mut().remove(&id);
                    if let (Some(index), Some(store)) = (removed, imp.calls.get()) {
                        store.remove(u32::try_from(index).unwrap_or(u32::MAX));
                    }
                }
            ),
        );
    }

    /// Once a second: call timers; every other second: statistics of connected calls.
    pub(super) fn tick(&self) {
        let imp = self.imp();
        let now = self.now();
        if let Some(store) = imp.calls.get() {
            let book = imp.book.borrow();
            for (index, call) in book.calls().iter().enumerate() {
                if let Some(item) = store
                    .item(u32::try_from(index).unwrap_or(u32::MAX))
                    .and_downcast::<CallItem>()
                {
                    item.show(call, now);
                }
            }
        }
        if now.as_secs().is_multiple_of(2) {
            self.fetch_stats();
        }
    }

    fn fetch_stats(&self) {
        let connected = self.imp().book.borrow().connected();
        for id in connected {
            let core = self.core();
            glib::spawn_future_local(glib::clone!(
                #[weak(rename_to = window)]
                self,
                async move {
                    if let Ok(CommandOutcome::Stats(stats)) =
                        core.execute(Command::Stats(id.clone())).await
                    {
                        let change = window.imp().book.borrow_mut().set_stats(&id, stats);
                        window.show_call_change(change);
                    }
                }
            ));
        }
    }
}
