//! The session refresh (RFC 4028) of a call we are the refresher of: an UPDATE without a
//! body, halfway through the interval, so proxies and peers that time idle calls out keep
//! ours.

use std::time::Instant;

use super::{Call, CallContext};
use crate::endpoint::Owner;
use crate::endpoint::session_timer::{SESSION_EXPIRES, refresh_in};
use crate::message::{HeaderName, Method};

impl Call {
    /// Sends the refreshing UPDATE and arms the next refresh.
    pub(super) fn refresh(&mut self, now: Instant, ctx: &mut CallContext<'_>) {
        let contact = ctx.contact();
        let interval = self.session_expires.unwrap_or(SESSION_EXPIRES);
        self.refresh_at = Some(now + refresh_in(interval));
        let Some(dialog) = self.dialog.as_mut() else {
            return;
        };
        let mut update = dialog.request(Method::Update);
        update.headers.push(
            HeaderName::SessionExpires,
            format!("{interval};refresher=uac"),
        );
        update.headers.push(HeaderName::Supported, "timer");
        if let Some(contact) = contact {
            update
                .headers
                .push(HeaderName::Contact, format!("<{contact}>"));
        }
        let peer = self.dialog_peer(ctx);
        self.send(ctx, update, peer, Owner::Server);
    }
}
