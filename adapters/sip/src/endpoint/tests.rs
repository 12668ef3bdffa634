//! The endpoint in virtual time: error responses for bad requests, MESSAGE between two
//! endpoints across a lossy link, and an agent that keeps answering after garbage.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use wink_ports::{
    AccountId, MessageId, MessageOutcome, MessageRequest, Password, SignalingError, SignalingEvent,
    SipUri,
};

use super::*;
use crate::message::{HeaderName, Method, parse};

const ALICE: &str = "127.0.0.1:5071";
const BOB: &str = "127.0.0.1:5072";

fn peer(addr: &str) -> Peer {
    Peer {
        addr: addr.parse::<SocketAddr>().unwrap(),
        transport: TransportKind::Udp,
    }
}

fn endpoint(local: &str, user: &str, next_hop: &str) -> Endpoint {
    let mut e = Endpoint::new(
        local.parse().unwrap(),
        TransportKind::Udp,
        "Wink test",
        Ids::seeded(crate::ids::stable_hash(local)),
    );
    e.add_account(AccountBinding {
        account: AccountId::new(format!("{user}@127.0.0.1")).unwrap(),
        aor: format!("sip:{user}@127.0.0.1"),
        display_name: None,
        credentials: Credentials {
            username: user.into(),
            password: Password::new("pw"),
        },
        next_hop: peer(next_hop),
        alternates: vec![],
        route: None,
        contact_user: format!("{user}-token"),
        expires: 600,
        public_contact: false,
    });
    e
}

fn drain(e: &mut Endpoint) -> (Vec<(Peer, Vec<u8>)>, Vec<SignalingEvent>) {
    let (mut sent, mut events) = (Vec::new(), Vec::new());
    while let Some(output) = e.poll_output() {
        match output {
            EndpointOutput::Transmit { peer, bytes } => sent.push((peer, bytes)),
            EndpointOutput::Event(event) => events.push(event),
        }
    }
    (sent, events)
}

fn request(method: &str, extra: &str, cseq_method: &str) -> Vec<u8> {
    format!(
        "{method} sip:bob-token@{BOB} SIP/2.0\r\nVia: SIP/2.0/UDP 10.9.9.9:5099;branch=z9hG4bK{method}1;rport\r\n\
         From: <sip:carol@127.0.0.1>;tag=c1\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: call-{method}\r\n\
         CSeq: 1 {cseq_method}\r\nMax-Forwards: 70\r\n{extra}Content-Length: 0\r\n\r\n"
    )
    .into_bytes()
}

/// Sends `bytes` to Bob's endpoint from Carol at 127.0.0.1:5073 and returns Bob's one reply.
fn answer(bytes: &[u8]) -> Message {
    let mut bob = endpoint(BOB, "bob", ALICE);
    bob.handle_received(Instant::now(), peer("127.0.0.1:5073"), bytes);
    let (sent, _) = drain(&mut bob);
    assert_eq!(sent.len(), 1, "exactly one response");
    assert_eq!(
        sent[0].0,
        peer("127.0.0.1:5073"),
        "responses go back where the request came from"
    );
    parse(&sent[0].1).unwrap()
}

fn status_line(m: &Message) -> (u16, String) {
    match &m.start {
        crate::message::StartLine::Response { code, reason } => (*code, reason.clone()),
        crate::message::StartLine::Request { .. } => panic!("not a response"),
    }
}

#[test]
fn malformed_requests_get_400_with_the_reason() {
    let reply = answer(&request("OPTIONS", "Call-ID: second\r\n", "OPTIONS"));
    assert_eq!(
        status_line(&reply),
        (400, "Duplicate Call-ID header".into())
    );
    let via = reply.top_via().unwrap();
    assert_eq!(via.param("received"), Some(Some("127.0.0.1")));
    assert_eq!(via.param("rport"), Some(Some("5073")));
    assert!(reply.to_header().unwrap().tag().is_some());
    assert_eq!(
        status_line(&answer(&request("MESSAGE", "", "INVITE"))),
        (400, "CSeq method does not match the request method".into())
    );
    let bad_length = b"OPTIONS sip:bob-token@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKq\r\nFrom: <sip:c@x.org>;tag=1\r\nTo: <sip:b@x.org>\r\nCall-ID: q\r\nCSeq: 1 OPTIONS\r\nContent-Length: 50\r\n\r\nshort";
    assert_eq!(
        status_line(&answer(bad_length)),
        (
            400,
            "Body shorter than Content-Length (50 declared, 5 received)".into()
        )
    );
}

#[test]
fn unknown_method_version_scheme_body_and_extension_get_their_codes() {
    let reply = answer(&request("FOO", "", "FOO"));
    assert_eq!(status_line(&reply).0, 501);
    assert_eq!(reply.headers.get(&HeaderName::Allow), Some(crate::ALLOW));
    let reply = answer(&request("OPTIONS", "Require: 100rel, foo\r\n", "OPTIONS"));
    assert_eq!(status_line(&reply).0, 420);
    assert_eq!(
        reply.headers.get(&HeaderName::Unsupported),
        Some("100rel, foo")
    );
    let reply = answer(&request(
        "MESSAGE",
        "Content-Type: application/json\r\n",
        "MESSAGE",
    ));
    assert_eq!(status_line(&reply).0, 415);
    assert_eq!(reply.headers.get(&HeaderName::Accept), Some("text/plain"));
    let v3 = String::from_utf8(request("OPTIONS", "", "OPTIONS"))
        .unwrap()
        .replacen("SIP/2.0", "SIP/3.0", 1);
    assert_eq!(
        status_line(&answer(v3.as_bytes())),
        (505, "Version Not Supported".into())
    );
    let tel = String::from_utf8(request("OPTIONS", "", "OPTIONS"))
        .unwrap()
        .replacen(&format!("sip:bob-token@{BOB}"), "tel:+1555", 1);
    assert_eq!(status_line(&answer(tel.as_bytes())).0, 416);
}

#[test]
fn garbage_is_survived_and_the_agent_keeps_answering() {
    let mut bob = endpoint(BOB, "bob", ALICE);
    let now = Instant::now();
    for garbage in [
        &b"\x00\xff\xfe"[..],
        b"SIP/2.0 200\r\n\r\n",
        b"INVITE\r\n\r\n",
        b"\r\n\r\n",
        &[b'x'; 70_000],
    ] {
        bob.handle_received(now, peer("127.0.0.1:5073"), garbage);
    }
    drain(&mut bob);
    bob.handle_received(
        now,
        peer("127.0.0.1:5073"),
        &request("OPTIONS", "", "OPTIONS"),
    );
    let (sent, _) = drain(&mut bob);
    assert_eq!(parse(&sent[0].1).unwrap().status(), Some(200));
}

#[test]
fn a_received_message_is_delivered_once_and_its_retransmission_reanswered() {
    let mut bob = endpoint(BOB, "bob", ALICE);
    let now = Instant::now();
    let mut message = String::from_utf8(request(
        "MESSAGE",
        "Content-Type: text/plain;charset=utf-8\r\n",
        "MESSAGE",
    ))
    .unwrap();
    message = message.replace("Content-Length: 0\r\n\r\n", "Content-Length: 5\r\n\r\nhé !");
    bob.handle_received(now, peer("127.0.0.1:5073"), message.as_bytes());
    bob.handle_received(now, peer("127.0.0.1:5073"), message.as_bytes());
    let (sent, events) = drain(&mut bob);
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].1, sent[1].1, "the same 200 again");
    assert_eq!(events.len(), 1, "delivered once");
    let SignalingEvent::MessageReceived { body, account, .. } = &events[0] else {
        panic!()
    };
    assert_eq!(body, "hé !");
    assert_eq!(account.as_str(), "bob@127.0.0.1");
}

/// Two endpoints wired back to back, with a link that drops chosen datagrams.
struct Pair {
    alice: Endpoint,
    bob: Endpoint,
    addresses: (&'static str, &'static str),
    /// First lines of everything delivered, in order.
    delivered: Vec<String>,
    /// Everything delivered, byte for byte.
    wire: Vec<Vec<u8>>,
    now: Instant,
    drop_next: usize,
    alice_events: Vec<SignalingEvent>,
    bob_events: Vec<SignalingEvent>,
}

impl Pair {
    fn step(&mut self) -> bool {
        let mut moved = false;
        for from_alice in [true, false] {
            let (sent, events) = drain(if from_alice {
                &mut self.alice
            } else {
                &mut self.bob
            });
            if from_alice {
                self.alice_events.extend(events)
            } else {
                self.bob_events.extend(events)
            }
            for (_, bytes) in sent {
                moved = true;
                if self.drop_next > 0 {
                    self.drop_next -= 1;
                    continue;
                }
                let (to, from) = if from_alice {
                    (&mut self.bob, self.addresses.0)
                } else {
                    (&mut self.alice, self.addresses.1)
                };
                let first_line = String::from_utf8_lossy(&bytes)
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                self.delivered.push(first_line);
                to.handle_received(self.now, peer(from), &bytes);
                self.wire.push(bytes);
            }
        }
        moved
    }

    fn run(&mut self, limit: Duration) {
        let end = self.now + limit;
        loop {
            while self.step() {}
            let next = [self.alice.poll_timeout(), self.bob.poll_timeout()]
                .into_iter()
                .flatten()
                .min();
            match next {
                Some(at) if at <= end => {
                    self.now = at;
                    self.alice.handle_timeout(at);
                    self.bob.handle_timeout(at);
                }
                _ => break,
            }
        }
    }
}

#[test]
fn a_message_survives_a_lost_datagram_by_retransmission() {
    let mut pair = Pair {
        alice: endpoint(ALICE, "alice", BOB),
        bob: endpoint(BOB, "bob", ALICE),
        addresses: (ALICE, BOB),
        delivered: vec![],
        wire: vec![],
        now: Instant::now(),
        drop_next: 1,
        alice_events: vec![],
        bob_events: vec![],
    };
    let id = MessageId::new("m1").unwrap();
    pair.alice
        .send_message(
            pair.now,
            MessageRequest {
                id: id.clone(),
                account: AccountId::new("alice@127.0.0.1").unwrap(),
                to: SipUri::parse(&format!("sip:bob@{BOB}")).unwrap(),
                content_type: "text/plain;charset=utf-8".into(),
                body: "hello bob".into(),
            },
        )
        .unwrap();
    pair.run(Duration::from_secs(60));
    assert!(
        pair.bob_events.iter().any(
            |e| matches!(e, SignalingEvent::MessageReceived { body, .. } if body == "hello bob")
        ),
        "{:?}",
        pair.bob_events
    );
    assert_eq!(
        pair.alice_events,
        [SignalingEvent::MessageOutcome {
            id,
            outcome: MessageOutcome::Delivered
        }]
    );
}

fn pair() -> Pair {
    Pair {
        alice: endpoint(ALICE, "alice", BOB),
        bob: endpoint(BOB, "bob", ALICE),
        addresses: (ALICE, BOB),
        delivered: vec![],
        wire: vec![],
        now: Instant::now(),
        drop_next: 0,
        alice_events: vec![],
        bob_events: vec![],
    }
}

fn session(s: &str) -> SessionId {
    SessionId::new(s).unwrap()
}

fn call_bob(pair: &mut Pair, offer: Option<&str>) -> SessionId {
    let id = session("out-1");
    pair.alice
        .invite(
            pair.now,
            InviteRequest {
                session: id.clone(),
                account: AccountId::new("alice@127.0.0.1").unwrap(),
                target: SipUri::parse(&format!("sip:bob-token@{BOB}")).unwrap(),
                offer: offer.map(Sdp::new),
                replaces: None,
            },
        )
        .unwrap();
    pair.run(Duration::from_millis(10));
    id
}

fn incoming_session(pair: &Pair) -> (SessionId, Option<Sdp>) {
    pair.bob_events
        .iter()
        .find_map(|e| match e {
            SignalingEvent::IncomingCall {
                session,
                offer,
                from,
                ..
            } => {
                assert_eq!(from.address(), "alice@127.0.0.1");
                Some((session.clone(), offer.clone()))
            }
            _ => None,
        })
        .expect("bob sees the call")
}

use wink_ports::{InviteRequest, Sdp, SessionId, StatusCode};

#[test]
fn a_call_rings_connects_holds_and_hangs_up() {
    let mut pair = pair();
    pair.drop_next = 1; // the first INVITE is lost: timer A resends it
    let out = call_bob(&mut pair, Some("v=0 offer"));
    pair.run(Duration::from_secs(1));
    let (incoming, offer) = incoming_session(&pair);
    assert_eq!(offer.unwrap().as_str(), "v=0 offer");
    pair.bob.ring(pair.now, &incoming).unwrap();
    pair.run(Duration::from_millis(10));
    assert!(
        pair.alice_events
            .iter()
            .any(|e| matches!(e, SignalingEvent::Progress { code: 180, .. }))
    );
    pair.bob
        .answer(pair.now, &incoming, Some(Sdp::new("v=0 answer")))
        .unwrap();
    pair.run(Duration::from_millis(10));
    assert!(pair.alice_events.iter().any(
        |e| matches!(e, SignalingEvent::Answered { sdp: Some(s), .. } if s.as_str() == "v=0 answer")
    ));
    assert!(
        pair.bob_events
            .iter()
            .any(|e| matches!(e, SignalingEvent::Confirmed { .. })),
        "the ACK reached bob"
    );

    pair.alice
        .reinvite(pair.now, &out, &Sdp::new("v=0 hold"))
        .unwrap();
    pair.run(Duration::from_millis(10));
    assert!(pair.bob_events.iter().any(
        |e| matches!(e, SignalingEvent::ReInvite { offer: Some(s), .. } if s.as_str() == "v=0 hold")
    ));
    pair.bob
        .answer(pair.now, &incoming, Some(Sdp::new("v=0 held")))
        .unwrap();
    pair.run(Duration::from_secs(40));

    pair.alice.hang_up(pair.now, &out).unwrap();
    pair.run(Duration::from_secs(40));
    assert!(pair.bob_events.iter().any(|e| *e
        == SignalingEvent::HungUp {
            session: incoming.clone()
        }));
    assert!(pair.bob.calls.is_empty() && pair.alice.calls.is_empty());
    assert!(
        !pair
            .alice_events
            .iter()
            .any(|e| matches!(e, SignalingEvent::Failed { .. })),
        "{:?}",
        pair.alice_events
    );
}

#[test]
fn an_invite_without_sdp_is_answered_with_our_offer() {
    let mut pair = pair();
    call_bob(&mut pair, None);
    let (incoming, offer) = incoming_session(&pair);
    assert_eq!(offer, None);
    pair.bob
        .answer(pair.now, &incoming, Some(Sdp::new("v=0 bob offers")))
        .unwrap();
    pair.run(Duration::from_millis(10));
    assert!(pair.alice_events.iter().any(|e| matches!(e, SignalingEvent::Answered { sdp: Some(s), .. } if s.as_str() == "v=0 bob offers")));
}

#[test]
fn decline_is_603_and_busy_is_486_and_both_are_acked() {
    for (status, code) in [(StatusCode::DECLINE, 603), (StatusCode::BUSY_HERE, 486)] {
        let mut pair = pair();
        let out = call_bob(&mut pair, Some("v=0"));
        let (incoming, _) = incoming_session(&pair);
        pair.bob.reject(pair.now, &incoming, status).unwrap();
        pair.run(Duration::from_secs(60));
        assert!(
            pair.alice_events.iter().any(|e| *e
                == SignalingEvent::Failed {
                    session: out.clone(),
                    code,
                    reason: if code == 603 {
                        "Decline".into()
                    } else {
                        "Busy Here".into()
                    }
                }),
            "{:?}",
            pair.alice_events
        );
        assert!(
            pair.bob.transactions.is_empty(),
            "the ACK ended bob's transaction; nothing retransmits forever"
        );
    }
}

/// Alice calls bob, whose phone rings; returns (alice's session, bob's session).
fn ringing(pair: &mut Pair) -> (SessionId, SessionId) {
    let out = call_bob(pair, Some("v=0 offer"));
    let (incoming, _) = incoming_session(pair);
    pair.bob.ring(pair.now, &incoming).unwrap();
    pair.run(Duration::from_millis(10));
    (out, incoming)
}

#[test]
fn cancel_stops_the_ringing_call_with_487() {
    let mut pair = pair();
    let (out, incoming) = ringing(&mut pair);
    pair.alice.cancel(pair.now, &out).unwrap();
    pair.run(Duration::from_secs(60));
    assert!(pair.bob_events.iter().any(|e| *e
        == SignalingEvent::Cancelled {
            session: incoming.clone(),
            reason: None
        }));
    assert!(
        pair.alice_events
            .iter()
            .any(|e| matches!(e, SignalingEvent::Failed { code: 487, .. }))
    );
}

/// Every tag, branch and Call-ID comes from the generator each endpoint was given: the same
/// seeds replay a call (INVITE, 180, 200, ACK, BYE, 200) byte for byte, and other seeds
/// give other identifiers.
#[test]
fn the_same_seeds_replay_a_call_byte_for_byte() {
    let run = |seed: u64| {
        let mut pair = pair();
        pair.alice.ids = Ids::seeded(seed);
        pair.bob.ids = Ids::seeded(seed + 1);
        let (out, incoming) = ringing(&mut pair);
        pair.bob
            .answer(pair.now, &incoming, Some(Sdp::new("v=0 answer")))
            .unwrap();
        pair.run(Duration::from_millis(10));
        pair.alice.hang_up(pair.now, &out).unwrap();
        pair.run(Duration::from_secs(40));
        pair.wire
    };
    let first = run(1);
    assert!(first.len() >= 6, "a whole call: {}", first.len());
    assert_eq!(first, run(1));
    assert_ne!(first, run(3));
}

/// The callee answers while our CANCEL is on its way: its 200 OK crosses the CANCEL. The
/// user has left the call, so the 200 is acknowledged and the call ended with BYE; nobody
/// is told it was answered, and a retransmitted 200 (our ACK lost) is acknowledged again
/// without a second BYE.
#[test]
fn invite_cancel_race() {
    let mut pair = pair();
    let (out, incoming) = ringing(&mut pair);
    // Both at the same instant: neither has seen the other's message yet.
    pair.alice.cancel(pair.now, &out).unwrap();
    pair.bob
        .answer(pair.now, &incoming, Some(Sdp::new("v=0 answer")))
        .unwrap();
    let (from_bob, events) = drain(&mut pair.bob);
    pair.bob_events.extend(events);
    let ok = from_bob
        .iter()
        .find(|(_, bytes)| parse(bytes).ok().and_then(|m| m.status()) == Some(200))
        .expect("bob answers 200")
        .1
        .clone();
    for (_, bytes) in &from_bob {
        pair.alice.handle_received(pair.now, peer(BOB), bytes);
    }
    // The CANCEL reaches bob after his 200; the ACK and the BYE follow.
    pair.run(Duration::from_secs(5));
    assert!(
        !pair
            .alice_events
            .iter()
            .any(|e| matches!(e, SignalingEvent::Answered { .. })),
        "a call the user left is not reported answered: {:?}",
        pair.alice_events
    );
    assert!(
        pair.bob_events.iter().any(|e| *e
            == SignalingEvent::HungUp {
                session: incoming.clone()
            }),
        "the far end is not left in the call: {:?} {:?}",
        pair.bob_events,
        pair.delivered
    );
    assert!(pair.alice.calls.is_empty() && pair.bob.calls.is_empty());
    let count = |pair: &Pair, method: &str| {
        pair.delivered
            .iter()
            .filter(|line| line.starts_with(method))
            .count()
    };
    assert_eq!((count(&pair, "ACK "), count(&pair, "BYE ")), (1, 1));

    // The same 200 OK again (as if our ACK was lost): one more ACK, no second BYE.
    pair.alice.handle_received(pair.now, peer(BOB), &ok);
    pair.run(Duration::from_secs(60));
    assert_eq!((count(&pair, "ACK "), count(&pair, "BYE ")), (2, 1));
    assert!(pair.alice.transactions.is_empty() && pair.alice.ended_invites.len() == 1);
}

#[test]
fn a_cancel_with_a_reason_header_is_reported_as_answered_elsewhere() {
    let mut bob = endpoint(BOB, "bob", ALICE);
    let now = Instant::now();
    let invite = format!(
        "INVITE sip:bob-token@{BOB} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKfork1\r\n\
         From: <sip:carol@127.0.0.1>;tag=c9\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: fork\r\nCSeq: 1 INVITE\r\n\
         Contact: <sip:carol@127.0.0.1:5080>\r\nContent-Length: 0\r\n\r\n"
    );
    bob.handle_received(now, peer("127.0.0.1:5060"), invite.as_bytes());
    let cancel = invite
        .replacen("INVITE sip", "CANCEL sip", 1)
        .replace("CSeq: 1 INVITE", "CSeq: 1 CANCEL")
        .replace(
            "Contact: <sip:carol@127.0.0.1:5080>\r\n",
            "Reason: SIP ;cause=200 ;text=\"Call completed elsewhere\"\r\n",
        );
    bob.handle_received(now, peer("127.0.0.1:5060"), cancel.as_bytes());
    let (sent, events) = drain(&mut bob);
    let statuses: Vec<u16> = sent
        .iter()
        .filter_map(|(_, b)| parse(b).ok()?.status())
        .collect();
    assert_eq!(statuses, [100, 200, 487]);
    let reason = events.iter().find_map(|e| match e {
        SignalingEvent::Cancelled { reason, .. } => reason.clone(),
        _ => None,
    });
    assert_eq!(
        reason.unwrap().text.as_deref(),
        Some("Call completed elsewhere")
    );
}

#[test]
fn requests_for_unknown_dialogs_get_481() {
    let bye = request("BYE", "", "BYE").to_vec();
    let with_tag = String::from_utf8(bye)
        .unwrap()
        .replace("To: <sip:bob@127.0.0.1>", "To: <sip:bob@127.0.0.1>;tag=zz");
    assert_eq!(status_line(&answer(with_tag.as_bytes())).0, 481);
    let cancel = String::from_utf8(request("CANCEL", "", "CANCEL")).unwrap();
    assert_eq!(status_line(&answer(cancel.as_bytes())).0, 481);
}

#[test]
fn registration_fails_over_to_the_next_dns_server_after_a_timeout_and_after_503() {
    let mut alice = endpoint(ALICE, "alice", "127.0.0.1:5091");
    let account = AccountId::new("alice@127.0.0.1").unwrap();
    if let Some(binding) = alice.accounts.get_mut(&account) {
        binding.alternates = vec![peer("127.0.0.1:5092"), peer("127.0.0.1:5093")];
    }
    let start = Instant::now();
    alice.register(start, &account).unwrap();
    let (sent, _) = drain(&mut alice);
    assert_eq!(sent[0].0, peer("127.0.0.1:5091"));
    // Nobody answers: timer F fires at 64*T1 and the next server gets the REGISTER.
    let mut now = start;
    let mut destinations = Vec::new();
    while let Some(at) = alice.poll_timeout() {
        if at > start + Duration::from_secs(33) {
            break;
        }
        now = at;
        alice.handle_timeout(now);
        destinations.extend(drain(&mut alice).0.into_iter().map(|(p, _)| p));
    }
    assert_eq!(
        destinations.last(),
        Some(&peer("127.0.0.1:5092")),
        "{destinations:?}"
    );
    // The second server answers 503: on to the third at once.
    let key = alice
        .transactions
        .iter()
        .find(|(_, e)| e.peer == peer("127.0.0.1:5092"))
        .map(|(k, _)| k.clone())
        .unwrap();
    let mut busy = Message::response(503, "Service Unavailable");
    busy.headers.push(
        HeaderName::Via,
        format!("SIP/2.0/UDP {ALICE};branch={}", key.branch()),
    );
    busy.headers
        .push(HeaderName::From, "<sip:alice@127.0.0.1>;tag=x");
    busy.headers
        .push(HeaderName::To, "<sip:alice@127.0.0.1>;tag=y");
    busy.headers.push(HeaderName::CallId, "irrelevant");
    busy.headers.push(HeaderName::CSeq, "1 REGISTER");
    alice.handle_received(now, peer("127.0.0.1:5092"), &busy.to_bytes());
    let (sent, _) = drain(&mut alice);
    assert_eq!(sent.last().map(|(p, _)| *p), Some(peer("127.0.0.1:5093")));
}

#[test]
fn a_blind_transfer_is_accepted_reported_and_notified() {
    let mut pair = pair();
    let out = call_bob(&mut pair, Some("v=0"));
    let (incoming, _) = incoming_session(&pair);
    pair.bob
        .answer(pair.now, &incoming, Some(Sdp::new("v=0")))
        .unwrap();
    pair.run(Duration::from_millis(10));
    let carol = SipUri::parse("sip:carol@127.0.0.1:5080").unwrap();
    pair.alice
        .transfer(
            pair.now,
            &out,
            &wink_ports::TransferTarget::Blind(carol.clone()),
        )
        .unwrap();
    pair.run(Duration::from_millis(10));
    assert!(
        pair.bob_events
            .contains(&SignalingEvent::TransferRequested {
                session: incoming.clone(),
                replaces: None,
                target: carol
            })
    );
    // Bob's automatic "100 Trying" NOTIFY, then the final one after his call to carol.
    pair.bob
        .notify_transfer(pair.now, &incoming, 200, "OK")
        .unwrap();
    pair.run(Duration::from_millis(10));
    let progress: Vec<u16> = pair
        .alice_events
        .iter()
        .filter_map(|e| match e {
            SignalingEvent::TransferProgress { code, .. } => Some(*code),
            _ => None,
        })
        .collect();
    assert_eq!(progress, [100, 200]);
}

#[test]
fn calls_and_messages_work_over_ipv6() {
    const ALICE6: &str = "[::1]:5171";
    const BOB6: &str = "[::1]:5172";
    let mut pair = Pair {
        alice: endpoint(ALICE6, "alice", BOB6),
        bob: endpoint(BOB6, "bob", ALICE6),
        addresses: (ALICE6, BOB6),
        delivered: vec![],
        wire: vec![],
        now: Instant::now(),
        drop_next: 0,
        alice_events: vec![],
        bob_events: vec![],
    };
    let id = MessageId::new("m6").unwrap();
    pair.alice
        .send_message(
            pair.now,
            MessageRequest {
                id: id.clone(),
                account: AccountId::new("alice@127.0.0.1").unwrap(),
                to: SipUri::parse(&format!("sip:bob@{BOB6}")).unwrap(),
                content_type: "text/plain".into(),
                body: "over v6".into(),
            },
        )
        .unwrap();
    pair.run(Duration::from_secs(5));
    assert!(
        pair.bob_events.iter().any(
            |e| matches!(e, SignalingEvent::MessageReceived { body, .. } if body == "over v6")
        )
    );
    assert_eq!(
        pair.alice_events,
        [SignalingEvent::MessageOutcome {
            id,
            outcome: MessageOutcome::Delivered
        }]
    );
    let via = pair.alice.via_for(TransportKind::Udp);
    assert!(
        via.starts_with("SIP/2.0/UDP [::1]:5171;branch=z9hG4bK"),
        "{via}"
    );
}

#[test]
fn the_caller_refreshes_the_session_halfway_through_the_interval() {
    let mut pair = pair();
    let out = call_bob(&mut pair, Some("v=0"));
    let (incoming, _) = incoming_session(&pair);
    pair.bob
        .answer(pair.now, &incoming, Some(Sdp::new("v=0")))
        .unwrap();
    pair.run(Duration::from_millis(10));
    let start = pair.now;
    assert_eq!(
        pair.alice.calls[&out].session_expires(),
        Some(1800),
        "bob's 200 agreed to 1800 s, alice refreshes"
    );
    assert_eq!(
        pair.bob.calls[&incoming].refresh_at(),
        None,
        "the callee does not refresh"
    );
    pair.run(Duration::from_secs(901));
    let refreshed = pair.alice.calls[&out]
        .refresh_at()
        .expect("the next refresh is armed");
    assert_eq!(
        refreshed - start,
        Duration::from_secs(1800),
        "refreshed at 900 s, next at 1800 s"
    );
    assert_eq!(
        pair.delivered
            .iter()
            .filter(|l| l.starts_with("UPDATE sip:"))
            .count(),
        1,
        "{:?}",
        pair.delivered
    );
    assert!(
        pair.bob.calls.contains_key(&incoming),
        "bob answered the UPDATE; the call goes on"
    );
    assert!(pair.alice_events.iter().all(|e| !matches!(
        e,
        SignalingEvent::Failed { .. } | SignalingEvent::HungUp { .. }
    )));
}

/// Endpoints on one virtual network: each datagram goes to the endpoint at its address.
struct Net {
    nodes: Vec<(&'static str, Endpoint, Vec<SignalingEvent>)>,
    now: Instant,
}

impl Net {
    fn run(&mut self) {
        for _ in 0..50 {
            let mut moved = false;
            for i in 0..self.nodes.len() {
                let from = self.nodes[i].0;
                let (sent, events) = drain(&mut self.nodes[i].1);
                self.nodes[i].2.extend(events);
                for (to, bytes) in sent {
                    moved = true;
                    if let Some(node) = self
                        .nodes
                        .iter_mut()
                        .find(|(addr, _, _)| peer(addr).addr == to.addr)
                    {
                        node.1.handle_received(self.now, peer(from), &bytes);
                    }
                }
            }
            if !moved {
                return;
            }
        }
    }

    fn events(&self, i: usize) -> &[SignalingEvent] {
        &self.nodes[i].2
    }

    fn incoming(&self, i: usize, skip: usize) -> (SessionId, Option<SessionId>) {
        self.events(i)
            .iter()
            .filter_map(|e| match e {
                SignalingEvent::IncomingCall {
                    session, replaces, ..
                } => Some((session.clone(), replaces.clone())),
                _ => None,
            })
            .nth(skip)
            .expect("an incoming call")
    }
}

#[test]
fn an_attended_transfer_replaces_the_consultation_call_at_the_target() {
    const CAROL: &str = "127.0.0.1:5073";
    let (alice_id, bob_id) = (
        AccountId::new("alice@127.0.0.1").unwrap(),
        AccountId::new("bob@127.0.0.1").unwrap(),
    );
    let mut net = Net {
        nodes: vec![
            (ALICE, endpoint(ALICE, "alice", BOB), vec![]),
            (BOB, endpoint(BOB, "bob", ALICE), vec![]),
            (CAROL, endpoint(CAROL, "carol", ALICE), vec![]),
        ],
        now: Instant::now(),
    };
    let invite = |net: &mut Net,
                  from: usize,
                  account: &AccountId,
                  session: &str,
                  target: String,
                  replaces: Option<String>| {
        let request = InviteRequest {
            session: SessionId::new(session).unwrap(),
            account: account.clone(),
            target: SipUri::parse(&target).unwrap(),
            offer: Some(Sdp::new("v=0")),
            replaces,
        };
        let now = net.now;
        net.nodes[from].1.invite(now, request).unwrap();
        net.run();
    };
    let answer = |net: &mut Net, node: usize, session: &SessionId| {
        let now = net.now;
        net.nodes[node]
            .1
            .answer(now, session, Some(Sdp::new("v=0")))
            .unwrap();
        net.run();
    };
    // Alice talks to bob (call A), then consults carol (call B).
    invite(
        &mut net,
        0,
        &alice_id,
        "A",
        format!("sip:bob-token@{BOB}"),
        None,
    );
    let (bob_a, _) = net.incoming(1, 0);
    answer(&mut net, 1, &bob_a);
    invite(
        &mut net,
        0,
        &alice_id,
        "B",
        format!("sip:carol-token@{CAROL}"),
        None,
    );
    let (carol_b, _) = net.incoming(2, 0);
    answer(&mut net, 2, &carol_b);

    // Alice hands bob over to carol.
    let now = net.now;
    net.nodes[0]
        .1
        .transfer(
            now,
            &SessionId::new("A").unwrap(),
            &wink_ports::TransferTarget::Attended(SessionId::new("B").unwrap()),
        )
        .unwrap();
    net.run();
    let (target, replaces) = net
        .events(1)
        .iter()
        .find_map(|e| match e {
            SignalingEvent::TransferRequested {
                target, replaces, ..
            } => Some((target.clone(), replaces.clone())),
            _ => None,
        })
        .expect("bob was asked to transfer");
    assert_eq!(target.to_string(), format!("sip:carol-token@{CAROL}"));
    assert!(
        replaces
            .as_deref()
            .is_some_and(|r| r.contains(";to-tag=") && r.contains(";from-tag=")),
        "{replaces:?}"
    );

    // Bob calls carol with Replaces: carol sees which of her calls it replaces.
    invite(&mut net, 1, &bob_id, "C", target.to_string(), replaces);
    let (carol_c, replaced) = net.incoming(2, 1);
    assert_eq!(
        replaced,
        Some(carol_b.clone()),
        "the new call replaces carol's call with alice"
    );
    answer(&mut net, 2, &carol_c);
    let now = net.now;
    net.nodes[2].1.hang_up(now, &carol_b).unwrap();
    net.run();
    assert!(net.events(0).contains(&SignalingEvent::HungUp {
        session: SessionId::new("B").unwrap()
    }));
    assert!(
        net.events(1).iter().any(
            |e| matches!(e, SignalingEvent::Answered { session, .. } if session.as_str() == "C")
        )
    );

    // A Replaces naming no dialog is refused with 481.
    invite(
        &mut net,
        1,
        &bob_id,
        "D",
        format!("sip:carol-token@{CAROL}"),
        Some("nope;to-tag=x;from-tag=y".into()),
    );
    assert!(net.events(1).iter().any(|e| matches!(e, SignalingEvent::Failed { code: 481, session, .. } if session.as_str() == "D")));
}

impl Net {
    /// Fires every node's timers up to `limit` from now, delivering as it goes.
    fn advance(&mut self, limit: Duration) {
        let end = self.now + limit;
        loop {
            self.run();
            let next = self
                .nodes
                .iter()
                .filter_map(|(_, e, _)| e.poll_timeout())
                .min();
            match next {
                Some(at) if at <= end => {
                    self.now = at;
                    for (_, endpoint, _) in &mut self.nodes {
                        endpoint.handle_timeout(at);
                    }
                }
                _ => break,
            }
        }
        self.now = end;
    }
}

#[test]
fn an_invite_that_times_out_goes_to_the_next_dns_server() {
    let mut alice = endpoint(ALICE, "alice", "127.0.0.1:5091");
    let account = AccountId::new("alice@127.0.0.1").unwrap();
    if let Some(binding) = alice.accounts.get_mut(&account) {
        binding.alternates = vec![peer(BOB)];
    }
    let mut net = Net {
        nodes: vec![
            (ALICE, alice, vec![]),
            (BOB, endpoint(BOB, "bob", ALICE), vec![]),
        ],
        now: Instant::now(),
    };
    let request = InviteRequest {
        session: SessionId::new("X").unwrap(),
        account,
        target: SipUri::parse("sip:bob-token@wink.test").unwrap(),
        offer: Some(Sdp::new("v=0")),
        replaces: None,
    };
    let now = net.now;
    net.nodes[0].1.invite(now, request).unwrap();
    net.advance(Duration::from_secs(31));
    assert!(
        net.incoming_calls(1).is_empty(),
        "nothing reaches bob while the first server is tried"
    );
    net.advance(Duration::from_secs(3));
    assert_eq!(
        net.incoming_calls(1).len(),
        1,
        "after timer B the INVITE went to the second server"
    );
    assert!(
        !net.events(0)
            .iter()
            .any(|e| matches!(e, SignalingEvent::Failed { .. })),
        "{:?}",
        net.events(0)
    );
}

impl Net {
    fn incoming_calls(&self, i: usize) -> Vec<&SignalingEvent> {
        self.events(i)
            .iter()
            .filter(|e| matches!(e, SignalingEvent::IncomingCall { .. }))
            .collect()
    }
}

#[test]
fn a_message_that_times_out_goes_to_the_next_dns_server() {
    let mut alice = endpoint(ALICE, "alice", "127.0.0.1:5091");
    let account = AccountId::new("alice@127.0.0.1").unwrap();
    if let Some(binding) = alice.accounts.get_mut(&account) {
        binding.alternates = vec![peer(BOB)];
    }
    let mut net = Net {
        nodes: vec![
            (ALICE, alice, vec![]),
            (BOB, endpoint(BOB, "bob", ALICE), vec![]),
        ],
        now: Instant::now(),
    };
    let id = MessageId::new("m9").unwrap();
    let request = MessageRequest {
        id: id.clone(),
        account,
        to: SipUri::parse("sip:bob-token@wink.test").unwrap(),
        content_type: "text/plain".into(),
        body: "failover".into(),
    };
    let now = net.now;
    net.nodes[0].1.send_message(now, request).unwrap();
    net.advance(Duration::from_secs(40));
    assert!(
        net.events(1).iter().any(
            |e| matches!(e, SignalingEvent::MessageReceived { body, .. } if body == "failover")
        )
    );
    assert!(net.events(0).contains(&SignalingEvent::MessageOutcome {
        id,
        outcome: MessageOutcome::Delivered
    }));
}

#[test]
fn when_the_network_comes_back_a_failed_registration_is_retried_at_once() {
    let mut alice = endpoint(ALICE, "alice", "127.0.0.1:5091");
    let account = AccountId::new("alice@127.0.0.1").unwrap();
    let start = Instant::now();
    alice.register(start, &account).unwrap();
    drain(&mut alice);
    // No answer: timer F fails the registration; the back-off would wait 30 s more.
    let mut now = start;
    while let Some(at) = alice.poll_timeout() {
        if at > start + Duration::from_secs(33) {
            break;
        }
        now = at;
        alice.handle_timeout(now);
    }
    let (_, events) = drain(&mut alice);
    assert!(events.iter().any(|e| matches!(
        e,
        SignalingEvent::Registration {
            state: wink_ports::RegistrationState::Failed { .. },
            ..
        }
    )));
    // For the next 29 s only keep-alive probes go out: the REGISTER waits its back-off.
    let silent_since = now;
    let mut probes = 0;
    while let Some(at) = alice.poll_timeout() {
        if at > silent_since + Duration::from_secs(29) {
            break;
        }
        now = at;
        alice.handle_timeout(now);
        let (sent, _) = drain(&mut alice);
        assert!(
            !sent.iter().any(|(_, b)| b.starts_with(b"REGISTER ")),
            "the back-off is armed"
        );
        probes += sent
            .iter()
            .filter(|(_, b)| b.starts_with(b"OPTIONS "))
            .count();
    }
    assert!(probes > 0, "the silent registrar is probed");
    alice.network_changed(now);
    let (sent, _) = drain(&mut alice);
    assert!(
        sent.iter().any(|(_, b)| b.starts_with(b"REGISTER ")),
        "a REGISTER goes out at once"
    );
}

#[test]
fn the_public_address_seen_by_the_registrar_goes_into_the_contact_when_asked() {
    let mut alice = endpoint(ALICE, "alice", "127.0.0.1:5091");
    let account = AccountId::new("alice@127.0.0.1").unwrap();
    if let Some(binding) = alice.accounts.get_mut(&account) {
        binding.public_contact = true;
        binding.contact_user = "alice".into(); // the "use the username" option
    }
    let now = Instant::now();
    alice.register(now, &account).unwrap();
    let (sent, _) = drain(&mut alice);
    let register = parse(&sent[0].1).unwrap();
    assert_eq!(
        register.headers.get(&HeaderName::Contact),
        Some(format!("<sip:alice@{ALICE};transport=udp>").as_str())
    );
    // The registrar saw us behind a NAT.
    let mut ok = crate::transaction::response_to(&register, 200, "OK");
    let mut via = register.top_via().unwrap();
    via.set_param("received", Some("192.0.2.7"));
    via.set_param("rport", Some("40000"));
    ok.headers.set(HeaderName::Via, via.to_string());
    ok.headers.push(
        HeaderName::Contact,
        format!("<sip:alice@{ALICE};transport=udp>;expires=600"),
    );
    alice.handle_received(now, peer("127.0.0.1:5091"), &ok.to_bytes());
    let (sent, _) = drain(&mut alice);
    let again = parse(&sent.last().expect("a new REGISTER").1).unwrap();
    assert_eq!(
        again.headers.get(&HeaderName::Contact),
        Some("<sip:alice@192.0.2.7:40000;transport=udp>")
    );
}

#[test]
fn unregistering_is_over_when_the_registrar_answers_not_when_the_transaction_stops_lingering() {
    let mut alice = endpoint(ALICE, "alice", "127.0.0.1:5091");
    let account = AccountId::new("alice@127.0.0.1").unwrap();
    let now = Instant::now();
    alice.register(now, &account).unwrap();
    let (sent, _) = drain(&mut alice);
    let register = parse(&sent[0].1).unwrap();
    let ok = crate::transaction::response_to(&register, 200, "OK");
    alice.handle_received(now, peer("127.0.0.1:5091"), &ok.to_bytes());
    drain(&mut alice);

    alice.unregister(now, &account).unwrap();
    let (sent, _) = drain(&mut alice);
    let goodbye = parse(&sent.last().expect("a REGISTER with Expires: 0").1).unwrap();
    assert!(alice.is_unregistering(), "waiting for the registrar");
    let ok = crate::transaction::response_to(&goodbye, 200, "OK");
    alice.handle_received(now, peer("127.0.0.1:5091"), &ok.to_bytes());
    // Its transaction lingers 5 s (timer K) for retransmitted answers; the exit need not.
    assert!(!alice.is_unregistering(), "the registrar has answered");
}

/// Carol's INVITE to bob with `branch`, `call_id` and `extra` headers.
fn carol_invite(branch: &str, call_id: &str, extra: &str) -> String {
    format!(
        "INVITE sip:bob-token@{BOB} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK{branch}\r\n\
         From: <sip:carol@127.0.0.1>;tag=c7\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: {call_id}\r\nCSeq: 1 INVITE\r\n\
         Contact: <sip:carol@127.0.0.1:5080>\r\n{extra}Content-Length: 0\r\n\r\n"
    )
}

/// What bob answers to each of `invites` (status codes in order) and the calls he sees.
fn bob_answers(invites: &[String]) -> (Vec<u16>, usize, Vec<Message>) {
    let mut bob = endpoint(BOB, "bob", ALICE);
    for invite in invites {
        bob.handle_received(Instant::now(), peer("127.0.0.1:5080"), invite.as_bytes());
    }
    let (sent, events) = drain(&mut bob);
    let responses: Vec<Message> = sent.iter().filter_map(|(_, b)| parse(b).ok()).collect();
    let calls = events
        .iter()
        .filter(|e| matches!(e, SignalingEvent::IncomingCall { .. }))
        .count();
    (
        responses.iter().filter_map(Message::status).collect(),
        calls,
        responses,
    )
}

#[test]
fn a_merged_invite_gets_482_and_rings_no_second_call() {
    let (statuses, calls, _) = bob_answers(&[
        carol_invite("first", "merged", ""),
        carol_invite("second", "merged", ""),
    ]);
    // Every INVITE gets 100 Trying first.
    assert_eq!((statuses, calls), (vec![100, 100, 482], 1));
    // Another Call-ID (or another CSeq) is another call.
    let (statuses, calls, _) = bob_answers(&[
        carol_invite("first", "one", ""),
        carol_invite("second", "two", ""),
    ]);
    assert_eq!((statuses, calls), (vec![100, 100], 2));
}

/// A flood of calls rings `MAX_RINGING` at once; the next is busy (486), and once one of
/// the ringing calls is refused the next rings again.
#[test]
fn at_most_max_ringing_calls_ring_at_once() {
    use super::invite_checks::MAX_RINGING;
    let invites: Vec<String> = (0..=MAX_RINGING)
        .map(|n| carol_invite(&format!("ring{n}"), &format!("ring{n}"), ""))
        .collect();
    let (statuses, calls, _) = bob_answers(&invites);
    assert_eq!(calls, MAX_RINGING);
    assert_eq!(statuses.iter().filter(|&&s| s == 486).count(), 1);
    assert_eq!(statuses.last(), Some(&486));
    // Refusing one of them frees its place.
    let mut bob = endpoint(BOB, "bob", ALICE);
    let now = Instant::now();
    for invite in &invites[..MAX_RINGING] {
        bob.handle_received(now, peer("127.0.0.1:5080"), invite.as_bytes());
    }
    let (_, events) = drain(&mut bob);
    let Some(SignalingEvent::IncomingCall { session, .. }) = events
        .iter()
        .find(|e| matches!(e, SignalingEvent::IncomingCall { .. }))
    else {
        panic!("a call rings: {events:?}");
    };
    bob.reject(now, session, StatusCode(603)).unwrap();
    bob.handle_received(now, peer("127.0.0.1:5080"), invites[MAX_RINGING].as_bytes());
    let (_, events) = drain(&mut bob);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, SignalingEvent::IncomingCall { .. })),
        "the next rings once one is refused: {events:?}"
    );
}

/// Past `MAX_TRANSACTIONS` live transactions a new request gets 503 with Retry-After, answered
/// without a transaction of its own; a request inside a dialog is still served (481 here).
#[test]
fn a_flood_past_the_transaction_bound_gets_503_with_retry_after() {
    let mut bob = endpoint(BOB, "bob", ALICE);
    let now = Instant::now();
    let options = |n: usize, to_tag: &str| {
        format!(
            "OPTIONS sip:bob-token@{BOB} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bKo{n}\r\n\
             From: <sip:carol@127.0.0.1>;tag=c{n}\r\nTo: <sip:bob@127.0.0.1>{to_tag}\r\nCall-ID: o{n}\r\n\
             CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
        )
    };
    let status = |bob: &mut Endpoint, request: String| {
        bob.handle_received(now, peer("127.0.0.1:5080"), request.as_bytes());
        let (sent, _) = drain(bob);
        parse(&sent.last().expect("an answer").1).unwrap()
    };
    let bound = super::overload::MAX_TRANSACTIONS;
    for n in 0..bound {
        assert_eq!(status(&mut bob, options(n, "")).status(), Some(200));
    }
    let refused = status(&mut bob, options(bound, ""));
    assert_eq!(refused.status(), Some(503));
    assert_eq!(refused.headers.get(&HeaderName::RetryAfter), Some("10"));
    let refused_again = status(&mut bob, options(bound + 1, ""));
    assert_eq!(
        refused_again.status(),
        Some(503),
        "the refusal holds nothing"
    );
    let in_dialog = status(&mut bob, options(bound + 2, ";tag=b1"));
    assert_eq!(in_dialog.status(), Some(481));
}

#[test]
fn the_transaction_table_gives_its_room_back_after_a_flood() {
    let mut bob = endpoint(BOB, "bob", ALICE);
    let now = Instant::now();
    for n in 0..2_000 {
        let options = format!(
            "OPTIONS sip:bob-token@{BOB} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bKf{n}\r\n\
             From: <sip:carol@127.0.0.1>;tag=f{n}\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: f{n}\r\n\
             CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
        );
        bob.handle_received(now, peer("127.0.0.1:5080"), options.as_bytes());
    }
    drain(&mut bob);
    assert!(bob.transactions.capacity() >= 2_000, "the flood is held");
    // Timer J (64 × T1) ends every one of them.
    bob.handle_timeout(now + Duration::from_secs(33));
    assert!(bob.transactions.is_empty());
    assert!(
        bob.transactions.capacity() <= 2 * SMALLEST_TRANSACTION_TABLE,
        "room for {} transactions kept",
        bob.transactions.capacity()
    );
}

#[test]
fn a_session_interval_below_90_s_gets_422_with_min_se_when_the_caller_supports_timers() {
    let (statuses, calls, responses) = bob_answers(&[carol_invite(
        "brief",
        "brief",
        "Supported: timer\r\nSession-Expires: 30\r\n",
    )]);
    assert_eq!((statuses, calls), (vec![100, 422], 0));
    assert_eq!(responses[1].headers.get(&HeaderName::MinSe), Some("90"));
    // A caller without timer support gets the call (and 90 s in our 200).
    let (statuses, calls, _) =
        bob_answers(&[carol_invite("old", "old", "Session-Expires: 30\r\n")]);
    assert_eq!((statuses, calls), (vec![100], 1));
}

#[test]
fn a_malformed_ack_gets_no_answer() {
    let mut bob = endpoint(BOB, "bob", ALICE);
    let ack = "ACK  SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bKa\r\n\
               From: <sip:carol@127.0.0.1>;tag=c7\r\nTo: <sip:bob@127.0.0.1>;tag=b1\r\n\
               Call-ID: x\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n";
    bob.handle_received(Instant::now(), peer("127.0.0.1:5080"), ack.as_bytes());
    assert!(drain(&mut bob).0.is_empty());
    // The same start line on an OPTIONS is answered 400.
    let options = ack.replacen("ACK  SIP", "OPTIONS  SIP", 1);
    bob.handle_received(Instant::now(), peer("127.0.0.1:5080"), options.as_bytes());
    assert_eq!(drain(&mut bob).0.len(), 1);
}

/// Quitting ends every call: the answered one with BYE, the one still ringing out with
/// CANCEL; the far ends are told.
#[test]
fn quitting_hangs_up_every_call() {
    let mut pair = pair();
    let (_, incoming) = established(&mut pair);
    assert!(!pair.alice.calls.is_empty() && !pair.bob.calls.is_empty());
    pair.alice.hang_up_all(pair.now);
    pair.run(Duration::from_secs(40));
    assert!(pair.bob_events.iter().any(|e| *e
        == SignalingEvent::HungUp {
            session: incoming.clone()
        }));
    assert!(pair.alice.calls.is_empty() && pair.bob.calls.is_empty());
}

/// An established call: alice called bob; returns (alice's session, bob's session).
fn established(pair: &mut Pair) -> (SessionId, SessionId) {
    let out = call_bob(pair, Some("v=0 offer"));
    let (incoming, _) = incoming_session(pair);
    pair.bob
        .answer(pair.now, &incoming, Some(Sdp::new("v=0 answer")))
        .unwrap();
    pair.run(Duration::from_secs(1));
    (out, incoming)
}

fn delivered_count(pair: &Pair, first_line: &str) -> usize {
    pair.delivered
        .iter()
        .filter(|line| line.starts_with(first_line))
        .count()
}

/// The callee puts the caller on hold: the caller takes the re-INVITE (it was refused
/// 488), answers it, and the ACK stops the 200's retransmissions.
#[test]
fn the_caller_takes_a_reinvite_and_its_ack_stops_the_200() {
    let mut pair = pair();
    let (out, incoming) = established(&mut pair);
    pair.bob
        .reinvite(pair.now, &incoming, &Sdp::new("v=0 hold"))
        .unwrap();
    pair.run(Duration::from_millis(10));
    assert!(pair.alice_events.iter().any(|e| matches!(e,
        SignalingEvent::ReInvite { session, offer: Some(s) } if *session == out && s.as_str() == "v=0 hold")));
    pair.alice
        .answer(pair.now, &out, Some(Sdp::new("v=0 held")))
        .unwrap();
    pair.run(Duration::from_millis(10));
    let oks = delivered_count(&pair, "SIP/2.0 200");
    assert_eq!(delivered_count(&pair, "ACK "), 2, "{:?}", pair.delivered);
    pair.run(Duration::from_secs(40));
    assert_eq!(
        delivered_count(&pair, "SIP/2.0 200"),
        oks,
        "no 200 after its ACK: {:?}",
        pair.delivered
    );
    assert!(pair.alice.transactions.is_empty() && pair.bob.transactions.is_empty());
}

/// An established call in which alice ("v=0 a") and bob ("v=0 b") re-INVITE at the same
/// instant, run for 100 ms: before either is sent again. Returns alice's session.
fn crossing_reinvites(pair: &mut Pair) -> SessionId {
    let (out, incoming) = established(pair);
    pair.alice
        .reinvite(pair.now, &out, &Sdp::new("v=0 a"))
        .unwrap();
    pair.bob
        .reinvite(pair.now, &incoming, &Sdp::new("v=0 b"))
        .unwrap();
    pair.run(Duration::from_millis(100));
    out
}

/// Both re-INVITE at once: each gets 491 (RFC 3261 §14.2); a second re-INVITE before we
/// answered the first gets 500 with Retry-After.
#[test]
fn crossing_reinvites_get_491_and_a_second_before_the_answer_500() {
    let mut pair = pair();
    crossing_reinvites(&mut pair);
    assert_eq!(
        delivered_count(&pair, "SIP/2.0 491"),
        2,
        "{:?}",
        pair.delivered
    );

    let mut pair = self::pair();
    let (_, incoming) = established(&mut pair);
    pair.bob
        .reinvite(pair.now, &incoming, &Sdp::new("v=0 b1"))
        .unwrap();
    pair.run(Duration::from_millis(10));
    let second = pair.bob.reinvite(pair.now, &incoming, &Sdp::new("v=0 b2"));
    assert!(second.is_ok());
    let (sent, events) = drain(&mut pair.bob);
    pair.bob_events.extend(events);
    let (_, bytes) = sent.into_iter().last().expect("the second re-INVITE");
    pair.alice.handle_received(pair.now, peer(BOB), &bytes);
    let (replies, _) = drain(&mut pair.alice);
    let refusal = replies
        .iter()
        .filter_map(|(_, b)| parse(b).ok())
        .find(|m| m.status() == Some(500))
        .expect("500 to the second re-INVITE");
    let retry: u32 = refusal
        .headers
        .get(&HeaderName::RetryAfter)
        .and_then(|v| v.trim().parse().ok())
        .expect("a Retry-After");
    assert!(retry <= 10);
}

/// An offer in an UPDATE (RFC 3311) is answered in its 200, as a re-INVITE's would be.
#[test]
fn an_update_with_an_offer_is_answered_in_its_200() {
    let mut pair = pair();
    let (out, incoming) = established(&mut pair);
    let mut update = pair
        .bob
        .calls
        .get_mut(&incoming)
        .and_then(|call| call.dialog.as_mut())
        .expect("bob's dialog")
        .request(Method::Update);
    update
        .headers
        .push_front(HeaderName::Via, pair.bob.via_for(TransportKind::Udp));
    update
        .headers
        .set(HeaderName::ContentType, "application/sdp");
    update.body = b"v=0 update".to_vec();
    pair.alice
        .handle_received(pair.now, peer(BOB), &update.to_bytes());
    let (sent, events) = drain(&mut pair.alice);
    assert!(sent.is_empty(), "answered once the domain has an answer");
    assert!(events.iter().any(|e| matches!(e,
        SignalingEvent::ReInvite { session, offer: Some(s) } if *session == out && s.as_str() == "v=0 update")));
    pair.alice
        .answer(pair.now, &out, Some(Sdp::new("v=0 updated")))
        .unwrap();
    let (sent, _) = drain(&mut pair.alice);
    let ok = parse(&sent[0].1).unwrap();
    assert_eq!(ok.status(), Some(200));
    assert_eq!(ok.cseq().unwrap().method, Method::Update);
    assert_eq!(ok.body, b"v=0 updated");
    assert!(
        !pair.alice.calls[&out].has_open_reinvite(),
        "no ACK awaited"
    );
}

/// Crossing re-INVITEs both get 491; each side sends its own again after the random wait
/// of RFC 3261 §14.1 (the callee within 2 s, the caller, who owns the Call-ID, after
/// 2.1–4 s), so both offers arrive in the end.
#[test]
fn a_reinvite_refused_with_491_goes_again_after_the_wait() {
    let mut pair = pair();
    let out = crossing_reinvites(&mut pair);
    assert_eq!(delivered_count(&pair, "SIP/2.0 491"), 2);
    let offered = |events: &[SignalingEvent], sdp: &str| {
        events.iter().any(
            |e| matches!(e, SignalingEvent::ReInvite { offer: Some(s), .. } if s.as_str() == sdp),
        )
    };
    // Bob's comes again first; alice answers it.
    pair.run(Duration::from_secs(2));
    assert!(offered(&pair.alice_events, "v=0 b"), "{:?}", pair.delivered);
    assert!(!offered(&pair.bob_events, "v=0 a"));
    pair.alice
        .answer(pair.now, &out, Some(Sdp::new("v=0 b answered")))
        .unwrap();
    // Then alice's (the clock only moves to timers: give it the whole 4 s).
    pair.run(Duration::from_secs(5));
    assert!(offered(&pair.bob_events, "v=0 a"), "{:?}", pair.delivered);
    assert_eq!(
        delivered_count(&pair, "SIP/2.0 491"),
        2,
        "no second collision"
    );
}

/// A request from `e` in the dialog of its call `session`, under a Via of its own, with
/// `body` as SDP when there is one; not sent.
fn request_in_dialog(e: &mut Endpoint, session: &SessionId, method: Method, body: &str) -> Message {
    let contact = e.contact_for(e.accounts.values().next().expect("an account"));
    let mut request = e
        .calls
        .get_mut(session)
        .and_then(|call| call.dialog.as_mut())
        .expect("a dialog")
        .request(method);
    request
        .headers
        .push_front(HeaderName::Via, e.via_for(TransportKind::Udp));
    request
        .headers
        .push(HeaderName::Contact, format!("<{contact}>"));
    if !body.is_empty() {
        request
            .headers
            .set(HeaderName::ContentType, "application/sdp");
        request.body = body.as_bytes().to_vec();
    }
    request
}

/// Runs alice alone until `limit` has passed, firing her timers; what she sent meanwhile.
fn run_alice(pair: &mut Pair, limit: Duration) -> Vec<Message> {
    let end = pair.now + limit;
    let mut sent = Vec::new();
    loop {
        let (out, events) = drain(&mut pair.alice);
        pair.alice_events.extend(events);
        sent.extend(out.iter().filter_map(|(_, bytes)| parse(bytes).ok()));
        match pair.alice.poll_timeout() {
            Some(at) if at <= end => {
                pair.now = at;
                pair.alice.handle_timeout(at);
            }
            _ => break,
        }
    }
    sent
}

/// Their re-INVITE without an offer: our 200 carries one, whose answer comes in the ACK.
/// An `answer` from the domain while that ACK is awaited is refused and changes nothing:
/// the ACK still stops the 200's retransmissions and brings the answer (`Confirmed`).
#[test]
fn an_answer_while_our_200_to_their_reinvite_awaits_its_ack_keeps_that_ack_awaited() {
    let mut pair = pair();
    let (out, incoming) = established(&mut pair);
    pair.alice_events.clear();
    let reinvite = request_in_dialog(&mut pair.bob, &incoming, Method::Invite, "");
    pair.alice
        .handle_received(pair.now, peer(BOB), &reinvite.to_bytes());
    drain(&mut pair.alice);
    pair.alice
        .answer(pair.now, &out, Some(Sdp::new("v=0 late offer")))
        .unwrap();
    let (sent, _) = drain(&mut pair.alice);
    let ok = parse(&sent[0].1).unwrap();
    assert_eq!(
        (ok.status(), ok.body.as_slice()),
        (Some(200), &b"v=0 late offer"[..])
    );
    assert!(
        pair.alice
            .answer(pair.now, &out, Some(Sdp::new("v=0 again")))
            .is_err(),
        "nothing waits for an answer"
    );
    assert!(
        pair.alice.calls[&out].has_open_reinvite(),
        "the ACK is still awaited"
    );

    let seq = reinvite.cseq().unwrap().seq;
    let mut ack = pair.bob.calls[&incoming].dialog.as_ref().unwrap().ack(seq);
    ack.headers
        .push_front(HeaderName::Via, pair.bob.via_for(TransportKind::Udp));
    ack.headers.set(HeaderName::ContentType, "application/sdp");
    ack.body = b"v=0 late answer".to_vec();
    pair.now += Duration::from_millis(100);
    pair.alice
        .handle_received(pair.now, peer(BOB), &ack.to_bytes());
    let sent = run_alice(&mut pair, Duration::from_secs(40));
    let oks = sent.iter().filter(|m| m.status() == Some(200)).count();
    assert_eq!(oks, 0, "no 200 after its ACK");
    assert!(pair.alice.transactions.is_empty());
    assert_eq!(
        pair.alice_events,
        [SignalingEvent::Confirmed {
            session: out,
            sdp: Some(Sdp::new("v=0 late answer"))
        }]
    );
}

/// Alice calls bob; in the early dialog each sends the other an UPDATE with an offer
/// (RFC 3311), which waits for the domain's answer; then the call ends before any answer:
/// by bob's refusal (at alice, the INVITE failed), by alice's CANCEL, by BYE. Each open
/// UPDATE gets 487 Request Terminated (RFC 3261 §15.1.2) and its transaction goes: the
/// tables empty once the timers have run (an unanswered non-INVITE transaction has none).
#[test]
fn a_call_that_ends_answers_their_open_update_with_487_and_drops_it() {
    let updates_terminated = |pair: &Pair| {
        pair.wire
            .iter()
            .filter_map(|bytes| parse(bytes).ok())
            .filter(|m| m.status() == Some(487) && m.cseq().unwrap().method == Method::Update)
            .count()
    };
    let early_updates = |pair: &mut Pair, out: &SessionId, incoming: &SessionId, both: bool| {
        let update = request_in_dialog(&mut pair.alice, out, Method::Update, "v=0 a");
        pair.alice.outputs.push_back(EndpointOutput::Transmit {
            peer: peer(BOB),
            bytes: update.to_bytes(),
        });
        if both {
            let update = request_in_dialog(&mut pair.bob, incoming, Method::Update, "v=0 b");
            pair.bob.outputs.push_back(EndpointOutput::Transmit {
                peer: peer(ALICE),
                bytes: update.to_bytes(),
            });
        }
        pair.run(Duration::from_millis(10));
        assert!(pair.bob.calls[incoming].has_open_reinvite());
        assert_eq!(pair.alice.calls[out].has_open_reinvite(), both);
    };

    // Bob refuses the call: his UPDATE ends by his refusal, alice's by her INVITE's failure.
    let mut pair = pair();
    let (out, incoming) = ringing(&mut pair);
    early_updates(&mut pair, &out, &incoming, true);
    pair.bob
        .reject(pair.now, &incoming, StatusCode::BUSY_HERE)
        .unwrap();
    pair.run(Duration::from_secs(60));
    assert_eq!(updates_terminated(&pair), 2, "{:?}", pair.delivered);
    assert!(pair.alice.calls.is_empty() && pair.bob.calls.is_empty());
    assert_eq!(
        (pair.alice.transactions.len(), pair.bob.transactions.len()),
        (0, 0)
    );

    // Alice gives up: bob's call ends by her CANCEL.
    let mut pair = self::pair();
    let (out, incoming) = ringing(&mut pair);
    early_updates(&mut pair, &out, &incoming, false);
    pair.alice.cancel(pair.now, &out).unwrap();
    pair.run(Duration::from_secs(60));
    assert_eq!(updates_terminated(&pair), 1, "{:?}", pair.delivered);
    assert!(pair.bob.calls.is_empty());
    assert_eq!(pair.bob.transactions.len(), 0);

    // An established call ended by BYE: the re-INVITE waiting for our answer gets 487 too.
    let mut pair = self::pair();
    let (out, incoming) = established(&mut pair);
    let reinvite = request_in_dialog(&mut pair.alice, &out, Method::Invite, "v=0 a2");
    pair.bob
        .handle_received(pair.now, peer(ALICE), &reinvite.to_bytes());
    pair.run(Duration::from_millis(10));
    assert!(pair.bob.calls[&incoming].has_open_reinvite());
    pair.alice.hang_up(pair.now, &out).unwrap();
    pair.run(Duration::from_secs(60));
    let terminated = pair
        .wire
        .iter()
        .filter_map(|bytes| parse(bytes).ok())
        .filter(|m| m.status() == Some(487) && m.cseq().unwrap().method == Method::Invite)
        .count();
    assert!(terminated >= 1, "{:?}", pair.delivered);
    assert!(pair.bob.calls.is_empty());
    assert_eq!(pair.bob.transactions.len(), 0);
}

/// Bob's 200 reaches alice, her ACK is lost, she hangs up: bob's call ends with her BYE.
/// An ACK that reuses the INVITE's own branch (as some peers send it) arriving after that
/// is absorbed by the INVITE's transaction, and the domain hears of no session confirmed.
#[test]
fn an_ack_with_the_invites_branch_after_their_bye_confirms_nothing() {
    let mut pair = pair();
    let out = call_bob(&mut pair, Some("v=0 offer"));
    let (incoming, _) = incoming_session(&pair);
    pair.bob
        .answer(pair.now, &incoming, Some(Sdp::new("v=0 answer")))
        .unwrap();
    let (sent, _) = drain(&mut pair.bob);
    for (_, bytes) in sent {
        pair.alice.handle_received(pair.now, peer(BOB), &bytes);
    }
    let (lost, events) = drain(&mut pair.alice);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, SignalingEvent::Answered { .. }))
    );
    assert!(
        lost.iter()
            .all(|(_, bytes)| parse(bytes).unwrap().method() == Some(Method::Ack)),
        "only the ACK is lost"
    );
    let call = &pair.alice.calls[&out];
    let mut late_ack = call.dialog.as_ref().unwrap().ack(1);
    let invite_via = call.invite.headers.list(&HeaderName::Via)[0].to_owned();
    late_ack.headers.push_front(HeaderName::Via, invite_via);
    late_ack
        .headers
        .set(HeaderName::ContentType, "application/sdp");
    late_ack.body = b"v=0 too late".to_vec();

    pair.alice.hang_up(pair.now, &out).unwrap();
    pair.run(Duration::from_millis(10));
    assert!(pair.bob_events.contains(&SignalingEvent::HungUp {
        session: incoming.clone()
    }));
    assert!(pair.bob.calls.is_empty());
    pair.bob
        .handle_received(pair.now, peer(ALICE), &late_ack.to_bytes());
    let (_, events) = drain(&mut pair.bob);
    assert_eq!(events, [], "no event for a call that has ended");
}

/// Before there is a dialog (our INVITE has had no answer), each in-dialog command is
/// refused with `InvalidState` naming what was tried.
#[test]
fn an_in_dialog_command_without_a_dialog_names_its_own_action() {
    let mut pair = pair();
    let out = session("out-1");
    pair.alice
        .invite(
            pair.now,
            InviteRequest {
                session: out.clone(),
                account: AccountId::new("alice@127.0.0.1").unwrap(),
                target: SipUri::parse(&format!("sip:bob-token@{BOB}")).unwrap(),
                offer: Some(Sdp::new("v=0 offer")),
                replaces: None,
            },
        )
        .unwrap();
    let action = |result: Result<(), SignalingError>| match result {
        Err(SignalingError::InvalidState { session, action }) if session == out => action,
        other => panic!("{other:?}"),
    };
    let now = pair.now;
    let target = wink_ports::TransferTarget::Blind(SipUri::parse("sip:carol@127.0.0.1").unwrap());
    assert_eq!(action(pair.alice.transfer(now, &out, &target)), "transfer");
    assert_eq!(
        action(
            pair.alice
                .send_dtmf_info(now, &out, wink_ports::DtmfDigit::Digit(5))
        ),
        "send DTMF by INFO in"
    );
    assert_eq!(
        action(pair.alice.notify_transfer(now, &out, 200, "OK")),
        "report transfer progress in"
    );
    assert_eq!(
        action(pair.alice.reinvite(now, &out, &Sdp::new("v=0 hold"))),
        "re-INVITE"
    );
}

/// Their re-INVITE without an offer: our 200 carries one. Their ACK reuses the
/// re-INVITE's own branch (as some user agents send it), so the re-INVITE's transaction
/// takes it: the call still hears of it, as of an ACK with a branch of its own. The
/// answer in it reaches the domain (`Confirmed`), the 200 is not sent again, and a later
/// re-INVITE with an offer is taken (no 491).
#[test]
fn an_ack_with_the_reinvites_branch_confirms_the_late_offer_and_frees_the_call() {
    let mut pair = pair();
    let (out, incoming) = established(&mut pair);
    pair.alice_events.clear();
    let reinvite = request_in_dialog(&mut pair.bob, &incoming, Method::Invite, "");
    pair.alice
        .handle_received(pair.now, peer(BOB), &reinvite.to_bytes());
    drain(&mut pair.alice);
    pair.alice
        .answer(pair.now, &out, Some(Sdp::new("v=0 late offer")))
        .unwrap();
    drain(&mut pair.alice);

    let seq = reinvite.cseq().unwrap().seq;
    let mut ack = pair.bob.calls[&incoming].dialog.as_ref().unwrap().ack(seq);
    let reinvite_via = reinvite.headers.list(&HeaderName::Via)[0].to_owned();
    ack.headers.push_front(HeaderName::Via, reinvite_via);
    ack.headers.set(HeaderName::ContentType, "application/sdp");
    ack.body = b"v=0 late answer".to_vec();
    pair.now += Duration::from_millis(100);
    pair.alice
        .handle_received(pair.now, peer(BOB), &ack.to_bytes());
    let (_, events) = drain(&mut pair.alice);
    assert_eq!(
        events,
        [SignalingEvent::Confirmed {
            session: out.clone(),
            sdp: Some(Sdp::new("v=0 late answer"))
        }]
    );
    assert!(!pair.alice.calls[&out].has_open_reinvite(), "the ACK came");
    let sent = run_alice(&mut pair, Duration::from_secs(40));
    assert_eq!(
        sent.iter().filter(|m| m.status() == Some(200)).count(),
        0,
        "no 200 after its ACK"
    );

    let next = request_in_dialog(&mut pair.bob, &incoming, Method::Invite, "v=0 hold");
    pair.alice
        .handle_received(pair.now, peer(BOB), &next.to_bytes());
    let (sent, events) = drain(&mut pair.alice);
    assert!(
        sent.iter()
            .all(|(_, bytes)| parse(bytes).unwrap().status() != Some(491)),
        "no 491 for the next offer"
    );
    assert!(events.iter().any(|e| matches!(e,
        SignalingEvent::ReInvite { session, offer: Some(s) } if *session == out && s.as_str() == "v=0 hold")));
}

/// Bob's 200 reaches alice, her ACK is lost, she hangs up: her BYE ends bob's call, and
/// with it the reason to repeat the 200 (RFC 3261 §13.3.1.4): it is not sent again, where
/// it went on until timer L (32 s). The INVITE's transaction still absorbs what comes late
/// for it: a retransmission of the INVITE rings no new call.
#[test]
fn their_bye_before_the_ack_stops_our_200_to_their_invite() {
    let mut pair = pair();
    let out = call_bob(&mut pair, Some("v=0 offer"));
    let (incoming, _) = incoming_session(&pair);
    pair.bob
        .answer(pair.now, &incoming, Some(Sdp::new("v=0 answer")))
        .unwrap();
    let (sent, _) = drain(&mut pair.bob);
    for (_, bytes) in sent {
        pair.alice.handle_received(pair.now, peer(BOB), &bytes);
    }
    let (lost, _) = drain(&mut pair.alice);
    assert!(
        lost.iter()
            .all(|(_, bytes)| parse(bytes).unwrap().method() == Some(Method::Ack)),
        "only the ACK is lost"
    );
    let invite = pair.alice.calls[&out].invite.to_bytes();
    pair.alice.hang_up(pair.now, &out).unwrap();
    pair.run(Duration::from_millis(10));
    assert!(pair.bob.calls.is_empty(), "{:?}", pair.delivered);
    pair.bob_events.clear();

    pair.bob.handle_received(pair.now, peer(ALICE), &invite);
    let end = pair.now + Duration::from_secs(40);
    let mut sent = Vec::new();
    loop {
        let (out, events) = drain(&mut pair.bob);
        pair.bob_events.extend(events);
        sent.extend(out.iter().filter_map(|(_, bytes)| parse(bytes).ok()));
        match pair.bob.poll_timeout() {
            Some(at) if at <= end => {
                pair.now = at;
                pair.bob.handle_timeout(at);
            }
            _ => break,
        }
    }
    let oks: Vec<&Message> = sent
        .iter()
        .filter(|m| m.status() == Some(200) && m.cseq().unwrap().method == Method::Invite)
        .collect();
    assert!(oks.is_empty(), "no 200 after their BYE: {oks:?}");
    assert_eq!(
        pair.bob_events,
        [],
        "the retransmitted INVITE rings nothing"
    );
    assert!(pair.bob.transactions.is_empty());
}
