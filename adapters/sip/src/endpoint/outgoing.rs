//! Requests we start: REGISTER (through [`Registration`]) and MESSAGE, with digest retries.

use std::time::Instant;

use tracing::warn;
use wink_ports::{
    AccountId, MessageId, MessageOutcome, MessageRequest, SignalingError, SignalingEvent,
};

use super::{AccountBinding, Endpoint, EndpointOutput, Entry, Owner, Peer};
use crate::digest::{Challenge, DigestClient};
use crate::message::{CSeq, HeaderName, Message, Method, NameAddr};
use crate::registration::{Registration, RegistrationConfig};
use crate::transaction::{ClientInvite, ClientNonInvite, Transaction, TransactionKey};

impl Endpoint {
    /// Adds our Via (fresh branch, `rport`) and starts a client transaction.
    pub(super) fn start_client(
        &mut self,
        now: Instant,
        mut request: Message,
        peer: Peer,
        owner: Owner,
    ) -> Message {
        let via = self.via_for(peer.transport);
        request.headers.push_front(HeaderName::Via, via);
        self.start_transaction(now, &request, peer, owner);
        request
    }

    /// Starts a client transaction with `request` as it is (its Via on it already).
    pub(super) fn start_transaction(
        &mut self,
        now: Instant,
        request: &Message,
        peer: Peer,
        owner: Owner,
    ) {
        let Some(key) = TransactionKey::for_client_request(request) else {
            warn!(target: "sip", "a request we built has no usable Via/CSeq; not sent");
            return;
        };
        let reliability = peer.transport.reliability();
        let transaction = if request.method() == Some(Method::Invite) {
            Transaction::ClientInvite(ClientInvite::new(now, request, reliability, self.timers))
        } else {
            Transaction::ClientNonInvite(ClientNonInvite::new(
                now,
                request,
                reliability,
                self.timers,
            ))
        };
        self.transactions
            .insert(key.clone(), Entry::new(transaction, peer, owner));
        self.drain_transaction(now, &key);
    }

    /// Starts (or restarts) the registration of an account added with
    /// [`Endpoint::add_account`].
    ///
    /// # Errors
    /// [`SignalingError::UnknownAccount`].
    pub fn register(&mut self, now: Instant, account: &AccountId) -> Result<(), SignalingError> {
        let binding = self
            .accounts
            .get(account)
            .ok_or_else(|| SignalingError::UnknownAccount(account.clone()))?;
        let config = RegistrationConfig {
            account: account.clone(),
            aor: binding.aor.clone(),
            registrar: format!("sip:{}", binding.domain()),
            display_name: binding.display_name.clone(),
            credentials: binding.credentials.clone(),
            contact: self.contact_for(binding),
            expires: binding.expires,
            route: binding.route.clone(),
            user_agent: self.user_agent.clone(),
        };
        let mut registration = Registration::new(config, self.ids.call_id(), self.ids.tag());
        registration.start(now);
        self.registrations.insert(account.clone(), registration);
        self.drain_registration(now, account);
        Ok(())
    }

    /// Unregisters an account.
    ///
    /// # Errors
    /// [`SignalingError::UnknownAccount`] if it is not registered.
    pub fn unregister(&mut self, now: Instant, account: &AccountId) -> Result<(), SignalingError> {
        let registration = self
            .registrations
            .get_mut(account)
            .ok_or_else(|| SignalingError::UnknownAccount(account.clone()))?;
        registration.stop(now);
        self.drain_registration(now, account);
        Ok(())
    }

    /// Whether any registration still waits for the answer to its REGISTER (a clean exit
    /// waits for the registrar to drop us, not for the transaction to stop lingering).
    pub fn is_unregistering(&self) -> bool {
        self.transactions
            .values()
            .any(|e| matches!(e.owner, Owner::Registration(_)) && e.transaction.awaits_final())
    }

    /// Sends a MESSAGE (RFC 3428); the outcome comes as [`SignalingEvent::MessageOutcome`].
    ///
    /// # Errors
    /// [`SignalingError::UnknownAccount`].
    pub fn send_message(
        &mut self,
        now: Instant,
        request: MessageRequest,
    ) -> Result<(), SignalingError> {
        let binding = self
            .accounts
            .get(&request.account)
            .ok_or_else(|| SignalingError::UnknownAccount(request.account.clone()))?;
        let target = request.to.to_string();
        let mut message = Message::request(Method::Message, target.clone());
        if let Some(route) = &binding.route {
            message
                .headers
                .push(HeaderName::Route, format!("<{route}>"));
        }
        message.headers.push(HeaderName::MaxForwards, "70");
        let mut from = NameAddr::new(binding.display_name.as_deref(), binding.aor.clone());
        from.set_param("tag", Some(&self.ids.tag()));
        message.headers.push(HeaderName::From, from.to_string());
        message
            .headers
            .push(HeaderName::To, NameAddr::new(None, target).to_string());
        message.headers.push(HeaderName::CallId, self.ids.call_id());
        message.headers.push(
            HeaderName::CSeq,
            CSeq {
                seq: 1,
                method: Method::Message,
            }
            .to_string(),
        );
        message
            .headers
            .push(HeaderName::UserAgent, self.user_agent.clone());
        message
            .headers
            .push(HeaderName::ContentType, request.content_type.clone());
        message.body = request.body.into_bytes();
        let peer = binding.first_hop(&request.to.to_string());
        let owner = Owner::Message {
            id: request.id,
            account: request.account,
            request: message.clone(),
            authenticated: false,
        };
        self.start_client(now, message, peer, owner);
        Ok(())
    }

    pub(super) fn on_message_response(
        &mut self,
        now: Instant,
        id: &MessageId,
        account: &AccountId,
        request: &Message,
        authenticated: bool,
        response: &Message,
    ) {
        let Some(code) = response.status() else {
            return;
        };
        match code {
            100..=199 => {}
            200..=299 => self.message_outcome(id, Ok(())),
            401 | 407 if !authenticated => {
                match self.authenticated_retry(account, request, code, response) {
                    Some(retry) => {
                        let Some(peer) = self.accounts.get(account).map(|a| a.next_hop) else {
                            return;
                        };
                        let owner = Owner::Message {
                            id: id.clone(),
                            account: account.clone(),
                            request: retry.clone(),
                            authenticated: true,
                        };
                        self.start_client(now, retry, peer, owner);
                    }
                    None => self.message_outcome(id, Err((code, "authentication failed".into()))),
                }
            }
            _ => {
                let reason = match &response.start {
                    crate::message::StartLine::Response { reason, .. } => reason.clone(),
                    crate::message::StartLine::Request { .. } => String::new(),
                };
                self.message_outcome(id, Err((code, reason)));
            }
        }
    }

    /// The same request with a CSeq one higher and an answer to the challenge in `response`.
    pub(super) fn authenticated_retry(
        &mut self,
        account: &AccountId,
        request: &Message,
        code: u16,
        response: &Message,
    ) -> Option<Message> {
        let cnonce = self.ids.tag();
        let binding = self.accounts.get(account)?;
        digest_retry(binding, request, code, response, &cnonce)
    }

    pub(super) fn message_outcome(&mut self, id: &MessageId, result: Result<(), (u16, String)>) {
        let outcome = match result {
            Ok(()) => MessageOutcome::Delivered,
            Err((code, reason)) => MessageOutcome::Failed { code, reason },
        };
        self.outputs
            .push_back(EndpointOutput::Event(SignalingEvent::MessageOutcome {
                id: id.clone(),
                outcome,
            }));
    }
}

/// `request` again, with a CSeq one higher, no Via, and `binding`'s answer (with `cnonce`)
/// to the challenge of a 401 or 407 `response`; `None` when the challenge cannot be met.
pub(super) fn digest_retry(
    binding: &AccountBinding,
    request: &Message,
    code: u16,
    response: &Message,
    cnonce: &str,
) -> Option<Message> {
    let (challenge_header, answer_header) = if code == 401 {
        (HeaderName::WwwAuthenticate, HeaderName::Authorization)
    } else {
        (
            HeaderName::ProxyAuthenticate,
            HeaderName::ProxyAuthorization,
        )
    };
    let challenge = Challenge::pick(response.headers.all(&challenge_header)).ok()?;
    let mut digest = DigestClient::new(binding.credentials.clone());
    digest.accept(challenge);
    let (method, uri) = match &request.start {
        crate::message::StartLine::Request { method, uri } => (method.clone(), uri.clone()),
        crate::message::StartLine::Response { .. } => return None,
    };
    let mut retry = request.clone();
    retry.headers.remove(&HeaderName::Via);
    let cseq = request.cseq().ok()?;
    retry.headers.set(
        HeaderName::CSeq,
        CSeq {
            seq: cseq.seq + 1,
            method: method.clone(),
        }
        .to_string(),
    );
    let value = digest.authorization(method.as_str(), &uri, cnonce)?;
    retry.headers.set(answer_header, value);
    Some(retry)
}
