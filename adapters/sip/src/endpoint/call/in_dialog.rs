//! A call's dialog, on either side: ending it with BYE, their BYE, the ACK of our 2xx, and
//! the requests inside the dialog (each handed to the file of its feature).

use tracing::debug;
use wink_ports::{SignalingError, SignalingEvent, StatusCode};

use super::{Call, CallContext, CallOutput, Role, dtmf_info};
use crate::endpoint::{Owner, Peer};
use crate::message::{Message, Method, Rejection};
use crate::transaction::response_to;

impl Call {
    /// Ends the call as its state wants: BYE once there is a confirmed dialog, CANCEL for
    /// our INVITE before that (an early dialog is not one to BYE), 603 for one still
    /// ringing here.
    ///
    /// # Errors
    /// Those of [`Call::reject`] and [`Call::cancel`] (none in a state that leads there).
    pub(in crate::endpoint) fn hang_up(
        &mut self,
        ctx: &mut CallContext<'_>,
    ) -> Result<(), SignalingError> {
        if let Role::Callee {
            answered: false, ..
        } = self.role
        {
            return self.reject(ctx, StatusCode::DECLINE);
        }
        if self.dialog.is_none() || matches!(self.role, Role::Caller { ack: None, .. }) {
            return self.cancel(ctx);
        }
        self.end(matches!(self.role, Role::Caller { .. }));
        let peer = self.dialog_peer(ctx);
        let Some(dialog) = self.dialog.as_mut() else {
            return Ok(());
        };
        let bye = dialog.request(Method::Bye);
        self.send(ctx, bye, peer, Owner::Server);
        Ok(())
    }

    /// A request inside the call's dialog (BYE, re-INVITE, UPDATE, INFO, REFER, NOTIFY, …)
    /// from `from`.
    pub(in crate::endpoint) fn handle_request(
        &mut self,
        ctx: &mut CallContext<'_>,
        from: Peer,
        request: Message,
    ) {
        let method = request.method().unwrap_or(Method::Other(String::new()));
        match method {
            Method::Bye => {
                self.end(false);
                let ok = response_to(&request, 200, "OK");
                self.reply(from, request, ok);
                self.emit(SignalingEvent::HungUp {
                    session: self.session.clone(),
                });
            }
            Method::Invite => self.on_reinvite_request(ctx, from, request),
            Method::Refer => self.on_refer(ctx, from, request),
            Method::Notify => self.on_notify(from, request),
            Method::Info if dtmf_info::is_dtmf_relay(&request) => self.on_dtmf_info(from, request),
            Method::Options | Method::Info => {
                let ok = response_to(&request, 200, "OK");
                self.reply(from, request, ok);
            }
            Method::Update if request.body.is_empty() => {
                let ok = response_to(&request, 200, "OK");
                self.reply(from, request, ok);
            }
            // An offer in an UPDATE (RFC 3311) is answered as one in a re-INVITE, without ACK.
            Method::Update => self.on_reinvite_request(ctx, from, request),
            _ => self.refuse(ctx, from, request, Rejection::not_implemented()),
        }
    }

    /// An ACK outside any transaction that matches the dialog: the ACK of our 2xx to a
    /// re-INVITE, or to the INVITE that made the call (it has its own branch).
    pub(in crate::endpoint) fn handle_ack(&mut self, ack: Message) {
        if self.ack_reinvite(&ack) {
            return;
        }
        match &self.role {
            Role::Callee { server, .. } => {
                let key = server.clone();
                self.outputs.push_back(CallOutput::Ack { key, ack });
            }
            Role::Caller { .. } => {
                debug!(target: "sip", session = %self.session, "ACK for no INVITE of ours; dropped");
            }
        }
    }

    /// Answers `request` from `from` with `response`, on a server transaction of its own.
    pub(super) fn reply(&mut self, from: Peer, request: Message, response: Message) {
        self.outputs.push_back(CallOutput::Reply {
            peer: from,
            request,
            response,
        });
    }

    /// Refuses `request` from `from` (a To tag is added if it has none).
    pub(super) fn refuse(
        &mut self,
        ctx: &mut CallContext<'_>,
        from: Peer,
        request: Message,
        rejection: Rejection,
    ) {
        let response = crate::endpoint::incoming::rejection_response(ctx.ids, &request, rejection);
        self.reply(from, request, response);
    }
}
