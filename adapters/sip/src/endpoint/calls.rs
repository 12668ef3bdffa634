//! Calls: INVITE dialogs as caller and callee — early media, late offer (an INVITE without
//! SDP is answered with our offer in the 200 OK), CANCEL with `Reason` (RFC 3326), 603 vs
//! 486, BYE, re-INVITE, and the ACK of 2xx responses.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use tracing::{debug, warn};
use wink_ports::{
    AccountId, InviteRequest, Reason, Sdp, SessionId, SignalingError, SignalingEvent, SipUri,
    StatusCode,
};

use super::outbound_route::route_through_outbound_proxy;
use super::reinvites::IncomingReinvite;
use super::session_timer;
use super::{AccountBinding, Endpoint, EndpointOutput, Entry, Owner, Peer, TransportKind};
use crate::dialog::Dialog;
use crate::message::{CSeq, HeaderName, Message, Method, NameAddr, Rejection, StartLine};
use crate::transaction::{Event, Input, ServerInvite, Transaction, TransactionKey, response_to};

mod callee;
mod caller;
mod in_dialog;

/// Our side of a call.
#[derive(Debug)]
pub(super) enum Role {
    /// We sent the INVITE.
    Caller {
        /// A provisional response arrived (a CANCEL may be sent).
        provisional: bool,
        /// The user hung up before any provisional response: CANCEL when one comes.
        cancel_pending: bool,
        /// The user gave up on the call (CANCEL sent or pending): a 2xx that comes
        /// anyway, crossing the CANCEL, is acknowledged and ended with BYE.
        cancelled: bool,
        /// The ACK of the 2xx, repeated for each 2xx retransmission.
        ack: Option<Vec<u8>>,
    },
    /// We received the INVITE.
    Callee {
        /// The INVITE's server transaction.
        server: TransactionKey,
        /// Our To tag.
        local_tag: String,
        /// We sent 200 OK.
        answered: bool,
    },
}

/// One call.
#[derive(Debug)]
pub(super) struct Call {
    pub(super) account: AccountId,
    /// Our INVITE as sent (caller) or theirs as received (callee).
    pub(super) invite: Message,
    pub(super) dialog: Option<Dialog>,
    /// The next hop (caller) or where the INVITE came from (callee).
    pub(super) peer: Peer,
    pub(super) role: Role,
    /// The session-timer interval agreed, if any (RFC 4028).
    pub(super) session_expires: Option<u32>,
    /// When we refresh the session next (we are the refresher).
    pub(super) refresh_at: Option<Instant>,
    /// Their re-INVITE, until its ACK.
    pub(super) incoming_reinvite: Option<IncomingReinvite>,
    /// Our re-INVITE has no final response yet.
    pub(super) reinviting: bool,
    /// The offer of our last re-INVITE (sent again after a 491).
    pub(super) last_offer: Option<Sdp>,
    /// A re-INVITE refused with 491, to send again at this time.
    pub(super) retry_reinvite: Option<(Instant, Sdp)>,
    /// DTMF keys waiting for the INFO before them to finish.
    pub(super) dtmf_info: super::dtmf_info::InfoQueue,
}

fn reason_phrase(response: &Message) -> String {
    match &response.start {
        StartLine::Response { reason, .. } => reason.clone(),
        StartLine::Request { .. } => String::new(),
    }
}

/// Parses `SIP ;cause=200 ;text="Call completed elsewhere"` (RFC 3326).
pub(super) fn parse_reason(raw: &str) -> Option<Reason> {
    let mut parts = raw.split(';');
    let protocol = parts.next()?.trim().to_owned();
    if protocol.is_empty() {
        return None;
    }
    let mut reason = Reason {
        protocol,
        cause: None,
        text: None,
    };
    for part in parts {
        match part.trim().split_once('=') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("cause") => {
                reason.cause = value.trim().parse().ok()
            }
            Some((name, value)) if name.trim().eq_ignore_ascii_case("text") => {
                reason.text = Some(value.trim().trim_matches('"').to_owned());
            }
            _ => {}
        }
    }
    Some(reason)
}

/// A peer for a URI whose host is an IP address; `None` for names (the caller falls back to
/// the account's next hop).
pub(super) fn peer_for_uri(uri: &str) -> Option<Peer> {
    let uri = SipUri::parse(uri).ok()?;
    let ip: IpAddr = uri.host().trim_matches(['[', ']']).parse().ok()?;
    let transport = match uri
        .param("transport")
        .flatten()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("tcp") => TransportKind::Tcp,
        Some("tls") => TransportKind::Tls,
        _ => TransportKind::Udp,
    };
    Some(Peer {
        addr: SocketAddr::new(ip, uri.port().unwrap_or(5060)),
        transport,
    })
}

/// Where in-dialog requests of `call` go (see [`in_dialog_peer`]); a function of the
/// accounts alone, so a caller may hold the call mutably at the same time.
pub(super) fn call_peer(accounts: &HashMap<AccountId, AccountBinding>, call: &Call) -> Peer {
    in_dialog_peer(accounts, &call.account, call.dialog.as_ref(), call.peer)
}

/// Where in-dialog requests of `account` go: to its outbound proxy when it has one, else
/// the dialog's first hop, else `fallback`.
pub(super) fn in_dialog_peer(
    accounts: &HashMap<AccountId, AccountBinding>,
    account: &AccountId,
    dialog: Option<&Dialog>,
    fallback: Peer,
) -> Peer {
    let account_hop = accounts
        .get(account)
        .map(|a| (a.next_hop, a.route.is_some()));
    match (account_hop, dialog) {
        (Some((hop, true)), _) => hop,
        (hop, Some(dialog)) => peer_for_uri(&dialog.first_hop())
            .or(hop.map(|h| h.0))
            .unwrap_or(fallback),
        (hop, None) => hop.map_or(fallback, |h| h.0),
    }
}

pub(super) fn sdp_body(message: &Message) -> Option<Sdp> {
    (!message.body.is_empty())
        .then(|| Sdp::new(String::from_utf8_lossy(&message.body).into_owned()))
}

impl Endpoint {
    fn call(&mut self, session: &SessionId) -> Result<&mut Call, SignalingError> {
        self.calls
            .get_mut(session)
            .ok_or_else(|| SignalingError::UnknownSession(session.clone()))
    }

    pub(super) fn emit(&mut self, event: SignalingEvent) {
        self.outputs.push_back(EndpointOutput::Event(event));
    }

    /// Where in-dialog requests of a call go: the outbound proxy when the account has one,
    /// else the first Route or the remote target when it is an IP address.
    pub(super) fn dialog_peer(&self, call: &Call) -> Peer {
        call_peer(&self.accounts, call)
    }

    pub(super) fn with_body(message: &mut Message, sdp: Option<&Sdp>) {
        if let Some(sdp) = sdp {
            message
                .headers
                .set(HeaderName::ContentType, "application/sdp");
            message.body = sdp.as_str().as_bytes().to_vec();
        }
    }
}

/// Whether an INVITE lets us answer with SDP: it has no Accept header, or one of them lists
/// `application/sdp`, `application/*` or `*/*` (RFC 3261 §20.1; an empty one accepts
/// nothing, RFC 4475 §3.3.15).
fn accepts_sdp(request: &Message) -> bool {
    if request.headers.count(&HeaderName::Accept) == 0 {
        return true;
    }
    request
        .headers
        .list(&HeaderName::Accept)
        .iter()
        .any(|range| {
            let media = range.split(';').next().unwrap_or_default().trim();
            ["application/sdp", "application/*", "*/*"]
                .iter()
                .any(|accepted| media.eq_ignore_ascii_case(accepted))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_headers_parse() {
        let r = parse_reason("SIP ;cause=200 ;text=\"Call completed elsewhere\"").unwrap();
        assert_eq!(
            (r.protocol.as_str(), r.cause, r.text.as_deref()),
            ("SIP", Some(200), Some("Call completed elsewhere"))
        );
        let q = parse_reason("Q.850;cause=16").unwrap();
        assert_eq!((q.protocol.as_str(), q.cause), ("Q.850", Some(16)));
        assert_eq!(parse_reason(""), None);
    }
}
