//! Our re-INVITE refused with 491 Request Pending (it crossed theirs) is sent again after a
//! random wait (RFC 3261 §14.1): 2.1–4 s when we own the Call-ID (we placed the call), else
//! 0–2 s, so the two sides do not collide again. Before, it was only logged and the domain
//! believed the hold or resume had happened.

use std::time::{Duration, Instant};

use tracing::debug;
use wink_ports::{Sdp, SessionId};

use super::Endpoint;
use super::calls::Role;

/// The random wait before a refused re-INVITE goes again.
fn wait_after_491(ids: &mut super::Ids, we_placed_the_call: bool) -> Duration {
    let (from_ms, span_ms) = if we_placed_the_call {
        (2_100, 1_900)
    } else {
        (0, 2_000)
    };
    Duration::from_millis(from_ms + ids.up_to(span_ms))
}

impl Endpoint {
    /// Schedules `session`'s last re-INVITE offer to go again after the wait of §14.1.
    pub(super) fn retry_reinvite_later(&mut self, now: Instant, session: &SessionId) {
        let Some(call) = self.calls.get_mut(session) else {
            return;
        };
        let Some(offer) = call.last_offer.clone() else {
            return;
        };
        let wait = wait_after_491(&mut self.ids, matches!(call.role, Role::Caller { .. }));
        debug!(target: "sip", %session, ?wait, "re-INVITE refused with 491; sent again later");
        call.retry_reinvite = Some((now + wait, offer));
    }

    /// When the next refused re-INVITE goes again.
    pub(super) fn next_reinvite_retry(&self) -> Option<Instant> {
        self.calls
            .values()
            .filter_map(|c| c.retry_reinvite.as_ref().map(|(at, _)| *at))
            .min()
    }

    /// Sends again every refused re-INVITE whose wait is over.
    pub(super) fn retry_reinvites(&mut self, now: Instant) {
        let due: Vec<(SessionId, Sdp)> = self
            .calls
            .iter_mut()
            .filter(|(_, c)| c.retry_reinvite.as_ref().is_some_and(|(at, _)| *at <= now))
            .filter_map(|(s, c)| Some((s.clone(), c.retry_reinvite.take()?.1)))
            .collect();
        for (session, offer) in due {
            let _ = self.reinvite(now, &session, &offer);
        }
    }
}
