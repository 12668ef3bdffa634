//! Dialogs (RFC 3261 §12): the state two user agents share after an INVITE — Call-ID, tags,
//! CSeq counters, the remote target and the route set — and the in-dialog requests built
//! from it (ACK, BYE, re-INVITE).

use crate::message::{CSeq, HeaderName, Message, Method, NameAddr, TypedError};

/// One dialog, from our side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dialog {
    /// The Call-ID.
    pub call_id: String,
    /// Our tag.
    pub local_tag: String,
    /// Their tag.
    pub remote_tag: String,
    /// Our address (From of our requests), without tag.
    pub local_uri: NameAddr,
    /// Their address (To of our requests), without tag.
    pub remote_uri: NameAddr,
    /// Our last CSeq number.
    pub local_seq: u32,
    /// Their last CSeq number.
    pub remote_seq: Option<u32>,
    /// Where in-dialog requests go (their Contact).
    pub remote_target: String,
    /// Route headers for in-dialog requests, in order.
    pub route_set: Vec<String>,
}

fn without_tag(mut address: NameAddr) -> NameAddr {
    address
        .params
        .retain(|(name, _)| !name.eq_ignore_ascii_case("tag"));
    address
}

fn contact_uri(message: &Message) -> Result<String, TypedError> {
    let raw = message
        .headers
        .list(&HeaderName::Contact)
        .into_iter()
        .next()
        .ok_or(TypedError::Missing("Contact"))?;
    Ok(NameAddr::parse(raw)
        .map_err(|_| TypedError::Malformed("Contact"))?
        .uri)
}

impl Dialog {
    /// The dialog a 1xx/2xx with a To tag creates for our INVITE (UAC side): the route set
    /// is the response's Record-Route in reverse.
    ///
    /// # Errors
    /// [`TypedError`] when the response lacks a To tag or a Contact.
    pub fn from_response(invite: &Message, response: &Message) -> Result<Self, TypedError> {
        let to = response.to_header()?;
        let from = invite.from_header()?;
        let mut route_set: Vec<String> = response
            .headers
            .list(&HeaderName::RecordRoute)
            .into_iter()
            .map(str::to_owned)
            .collect();
        route_set.reverse();
        Ok(Self {
            call_id: invite
                .call_id()
                .ok_or(TypedError::Missing("Call-ID"))?
                .to_owned(),
            local_tag: from
                .tag()
                .ok_or(TypedError::Missing("From tag"))?
                .to_owned(),
            remote_tag: to.tag().ok_or(TypedError::Missing("To tag"))?.to_owned(),
            local_uri: without_tag(from),
            remote_uri: without_tag(to),
            local_seq: invite.cseq()?.seq,
            remote_seq: None,
            remote_target: contact_uri(response)?,
            route_set,
        })
    }

    /// The dialog we create by answering an INVITE with `local_tag` (UAS side): the route
    /// set is the INVITE's Record-Route in order.
    ///
    /// # Errors
    /// [`TypedError`] when the INVITE lacks a From tag or a Contact.
    pub fn from_request(invite: &Message, local_tag: &str) -> Result<Self, TypedError> {
        let from = invite.from_header()?;
        Ok(Self {
            call_id: invite
                .call_id()
                .ok_or(TypedError::Missing("Call-ID"))?
                .to_owned(),
            local_tag: local_tag.to_owned(),
            remote_tag: from
                .tag()
                .ok_or(TypedError::Missing("From tag"))?
                .to_owned(),
            local_uri: without_tag(invite.to_header()?),
            remote_uri: without_tag(from),
            local_seq: 0,
            remote_seq: Some(invite.cseq()?.seq),
            remote_target: contact_uri(invite)?,
            route_set: invite
                .headers
                .list(&HeaderName::RecordRoute)
                .into_iter()
                .map(str::to_owned)
                .collect(),
        })
    }

    /// Whether an incoming request belongs to this dialog (Call-ID, and the tags swapped).
    pub fn matches_request(&self, request: &Message) -> bool {
        request.call_id() == Some(self.call_id.as_str())
            && request.to_header().ok().as_ref().and_then(NameAddr::tag)
                == Some(self.local_tag.as_str())
            && request.from_header().ok().as_ref().and_then(NameAddr::tag)
                == Some(self.remote_tag.as_str())
    }

    /// Takes a refreshed target from a re-INVITE or its 2xx.
    pub fn update_target(&mut self, message: &Message) {
        if let Ok(target) = contact_uri(message) {
            self.remote_target = target;
        }
    }

    /// A new in-dialog request (BYE, re-INVITE, INFO, REFER …) with the next CSeq. The
    /// endpoint adds the Via.
    pub fn request(&mut self, method: Method) -> Message {
        self.local_seq += 1;
        self.build(method, self.local_seq)
    }

    /// The ACK for a 2xx to our INVITE with CSeq `seq` (RFC 3261 §13.2.2.4).
    pub fn ack(&self, seq: u32) -> Message {
        self.build(Method::Ack, seq)
    }

    fn build(&self, method: Method, seq: u32) -> Message {
        let mut request = Message::request(method.clone(), self.remote_target.clone());
        for route in &self.route_set {
            request.headers.push(HeaderName::Route, route.clone());
        }
        request.headers.push(HeaderName::MaxForwards, "70");
        let mut from = self.local_uri.clone();
        from.set_param("tag", Some(&self.local_tag));
        request.headers.push(HeaderName::From, from.to_string());
        let mut to = self.remote_uri.clone();
        to.set_param("tag", Some(&self.remote_tag));
        request.headers.push(HeaderName::To, to.to_string());
        request
            .headers
            .push(HeaderName::CallId, self.call_id.clone());
        request
            .headers
            .push(HeaderName::CSeq, CSeq { seq, method }.to_string());
        request
    }

    /// The first hop of in-dialog requests: the first Route URI, else the remote target.
    pub fn first_hop(&self) -> String {
        self.route_set
            .first()
            .and_then(|r| NameAddr::parse(r).ok())
            .map_or_else(|| self.remote_target.clone(), |r| r.uri)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::parse;

    const INVITE: &str = "INVITE sip:bob@wink.test SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKa\r\n\
        From: \"Alice\" <sip:alice@wink.test>;tag=at\r\nTo: <sip:bob@wink.test>\r\nCall-ID: d1\r\nCSeq: 5 INVITE\r\n\
        Contact: <sip:tok@127.0.0.1:5070>\r\nRecord-Route: <sip:127.0.0.1:5060;lr>\r\nContent-Length: 0\r\n\r\n";
    const OK: &str = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKa\r\n\
        From: \"Alice\" <sip:alice@wink.test>;tag=at\r\nTo: <sip:bob@wink.test>;tag=bt\r\nCall-ID: d1\r\nCSeq: 5 INVITE\r\n\
        Contact: <sip:bob@127.0.0.1:5072>\r\nRecord-Route: <sip:p2.test;lr>, <sip:127.0.0.1:5060;lr>\r\nContent-Length: 0\r\n\r\n";

    #[test]
    fn uac_dialog_reverses_the_record_route_and_targets_the_contact() {
        let invite = parse(INVITE.as_bytes()).unwrap();
        let mut dialog = Dialog::from_response(&invite, &parse(OK.as_bytes()).unwrap()).unwrap();
        assert_eq!(
            dialog.route_set,
            ["<sip:127.0.0.1:5060;lr>", "<sip:p2.test;lr>"]
        );
        assert_eq!(dialog.first_hop(), "sip:127.0.0.1:5060;lr");
        let ack = dialog.ack(5);
        assert_eq!(ack.headers.get(&HeaderName::CSeq), Some("5 ACK"));
        let bye = dialog.request(Method::Bye);
        assert_eq!(bye.headers.get(&HeaderName::CSeq), Some("6 BYE"));
        assert!(
            matches!(&bye.start, crate::message::StartLine::Request { uri, .. } if uri == "sip:bob@127.0.0.1:5072")
        );
        assert_eq!(bye.from_header().unwrap().tag(), Some("at"));
        assert_eq!(bye.to_header().unwrap().tag(), Some("bt"));
    }

    #[test]
    fn uas_dialog_matches_requests_from_the_other_side() {
        let invite = parse(INVITE.as_bytes()).unwrap();
        let mut dialog = Dialog::from_request(&invite, "bt").unwrap();
        assert_eq!(dialog.route_set, ["<sip:127.0.0.1:5060;lr>"]);
        let mut their_bye = parse(INVITE.as_bytes()).unwrap();
        their_bye
            .headers
            .set(HeaderName::To, "<sip:bob@wink.test>;tag=bt");
        assert!(dialog.matches_request(&their_bye));
        their_bye
            .headers
            .set(HeaderName::To, "<sip:bob@wink.test>;tag=other");
        assert!(!dialog.matches_request(&their_bye));
        let bye = dialog.request(Method::Bye);
        assert_eq!(bye.headers.get(&HeaderName::CSeq), Some("1 BYE"));
        assert_eq!(bye.from_header().unwrap().tag(), Some("bt"));
    }
}
