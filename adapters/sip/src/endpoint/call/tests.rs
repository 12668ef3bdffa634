//! A call on its own, without an endpoint: fed responses and requests, it says exactly
//! what it wants sent, in order.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use wink_ports::{AccountId, InviteRequest, Password, Sdp, SessionId, SignalingEvent, SipUri};

use super::{Call, CallContext, CallOutput};
use crate::dialog::Dialog;
use crate::digest::Credentials;
use crate::endpoint::{AccountBinding, Ids, Owner, Peer, TransportKind};
use crate::message::{HeaderName, Message, Method, parse};
use crate::transaction::{Event, response_to};

const ALICE: &str = "127.0.0.1:5071";
const BOB: &str = "127.0.0.1:5072";

fn peer(addr: &str) -> Peer {
    Peer {
        addr: addr.parse::<SocketAddr>().unwrap(),
        transport: TransportKind::Udp,
    }
}

/// What an endpoint would lend the call: Alice's account, her address, the identifiers.
struct Lender {
    account: AccountId,
    accounts: HashMap<AccountId, AccountBinding>,
    public: HashMap<AccountId, SocketAddr>,
    locals: HashMap<TransportKind, SocketAddr>,
    ids: Ids,
}

impl Lender {
    fn new() -> Self {
        let account = AccountId::new("alice@127.0.0.1").unwrap();
        let binding = AccountBinding {
            account: account.clone(),
            aor: "sip:alice@127.0.0.1".into(),
            display_name: None,
            credentials: Credentials {
                username: "alice".into(),
                password: Password::new("pw"),
            },
            next_hop: peer(BOB),
            alternates: vec![],
            route: None,
            contact_user: "alice-token".into(),
            expires: 600,
            public_contact: false,
        };
        Self {
            accounts: HashMap::from([(account.clone(), binding)]),
            account,
            public: HashMap::new(),
            locals: HashMap::from([(TransportKind::Udp, ALICE.parse().unwrap())]),
            ids: Ids::seeded(7),
        }
    }

    fn ctx(&mut self) -> CallContext<'_> {
        CallContext::new(
            &self.account,
            &self.accounts,
            &self.public,
            &self.locals,
            &mut self.ids,
            "Wink test",
        )
    }
}

fn drain(call: &mut Call) -> Vec<CallOutput> {
    std::iter::from_fn(|| call.poll_output()).collect()
}

/// Bob's answer to `request`: his tag and Contact on a copy of its headers.
fn bobs_response(request: &Message, code: u16) -> Message {
    let mut response = response_to(request, code, "Whatever");
    let to = request.headers.get(&HeaderName::To).unwrap();
    if !to.contains(";tag=") {
        response
            .headers
            .set(HeaderName::To, format!("{to};tag=bob"));
    }
    response
        .headers
        .push(HeaderName::Contact, format!("<sip:bob@{BOB}>"));
    response
}

/// Alice calls Bob, who answers: the call, and the INVITE as it went out.
fn answered_call(lender: &mut Lender, now: Instant) -> (Call, Message) {
    let request = InviteRequest {
        session: SessionId::new("out-1").unwrap(),
        account: lender.account.clone(),
        target: SipUri::parse(&format!("sip:bob@{BOB}")).unwrap(),
        offer: Some(Sdp::new("v=0 offer")),
        replaces: None,
    };
    let mut call = Call::place(&mut lender.ctx(), request).unwrap();
    let outputs = drain(&mut call);
    let [
        CallOutput::Request {
            message: invite,
            owner: Owner::Invite(_),
            ..
        },
    ] = &outputs[..]
    else {
        panic!("one INVITE: {outputs:?}")
    };
    let ok = bobs_response(invite, 200);
    call.handle_invite_event(now, &mut lender.ctx(), Event::Response(ok));
    let outputs = drain(&mut call);
    assert!(
        matches!(
            &outputs[..],
            [
                CallOutput::Transmit { .. },
                CallOutput::Event(SignalingEvent::Answered { .. })
            ]
        ),
        "the ACK, then Answered: {outputs:?}"
    );
    (call, invite.clone())
}

#[test]
fn a_2xx_to_our_reinvite_yields_exactly_one_ack() {
    let (mut lender, now) = (Lender::new(), Instant::now());
    let (mut call, _) = answered_call(&mut lender, now);
    call.reinvite(&mut lender.ctx(), &Sdp::new("v=0 hold"))
        .unwrap();
    let outputs = drain(&mut call);
    let [
        CallOutput::Request {
            message: reinvite,
            owner: Owner::ReInvite(_),
            ..
        },
    ] = &outputs[..]
    else {
        panic!("one re-INVITE: {outputs:?}")
    };
    let ok = bobs_response(reinvite, 200);
    call.handle_reinvite_event(now, &mut lender.ctx(), Event::Response(ok));
    let outputs = drain(&mut call);
    let [CallOutput::Transmit { peer: to, bytes }] = &outputs[..] else {
        panic!("exactly one output, the ACK: {outputs:?}")
    };
    let ack = parse(bytes).unwrap();
    assert_eq!(ack.method(), Some(Method::Ack));
    assert_eq!(ack.cseq().unwrap().seq, reinvite.cseq().unwrap().seq);
    assert_ne!(
        ack.top_via().unwrap().param("branch"),
        reinvite.top_via().unwrap().param("branch"),
        "the ACK of a 2xx is a transaction of its own"
    );
    assert_eq!(*to, peer(BOB), "to the remote target");
    assert_eq!(call.poll_timeout(), None, "nothing left to retry");
}

#[test]
fn a_491_to_our_reinvite_sends_it_again_after_the_callers_wait() {
    let (mut lender, now) = (Lender::new(), Instant::now());
    let (mut call, _) = answered_call(&mut lender, now);
    call.reinvite(&mut lender.ctx(), &Sdp::new("v=0 hold"))
        .unwrap();
    let Some(CallOutput::Request { message: first, .. }) = call.poll_output() else {
        panic!("a re-INVITE")
    };
    let pending = bobs_response(&first, 491);
    call.handle_reinvite_event(now, &mut lender.ctx(), Event::Response(pending));
    assert!(
        call.poll_output().is_none(),
        "a 491 is not acknowledged by us"
    );
    let at = call.poll_timeout().expect("a retry is armed");
    assert!(
        at - now >= Duration::from_millis(2_100) && at - now <= Duration::from_millis(4_000),
        "we placed the call: 2.1–4 s, not {:?}",
        at - now
    );
    call.handle_timeout(at - Duration::from_millis(1), &mut lender.ctx());
    assert!(call.poll_output().is_none(), "not before its time");
    call.handle_timeout(at, &mut lender.ctx());
    let outputs = drain(&mut call);
    let [
        CallOutput::Request {
            message: again,
            owner: Owner::ReInvite(_),
            ..
        },
    ] = &outputs[..]
    else {
        panic!("the re-INVITE again: {outputs:?}")
    };
    assert_eq!(again.body, b"v=0 hold");
    assert_eq!(again.cseq().unwrap().seq, first.cseq().unwrap().seq + 1);
}

#[test]
fn their_bye_ends_the_call_with_200_and_hung_up() {
    let (mut lender, now) = (Lender::new(), Instant::now());
    let (mut call, invite) = answered_call(&mut lender, now);
    let mut bobs_dialog = Dialog::from_request(&invite, "bob").unwrap();
    let mut bye = bobs_dialog.request(Method::Bye);
    bye.headers.push_front(
        HeaderName::Via,
        format!("SIP/2.0/UDP {BOB};branch=z9hG4bKbye"),
    );
    assert!(
        call.matches_request(&bye),
        "the endpoint finds it by dialog"
    );
    call.handle_request(&mut lender.ctx(), peer(BOB), bye);
    let outputs = drain(&mut call);
    let [
        CallOutput::Ended { keep_invite: false },
        CallOutput::Reply {
            peer: to,
            request,
            response,
        },
        CallOutput::Event(SignalingEvent::HungUp { session }),
    ] = &outputs[..]
    else {
        panic!("ended, 200 to the BYE, HungUp: {outputs:?}")
    };
    assert_eq!(*to, peer(BOB));
    assert_eq!(request.method(), Some(Method::Bye));
    assert_eq!(response.status(), Some(200));
    assert_eq!(response.cseq().unwrap().method, Method::Bye);
    assert_eq!(session.as_str(), "out-1");
}
