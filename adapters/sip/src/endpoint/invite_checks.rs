//! Refusals a new INVITE gets before it becomes a call: a merged request — the same
//! request reaching us twice by two paths, e.g. forked by a proxy and merged again — is
//! answered 482 instead of ringing a second time (RFC 3261 §8.2.2.2), and a session
//! interval below our minimum 422 with `Min-SE` when the caller supports timers (RFC 4028
//! §9; a caller that does not gets the minimum in our 200 instead), and a call beyond the
//! many a phone rings for at once 486 Busy Here (an INVITE flood rings 64 calls, not
//! thousands).

use crate::message::{HeaderName, Message, Rejection};

use super::Endpoint;
use super::session_timer::{MIN_SE, requested_interval};

/// The most calls that ring (come in, not answered yet) at once. Eight was too few: at 200
/// calls/s an auto-answering phone has more than eight calls between INVITE and answer,
/// and `benches/sip-cps.sh` fell from 320 to 160 calls/s.
pub(super) const MAX_RINGING: usize = 64;

/// Whether `request` lists `option` in its `Supported` headers.
fn supports(request: &Message, option: &str) -> bool {
    request
        .headers
        .list(&HeaderName::Supported)
        .iter()
        .any(|value| value.trim().eq_ignore_ascii_case(option))
}

impl Endpoint {
    /// The refusal a new INVITE gets before it becomes a call, if any.
    pub(super) fn refuse_new_invite(&self, request: &Message) -> Option<Rejection> {
        if self.is_merged(request) {
            return Some(Rejection {
                code: 482,
                reason: "Loop Detected".into(),
                headers: vec![],
            });
        }
        if self.ringing() >= MAX_RINGING {
            return Some(Rejection {
                code: 486,
                reason: "Busy Here".into(),
                headers: vec![],
            });
        }
        let asked = requested_interval(request)?;
        (asked < MIN_SE && supports(request, "timer")).then(|| Rejection {
            code: 422,
            reason: "Session Interval Too Small".into(),
            headers: vec![(HeaderName::MinSe, MIN_SE.to_string())],
        })
    }

    /// How many calls we received are not answered yet.
    fn ringing(&self) -> usize {
        self.calls.values().filter(|call| call.is_ringing()).count()
    }

    /// Whether a call we received came from a request with the same Call-ID, From tag
    /// and CSeq (a retransmission matches its transaction and never gets here).
    fn is_merged(&self, request: &Message) -> bool {
        let (Some(call_id), Ok(from), Ok(cseq)) =
            (request.call_id(), request.from_header(), request.cseq())
        else {
            return false;
        };
        self.calls.values().any(|call| {
            call.server_key().is_some()
                && call.invite.call_id() == Some(call_id)
                && call.invite.cseq().is_ok_and(|c| c.seq == cseq.seq)
                && call
                    .invite
                    .from_header()
                    .is_ok_and(|f| f.tag().is_some() && f.tag() == from.tag())
        })
    }
}
