//! The main window's side of the phone's events: each one updates a view-model, and the
//! widgets follow.

use gtk::glib;
use gtk::prelude::*;
use gtk::subclass::prelude::*;
use tokio::sync::broadcast;
use tracing::warn;
use wink_domain::{Command, PhoneEvent};
use wink_ports::SessionId;

use super::MainWindow;
use crate::models::account_status::AccountStatus;
use crate::models::call_view::Party;
use crate::models::session_kinds::{SessionKind, session_of};
use crate::widgets::{IncomingCall, IncomingChoice, IncomingOffer};

impl MainWindow {
    /// Reads the phone's events on the main loop for as long as the window lives.
    pub(super) fn pump_events(&self, mut events: broadcast::Receiver<PhoneEvent>) {
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = window)]
            self,
            async move {
                loop {
                    match events.recv().await {
                        Ok(event) => window.on_phone_event(event),
                        Err(broadcast::error::RecvError::Lagged(missed)) => {
                            warn!(missed, "the window fell behind the phone's events");
                        }
                        Err(broadcast::error::RecvError::Closed) => break,
                    }
                }
            }
        ));
    }

    /// An event from the phone, sent where its session belongs: the chat window, the
    /// transfers window, or the calls pane (the session's first event says which).
    fn on_phone_event(&self, event: PhoneEvent) {
        let kind = self.imp().kinds.borrow_mut().observe(&event);
        match (&event, kind) {
            (PhoneEvent::MessageReceived { .. } | PhoneEvent::MessageState { .. }, _) => {
                self.chats().on_event(&event);
            }
            (PhoneEvent::IncomingCall { session, .. }, Some(SessionKind::Chat)) => {
                self.alert_invitation(session, &IncomingOffer::Chat);
            }
            // A file's alert waits for its name and size: the `IncomingFile` right after.
            (PhoneEvent::IncomingCall { .. }, Some(SessionKind::File)) => {}
            (
                PhoneEvent::IncomingFile {
                    session,
                    name,
                    size,
                },
                _,
            ) => self.on_file_offered(session, name, *size),
            (PhoneEvent::ChatConnected { session }, _) => self.on_chat_connected(session),
            (_, Some(SessionKind::Chat)) => {
                self.close_alert_once_answered(&event);
                self.chats().on_event(&event);
                self.forget_if_ended(&event);
            }
            (_, Some(SessionKind::File)) => {
                self.on_file_event(&event);
                self.forget_if_ended(&event);
            }
            _ => self.on_call_event(event),
        }
    }

    /// The alert for an incoming chat or file, from the party its `IncomingCall` named.
    fn alert_invitation(&self, session: &SessionId, offer: &IncomingOffer) {
        let invitation = self.imp().kinds.borrow().invitation(session).cloned();
        if let Some(invitation) = invitation {
            self.alert_incoming(
                session.as_str(),
                &invitation.party,
                &invitation.account,
                offer,
            );
        }
    }

    /// A file offered to us: its alert, and the row it becomes once accepted.
    fn on_file_offered(&self, session: &SessionId, name: &str, size: Option<u64>) {
        let offer = IncomingOffer::File {
            name: name.to_owned(),
            size,
        };
        self.alert_invitation(session, &offer);
        let invitation = self.imp().kinds.borrow_mut().take_invitation(session);
        if let Some(invitation) = invitation {
            let party = self.known_as(&invitation.party);
            self.remember_offer(session, party, name, size);
        }
    }

    /// Closes the alert of a chat or file session that stopped ringing (answered here or
    /// elsewhere, or over).
    fn close_alert_once_answered(&self, event: &PhoneEvent) {
        match event {
            PhoneEvent::CallState { session, state }
                if !matches!(state, wink_domain::CallState::Alerting) =>
            {
                self.close_incoming(session.as_str());
            }
            PhoneEvent::CallEnded { session, .. } => self.close_incoming(session.as_str()),
            _ => {}
        }
    }

    /// A chat or file session that ended is forgotten (and a file offered, not taken).
    fn forget_if_ended(&self, event: &PhoneEvent) {
        if let PhoneEvent::CallEnded { session, .. } = event {
            self.imp().kinds.borrow_mut().forget(session);
            self.imp().offers.borrow_mut().remove(session);
        }
    }

    /// An event of a file session: its row follows it; its alert goes once it stops ringing.
    fn on_file_event(&self, event: &PhoneEvent) {
        self.close_alert_once_answered(event);
        if session_of(event).is_some_and(|s| self.transfers().has(s)) {
            self.transfers().on_event(event);
        }
    }

    /// The party as the address book names them, when their request gave no name.
    pub(super) fn known_as(&self, party: &Party) -> Party {
        let mut party = party.clone();
        if party.name.is_none() {
            party.name = self.imp().contacts.name_of(&party.address);
        }
        party
    }

    /// Shows the alert for an incoming session (named as in the address book when the
    /// request gave no name) and tells the desktop.
    fn alert_incoming(&self, session: &str, party: &Party, account: &str, offer: &IncomingOffer) {
        let party = &self.known_as(party);
        let alert = IncomingCall::new(self, party, account, offer);
        let id = session.to_owned();
        alert.connect_choice(glib::clone!(
            #[weak(rename_to = window)]
            self,
            move |choice| window.on_incoming_choice(&id, choice)
        ));
        // The desktop is told first: presenting the alert takes the focus.
        self.notify_incoming(session, party, account, offer);
        alert.present();
        self.imp()
            .incoming
            .borrow_mut()
            .insert(session.to_owned(), alert);
    }

    fn on_call_event(&self, event: PhoneEvent) {
        let now = self.now();
        let change = self.imp().book.borrow_mut().apply(&event, now);
        self.show_call_change(change);
        match event {
            PhoneEvent::Registration { account, state } => {
                if let Some(item) = self.account_item(account.as_str()) {
                    item.show(&AccountStatus::of(&state));
                    let selected = self.imp().account_selector.selected_item();
                    if selected.as_ref() == Some(item.upcast_ref()) {
                        self.show_account_advice(&item);
                    }
                }
            }
            PhoneEvent::IncomingCall {
                session,
                account,
                answering_machine_in,
                web_alert_url,
                ..
            } => {
                let Some(call) = self.imp().book.borrow().get(&session).cloned() else {
                    return;
                };
                let offer = IncomingOffer::Call {
                    devices: self.devices_text(),
                    answering_machine_in,
                };
                if let Some(url) = web_alert_url {
                    open_web_page(&url);
                }
                self.alert_incoming(session.as_str(), &call.party, account.as_str(), &offer);
                self.start_ringing();
            }
            PhoneEvent::CallState { session, state }
                if !matches!(state, wink_domain::CallState::Alerting) =>
            {
                self.close_incoming(session.as_str());
            }
            PhoneEvent::MissedCalls(count) => {
                self.show_missed(count);
                // History has the new missed call by now: the Missed Calls group follows.
                glib::spawn_future_local(glib::clone!(
                    #[weak(rename_to = window)]
                    self,
                    async move { window.load_missed_calls().await }
                ));
            }
            PhoneEvent::WebAlert { url, .. } => open_web_page(&url),
            PhoneEvent::Problem(text) => self.show_problem(&text),
            _ => {}
        }
    }

    fn on_incoming_choice(&self, call: &str, choice: IncomingChoice) {
        let Ok(id) = wink_ports::SessionId::new(call) else {
            return;
        };
        match choice {
            IncomingChoice::Accept => self.answer(call),
            IncomingChoice::Reject => {
                self.imp().offers.borrow_mut().remove(&id);
                self.send(Command::Reject(id));
            }
            IncomingChoice::Busy => self.send(Command::Busy(id)),
        }
        self.close_incoming(call);
    }

    /// Closes the alert of a call that is no longer ringing here.
    pub(super) fn close_incoming(&self, call: &str) {
        self.withdraw_incoming(call);
        let alert = self.imp().incoming.borrow_mut().remove(call);
        if let Some(alert) = alert {
            alert.close();
        }
        if self.imp().incoming.borrow().is_empty() {
            self.stop_ringing();
        }
    }

    fn show_missed(&self, count: u64) {
        let button = &self.imp().missed_button;
        button.set_visible(count > 0);
        let text = match count {
            1 => "1 missed call".to_owned(),
            n => format!("{n} missed calls"),
        };
        button.set_label(&text);
        button.set_tooltip_text(Some("Missed calls: click when you have seen them"));
    }
}

/// Opens the account's incoming-call web page in the default browser.
fn open_web_page(url: &str) {
    if let Err(error) =
        gtk::gio::AppInfo::launch_default_for_uri(url, None::<&gtk::gio::AppLaunchContext>)
    {
        warn!(%error, url, "the incoming-call web page cannot be opened");
    }
}
