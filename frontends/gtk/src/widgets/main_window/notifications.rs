//! Desktop notifications (`gio::Notification`) while the window is not in front: an
//! incoming call with Accept and Reject buttons (a file or a chat: Accept and Decline),
//! and a call that was missed.

use gtk::gio;
use gtk::prelude::*;

use super::MainWindow;
use crate::models::call_view::{CallView, Party};
use crate::widgets::IncomingOffer;
use wink_ports::CallResult;

impl MainWindow {
    /// Whether the user is looking at the window (then the alert is enough).
    fn in_front(&self) -> bool {
        self.is_visible() && self.is_active()
    }

    /// Announces an incoming call (file, chat) on the desktop when the window is not in front.
    pub(super) fn notify_incoming(
        &self,
        call: &str,
        party: &Party,
        account: &str,
        offer: &IncomingOffer,
    ) {
        let Some(app) = self.application() else {
            tracing::warn!("incoming call: the window has no application to notify through");
            return;
        };
        if self.in_front() {
            return;
        }
        let notification = gio::Notification::new(&offer.title(party));
        let (body, icon, refuse) = match offer {
            IncomingOffer::Call { .. } => (
                format!("{} · to {account}", party.address),
                "call-start-symbolic",
                "Reject",
            ),
            IncomingOffer::File { .. } => (
                format!("{} {}", party.address, offer.detail()),
                "folder-download-symbolic",
                "Decline",
            ),
            IncomingOffer::Chat => (
                format!("{} {} · to {account}", party.address, offer.detail()),
                "chat-message-new-symbolic",
                "Decline",
            ),
        };
        notification.set_body(Some(&body));
        notification.set_priority(gio::NotificationPriority::Urgent);
        notification.set_icon(&gio::ThemedIcon::new(icon));
        let id = call.to_variant();
        notification.add_button_with_target_value(refuse, "app.reject-call", Some(&id));
        notification.add_button_with_target_value("Accept", "app.answer-call", Some(&id));
        notification.set_default_action("app.show-window");
        app.send_notification(Some(&incoming_id(call)), &notification);
    }

    /// Takes the incoming-call notification back (answered, refused, or over).
    pub(super) fn withdraw_incoming(&self, call: &str) {
        if let Some(app) = self.application() {
            app.withdraw_notification(&incoming_id(call));
        }
    }

    /// Says on the desktop that a call was missed, when the window is not in front.
    pub(super) fn notify_missed(&self, call: &CallView) {
        self.withdraw_incoming(call.id.as_str());
        if call.ended != Some(CallResult::Missed) || self.in_front() {
            return;
        }
        let Some(app) = self.application() else {
            return;
        };
        let notification =
            gio::Notification::new(&format!("Missed call from {}", call.party.title()));
        notification.set_body(Some(&call.party.address));
        notification.set_icon(&gio::ThemedIcon::new("call-missed-symbolic"));
        notification.set_default_action("app.show-window");
        app.send_notification(Some("missed-calls"), &notification);
    }
}

fn incoming_id(call: &str) -> String {
    format!("incoming-{call}")
}
