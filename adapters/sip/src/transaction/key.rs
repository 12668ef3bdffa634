//! Matching messages to transactions (RFC 3261 §17.1.3 and §17.2.3).

use crate::message::{Message, Method};

/// Identifies a transaction: the top Via's branch, sent-by, and the method (ACK and CANCEL
/// are folded as the RFC says: an ACK to a non-2xx matches its INVITE's server transaction).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TransactionKey {
    branch: String,
    sent_by: String,
    method: Method,
    /// Client-side keys do not include sent-by (it is ours).
    server: bool,
}

impl TransactionKey {
    /// The key of the client transaction a response belongs to: branch and CSeq method.
    pub fn for_response(response: &Message) -> Option<Self> {
        let via = response.top_via().ok()?;
        Some(Self {
            branch: via.branch()?.to_owned(),
            sent_by: String::new(),
            method: response.cseq().ok()?.method,
            server: false,
        })
    }

    /// The key of a client transaction for a request we send.
    pub fn for_client_request(request: &Message) -> Option<Self> {
        Self::for_response(request)
    }

    /// The key of the server transaction a request belongs to. An ACK maps to its INVITE.
    pub fn for_request(request: &Message) -> Option<Self> {
        let via = request.top_via().ok()?;
        let branch = match via.branch().filter(|b| b.starts_with("z9hG4bK")) {
            Some(branch) => branch.to_owned(),
            None => Self::rfc2543_branch(request)?,
        };
        let method = match request.method()? {
            Method::Ack => Method::Invite,
            other => other,
        };
        let sent_by = format!(
            "{}:{}",
            via.host.to_ascii_lowercase(),
            via.port.unwrap_or(0)
        );
        Some(Self {
            branch,
            sent_by,
            method,
            server: true,
        })
    }

    /// A request from an RFC 2543 element has no branch of RFC 3261's kind: its transaction
    /// is told by the Request-URI, From tag, Call-ID and CSeq number (RFC 3261 §17.2.3; the
    /// To tag is left out, so that the ACK for our error response and a CANCEL match the
    /// INVITE), and by sent-by, which the key holds anyway.
    fn rfc2543_branch(request: &Message) -> Option<String> {
        let crate::message::StartLine::Request { uri, .. } = &request.start else {
            return None;
        };
        let from_tag = request
            .from_header()
            .ok()?
            .tag()
            .unwrap_or_default()
            .to_owned();
        let cseq = request.cseq().ok()?.seq;
        let call_id = request.call_id()?;
        Some(format!("rfc2543 {uri} {from_tag} {call_id} {cseq}"))
    }

    /// The key of the INVITE server transaction a CANCEL targets (same branch and sent-by).
    pub fn for_cancelled_invite(cancel: &Message) -> Option<Self> {
        let mut key = Self::for_request(cancel)?;
        key.method = Method::Invite;
        Some(key)
    }

    /// The branch.
    pub fn branch(&self) -> &str {
        &self.branch
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }
}
