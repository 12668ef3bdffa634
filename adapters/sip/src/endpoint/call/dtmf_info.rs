//! DTMF as SIP INFO with `application/dtmf-relay` (the de-facto format of Cisco and most
//! PBXs: `Signal=5` and `Duration=160` lines), for peers without RFC 4733 telephone-events.

use std::collections::VecDeque;

use wink_ports::{DtmfDigit, SignalingError, SignalingEvent};

use super::{Call, CallContext};
use crate::endpoint::{Owner, Peer};
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
fn signal(body: &[u8]) -> Option<DtmfDigit> {
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

impl Call {
    /// Sends one key as an INFO in the dialog (after the keys before it).
    ///
    /// # Errors
    /// [`SignalingError::InvalidState`] without a dialog.
    pub(in crate::endpoint) fn send_dtmf_info(
        &mut self,
        ctx: &mut CallContext<'_>,
        digit: DtmfDigit,
    ) -> Result<(), SignalingError> {
        if self.dtmf_info.in_flight {
            self.dtmf_info.waiting.push_back(digit);
            return Ok(());
        }
        self.send_info(ctx, digit)
    }

    fn send_info(
        &mut self,
        ctx: &mut CallContext<'_>,
        digit: DtmfDigit,
    ) -> Result<(), SignalingError> {
        let (mut info, peer) = self.in_dialog_request(ctx, Method::Info, "send DTMF by INFO in")?;
        info.headers.push(HeaderName::ContentType, DTMF_RELAY);
        info.body =
            format!("Signal={}\r\nDuration={DURATION_MS}\r\n", digit.to_char()).into_bytes();
        let owner = Owner::Info(self.session.clone());
        self.send(ctx, info, peer, owner);
        self.dtmf_info.in_flight = true;
        Ok(())
    }

    /// The INFO in flight got its final response (or none came): the next key goes.
    pub(in crate::endpoint) fn info_finished(&mut self, ctx: &mut CallContext<'_>) {
        self.dtmf_info.in_flight = false;
        if let Some(digit) = self.dtmf_info.waiting.pop_front()
            && self.send_info(ctx, digit).is_err()
        {
            // The dialog is gone: the keys after it go with it.
            self.dtmf_info = InfoQueue::default();
        }
    }

    /// Their INFO with `dtmf-relay`: 200, and the key for the domain (a body without a
    /// valid key still gets 200: the peer did nothing wrong in SIP terms).
    pub(super) fn on_dtmf_info(&mut self, from: Peer, request: Message) {
        let digit = signal(&request.body);
        let ok = response_to(&request, 200, "OK");
        self.reply(from, request, ok);
        if let Some(digit) = digit {
            self.emit(SignalingEvent::DtmfReceived {
                session: self.session.clone(),
                digit,
            });
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
