//! Calls we ended while their INVITE client transaction still lives (RFC 6026's Accepted
//! state, Timer M = 32 s): a 2xx that comes after we hung up or gave up — a retransmission
//! because our ACK was lost, or a 200 OK that crossed our CANCEL, or another fork's answer —
//! is acknowledged, and a dialog nobody holds any more is ended with BYE (RFC 3261
//! §13.2.2.4), so the far end never stays in a call we left.

use std::time::{Duration, Instant};

use tracing::debug;
use wink_ports::{AccountId, SessionId};

use super::call::Call;
use super::{Endpoint, EndpointOutput, Owner, Peer};
use crate::dialog::Dialog;
use crate::message::{Message, Method};

/// How long an ended INVITE is remembered: its client transaction's Accepted state.
const REMEMBERED_FOR: Duration = Duration::from_secs(32);

/// What is needed to answer a late 2xx for a call we ended.
#[derive(Debug)]
pub(super) struct EndedInvite {
    account: AccountId,
    invite: Message,
    peer: Peer,
    ended_at: Instant,
    /// The To tags of the dialogs already ended with BYE.
    ended_dialogs: Vec<String>,
}

impl Endpoint {
    /// Keeps what a late 2xx for `call`'s INVITE needs (a call we placed and ended).
    pub(super) fn remember_ended_invite(&mut self, now: Instant, session: &SessionId, call: &Call) {
        self.ended_invites
            .retain(|_, ended| now.duration_since(ended.ended_at) < REMEMBERED_FOR);
        self.ended_invites.insert(
            session.clone(),
            EndedInvite {
                account: call.account.clone(),
                invite: call.invite.clone(),
                peer: call.peer,
                ended_at: now,
                ended_dialogs: call.dialog.iter().map(|d| d.remote_tag.clone()).collect(),
            },
        );
    }

    /// A 2xx to the INVITE of a call we no longer hold: ACK it, and BYE its dialog unless
    /// that one was ended already.
    pub(super) fn stray_2xx(&mut self, now: Instant, session: &SessionId, response: &Message) {
        let Some(ended) = self.ended_invites.get(session) else {
            debug!(target: "sip", %session, status = ?response.status(), "response for a finished call ignored");
            return;
        };
        let Ok(mut dialog) = Dialog::from_response(&ended.invite, response) else {
            debug!(target: "sip", %session, "late 2xx without a To tag or Contact ignored");
            return;
        };
        dialog.update_target(response);
        super::outbound_route::route_through_outbound_proxy(
            self.accounts.get(&ended.account),
            &mut dialog,
        );
        let seq = ended.invite.cseq().map(|c| c.seq).unwrap_or(1);
        let first_bye = !ended.ended_dialogs.contains(&dialog.remote_tag);
        let peer = super::call::in_dialog_peer(
            self.accounts.get(&ended.account),
            Some(&dialog),
            ended.peer,
        );
        let mut ack = dialog.ack(seq);
        ack.headers.push_front(
            crate::message::HeaderName::Via,
            self.via_for(peer.transport),
        );
        self.outputs.push_back(EndpointOutput::Transmit {
            peer,
            bytes: ack.to_bytes(),
        });
        if first_bye {
            debug!(target: "sip", %session, "a 2xx for a call we ended: ACK and BYE");
            if let Some(ended) = self.ended_invites.get_mut(session) {
                ended.ended_dialogs.push(dialog.remote_tag.clone());
            }
            let bye = dialog.request(Method::Bye);
            self.start_client(now, bye, peer, Owner::Server);
        }
    }
}
