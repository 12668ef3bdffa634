//! The main window's side of the phone's events: each one updates a view-model, and the
//! widgets follow.

use gtk::glib;
use gtk::prelude::*;
use gtk::subclass::prelude::*;
use tokio::sync::broadcast;
use tracing::warn;
use wink_domain::{Command, PhoneEvent};

use super::MainWindow;
use crate::models::account_status::AccountStatus;
use crate::widgets::{IncomingCall, IncomingChoice};

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

    fn on_phone_event(&self, event: PhoneEvent) {
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
                let alert = IncomingCall::new(
                    self,
                    &call,
                    account.as_str(),
                    &self.devices_text(),
                    answering_machine_in,
                );
                let id = session.to_string();
                alert.connect_choice(glib::clone!(
                    #[weak(rename_to = window)]
                    self,
                    move |choice| window.on_incoming_choice(&id, choice)
                ));
                // The desktop is told first: presenting the alert takes the focus.
                self.notify_incoming(&call, account.as_str());
                if let Some(url) = web_alert_url {
                    open_web_page(&url);
                }
                alert.present();
                self.imp()
                    .incoming
                    .borrow_mut()
                    .insert(session.to_string(), alert);
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
            IncomingChoice::Reject => self.send(Command::Reject(id)),
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
