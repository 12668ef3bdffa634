//! DTMF as SIP INFO with `application/dtmf-relay` (the de-facto format of Cisco and most
//! PBXs: `Signal=5` and `Duration=160` lines), for peers without RFC 4733 telephone-events.

use std::collections::VecDeque;
use std::time::Instant;

use wink_ports::{DtmfDigit, SessionId, SignalingError, SignalingEvent};

use super::{Endpoint, Owner, Peer};
use crate::message::{HeaderName, Message, Method};
use crate::transaction::response_to;

/// The content type.
const DTMF_RELAY: &str = "application/dtmf-relay";
/// How long each key is said to sound, in ms.
const DURATION_MS: u32 = 160;

/// Whether an INFO carries `application/dtmf-relay`.
pub(super) fn is_dtmf_relay(request: &Message) -> bool {
    request
        .headers
        .get(&HeaderName::ContentType)
        .and_then(|value| value.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case(DTMF_RELAY))
}

/// The key in a `dtmf-relay` body (`Signal=5`), if any.
pub(super) fn signal(body: &[u8]) -> Option<DtmfDigit> {
    let text = std::str::from_utf8(body).ok()?;
    text.lines().find_map(|line| {
        let (name, value) = line.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("signal") {
            return None;
        }
        let mut chars = value.trim().chars();
        let key = chars.next()?;
        chars.next().is_none().then_some(())?;
        DtmfDigit::from_char(key)
    })
}

/// Keys of one call waiting for the INFO in flight: each INFO waits for the final
/// response to the one before, so keys arrive in the order they were pressed.
#[derive(Debug, Default)]
pub(super) struct InfoQueue {
    waiting: VecDeque<DtmfDigit>,
    in_flight: bool,
}

impl Endpoint {
    /// Sends one key as an INFO in the call's dialog (after the keys before it).
    ///
    /// # Errors
    /// [`SignalingError::UnknownSession`], [`SignalingError::InvalidState`] without a dialog.
    pub fn send_dtmf_info(
        &mut self,
        now: Instant,
        session: &SessionId,
        digit: DtmfDigit,
    ) -> Result<(), SignalingError> {
        let queue = &mut self
            .calls
            .get_mut(session)
            .ok_or_else(|| SignalingError::UnknownSession(session.clone()))?
            .dtmf_info;
        if queue.in_flight {
            queue.waiting.push_back(digit);
            return Ok(());
        }
        self.send_info(now, session, digit)
    }

    fn send_info(
        &mut self,
        now: Instant,
        session: &SessionId,
        digit: DtmfDigit,
    ) -> Result<(), SignalingError> {
        let (mut info, peer) = self.in_dialog_request(session, Method::Info)?;
        info.headers.push(HeaderName::ContentType, DTMF_RELAY);
        info.body =
            format!("Signal={}\r\nDuration={DURATION_MS}\r\n", digit.to_char()).into_bytes();
        self.start_client(now, info, peer, Owner::Info(session.clone()));
        if let Some(call) = self.calls.get_mut(session) {
            call.dtmf_info.in_flight = true;
        }
        Ok(())
    }

    /// The INFO in flight got its final response (or none came): the next key goes.
    pub(super) fn info_finished(&mut self, now: Instant, session: &SessionId) {
        let next = self.calls.get_mut(session).and_then(|call| {
            call.dtmf_info.in_flight = false;
            call.dtmf_info.waiting.pop_front()
        });
        if let Some(digit) = next
            && self.send_info(now, session, digit).is_err()
            && let Some(call) = self.calls.get_mut(session)
        {
            // The dialog is gone: the keys after it go with it.
            call.dtmf_info = InfoQueue::default();
        }
    }

    /// An INFO with `dtmf-relay` in a call: 200, and the key for the domain (a body
    /// without a valid key still gets 200: the peer did nothing wrong in SIP terms).
    pub(super) fn on_dtmf_info(
        &mut self,
        now: Instant,
        from: Peer,
        session: SessionId,
        request: &Message,
    ) {
        self.respond_with(now, from, request, response_to(request, 200, "OK"));
        if let Some(digit) = signal(&request.body) {
            self.emit(SignalingEvent::DtmfReceived { session, digit });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signal_line_names_the_key() {
        assert_eq!(
            signal(b"Signal=5\r\nDuration=160\r\n"),
            Some(DtmfDigit::Digit(5))
        );
        assert_eq!(signal(b"signal= #\nduration=100"), Some(DtmfDigit::Pound));
        assert_eq!(signal(b"Signal=*"), Some(DtmfDigit::Star));
        assert_eq!(signal(b"Signal=12"), None);
        assert_eq!(signal(b"Signal=A"), None);
        assert_eq!(signal(b"Duration=100"), None);
        assert_eq!(signal(&[0xff, 0xfe]), None);
    }
}
