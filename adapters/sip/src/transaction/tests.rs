//! Transactions in virtual time: every timer of RFC 3261 §17, no sockets, no sleeping.

use std::time::{Duration, Instant};

use super::*;
use crate::message::{HeaderName, Message, Method, parse};

fn request(method: Method) -> Message {
    let mut m = Message::request(method.clone(), "sip:bob@127.0.0.1");
    m.headers.push(
        HeaderName::Via,
        "SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKtest1;rport",
    );
    m.headers.push(HeaderName::MaxForwards, "70");
    m.headers
        .push(HeaderName::From, "<sip:alice@127.0.0.1>;tag=a1");
    m.headers.push(HeaderName::To, "<sip:bob@127.0.0.1>");
    m.headers.push(HeaderName::CallId, "call-1");
    m.headers.push(HeaderName::CSeq, format!("7 {method}"));
    m.headers
        .push(HeaderName::Contact, "<sip:alice@127.0.0.1:5070>");
    m
}

fn response(to: &Message, code: u16) -> Message {
    let mut r = response_to(to, code, "Reason");
    r.headers.set(HeaderName::To, "<sip:bob@127.0.0.1>;tag=b1");
    r
}

/// A transaction and a virtual clock that jumps from deadline to deadline.
struct Clocked {
    t: Transaction,
    start: Instant,
    now: Instant,
    sent: Vec<(Duration, Vec<u8>)>,
    events: Vec<(Duration, Event)>,
}

impl Clocked {
    fn new(start: Instant, t: Transaction) -> Self {
        let mut c = Self {
            t,
            start,
            now: start,
            sent: Vec::new(),
            events: Vec::new(),
        };
        c.drain();
        c
    }

    fn drain(&mut self) {
        while let Some(output) = self.t.poll_output() {
            let at = self.now - self.start;
            match output {
                Output::Transmit(bytes) => self.sent.push((at, bytes)),
                Output::Event(event) => self.events.push((at, event)),
            }
        }
    }

    fn feed(&mut self, input: Input) {
        self.t.handle(self.now, input);
        self.drain();
    }

    /// Fires timers until `until` (from start) or until the transaction ends.
    fn run_until(&mut self, until: Duration) {
        while let Some(deadline) = self.t.poll_timeout() {
            if deadline - self.start > until {
                break;
            }
            self.now = deadline;
            self.feed(Input::Timeout);
        }
        self.now = self.start + until;
    }

    fn send_times(&self) -> Vec<f64> {
        self.sent.iter().map(|(at, _)| at.as_secs_f64()).collect()
    }

    fn event_kinds(&self) -> Vec<String> {
        self.events
            .iter()
            .map(|(_, e)| match e {
                Event::Response(r) => format!("response {}", r.status().unwrap()),
                other => format!("{other:?}"),
            })
            .collect()
    }
}

fn start() -> Instant {
    Instant::now()
}

#[test]
fn non_invite_over_udp_retransmits_with_backoff_then_times_out_at_64_t1() {
    let now = start();
    let t = ClientNonInvite::new(
        now,
        &request(Method::Message),
        Reliability::Unreliable,
        TimerConfig::default(),
    );
    let mut c = Clocked::new(now, Transaction::ClientNonInvite(t));
    c.run_until(Duration::from_secs(60));
    // Timer E: 0.5, 1, 2, 4, 4, 4 ... (capped at T2); timer F at 32 s.
    assert_eq!(
        c.send_times(),
        [0.0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5]
    );
    assert_eq!(c.event_kinds(), ["Timeout", "Terminated"]);
    assert_eq!(c.events[0].0, Duration::from_secs(32));
    assert!(c.t.is_terminated());
}

#[test]
fn non_invite_over_tcp_never_retransmits() {
    let now = start();
    let t = ClientNonInvite::new(
        now,
        &request(Method::Register),
        Reliability::Reliable,
        TimerConfig::default(),
    );
    let mut c = Clocked::new(now, Transaction::ClientNonInvite(t));
    c.run_until(Duration::from_secs(60));
    assert_eq!(c.send_times(), [0.0]);
    assert_eq!(c.event_kinds(), ["Timeout", "Terminated"]);
}

/// A connection that cannot be opened fails the request at once, as unreachable (not as
/// a timeout: the user is told the connection failed, not that the server was silent).
#[test]
fn a_transport_error_fails_a_client_transaction_at_once_as_unreachable() {
    let now = start();
    for invite in [false, true] {
        let t = if invite {
            Transaction::ClientInvite(ClientInvite::new(
                now,
                &request(Method::Invite),
                Reliability::Reliable,
                TimerConfig::default(),
            ))
        } else {
            Transaction::ClientNonInvite(ClientNonInvite::new(
                now,
                &request(Method::Register),
                Reliability::Reliable,
                TimerConfig::default(),
            ))
        };
        let mut c = Clocked::new(now, t);
        c.t.handle(now, Input::TransportError);
        c.drain();
        assert_eq!(
            c.event_kinds(),
            ["Unreachable", "Terminated"],
            "INVITE: {invite}"
        );
        assert!(c.t.is_terminated());
    }
}

#[test]
fn non_invite_final_response_stops_retransmission_and_absorbs_repeats() {
    let now = start();
    let req = request(Method::Message);
    let t = ClientNonInvite::new(now, &req, Reliability::Unreliable, TimerConfig::default());
    let mut c = Clocked::new(now, Transaction::ClientNonInvite(t));
    c.run_until(Duration::from_millis(600));
    c.feed(Input::Received(response(&req, 100)));
    c.run_until(Duration::from_millis(6_000));
    // The E armed before the 100 fires at 1.5 s; in Proceeding it is then reset to T2 = 4 s.
    assert_eq!(c.send_times(), [0.0, 0.5, 1.5, 5.5]);
    c.feed(Input::Received(response(&req, 200)));
    c.feed(Input::Received(response(&req, 200)));
    c.run_until(Duration::from_secs(20));
    assert_eq!(
        c.event_kinds(),
        ["response 100", "response 200", "Terminated"]
    );
    // Timer K: T4 = 5 s after the final response.
    assert_eq!(c.events[2].0, Duration::from_secs(11));
}

#[test]
fn invite_over_udp_doubles_timer_a_until_timer_b() {
    let now = start();
    let t = ClientInvite::new(
        now,
        &request(Method::Invite),
        Reliability::Unreliable,
        TimerConfig::default(),
    );
    let mut c = Clocked::new(now, Transaction::ClientInvite(t));
    c.run_until(Duration::from_secs(40));
    assert_eq!(c.send_times(), [0.0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5]);
    assert_eq!(c.event_kinds(), ["Timeout", "Terminated"]);
    assert_eq!(c.events[0].0, Duration::from_secs(32));
}

#[test]
fn invite_error_response_is_acked_in_the_transaction_and_again_for_each_repeat() {
    let now = start();
    let invite = request(Method::Invite);
    let t = ClientInvite::new(
        now,
        &invite,
        Reliability::Unreliable,
        TimerConfig::default(),
    );
    let mut c = Clocked::new(now, Transaction::ClientInvite(t));
    c.feed(Input::Received(response(&invite, 180)));
    c.run_until(Duration::from_secs(3));
    assert_eq!(
        c.send_times(),
        [0.0],
        "a provisional response stops timer A"
    );
    c.feed(Input::Received(response(&invite, 486)));
    c.feed(Input::Received(response(&invite, 486)));
    assert_eq!(c.sent.len(), 3, "INVITE, ACK, ACK again");
    let ack = parse(&c.sent[1].1).unwrap();
    assert_eq!(ack.method(), Some(Method::Ack));
    assert_eq!(ack.headers.get(&HeaderName::CSeq), Some("7 ACK"));
    assert_eq!(
        ack.to_header().unwrap().tag(),
        Some("b1"),
        "the To of the response"
    );
    assert_eq!(
        ack.top_via().unwrap().branch(),
        Some("z9hG4bKtest1"),
        "the INVITE's branch"
    );
    assert_eq!(ack.headers.get(&HeaderName::Contact), None);
    c.run_until(Duration::from_secs(60));
    assert_eq!(
        c.event_kinds(),
        ["response 180", "response 486", "Terminated"]
    );
    // Timer D: 32 s after the final response.
    assert_eq!(c.events[2].0, Duration::from_secs(35));
}

#[test]
fn invite_2xx_and_its_retransmissions_go_up_then_timer_m_ends_it() {
    let now = start();
    let invite = request(Method::Invite);
    let t = ClientInvite::new(now, &invite, Reliability::Reliable, TimerConfig::default());
    let mut c = Clocked::new(now, Transaction::ClientInvite(t));
    c.feed(Input::Received(response(&invite, 200)));
    c.feed(Input::Received(response(&invite, 200)));
    c.run_until(Duration::from_secs(40));
    assert_eq!(
        c.event_kinds(),
        ["response 200", "response 200", "Terminated"]
    );
    assert_eq!(
        c.sent.len(),
        1,
        "the ACK of a 2xx is the dialog's, not the transaction's"
    );
}

#[test]
fn server_invite_sends_100_repeats_it_and_retransmits_an_error_until_the_ack() {
    let now = start();
    let invite = request(Method::Invite);
    let t = ServerInvite::new(&invite, Reliability::Unreliable, TimerConfig::default());
    let mut c = Clocked::new(now, Transaction::ServerInvite(t));
    assert_eq!(parse(&c.sent[0].1).unwrap().status(), Some(100));
    c.feed(Input::Received(invite.clone()));
    assert_eq!(c.sent.len(), 2, "a retransmitted INVITE gets the 100 again");
    c.feed(Input::Respond(response(&invite, 486)));
    c.run_until(Duration::from_secs(6));
    // Timer G: 0.5, 1, 2, 4 (capped at T2) ...
    assert_eq!(c.send_times(), [0.0, 0.0, 0.0, 0.5, 1.5, 3.5]);
    let mut ack = request(Method::Ack);
    ack.headers.set(HeaderName::CSeq, "7 ACK");
    c.feed(Input::Received(ack));
    c.run_until(Duration::from_secs(60));
    assert_eq!(c.sent.len(), 6, "no retransmission after the ACK");
    assert_eq!(c.event_kinds(), ["Terminated"]);
    // Timer I: T4 after the ACK at 6 s.
    assert_eq!(c.events[0].0, Duration::from_secs(11));
}

#[test]
fn server_invite_without_ack_gives_up_at_timer_h() {
    let now = start();
    let invite = request(Method::Invite);
    let t = ServerInvite::new(&invite, Reliability::Unreliable, TimerConfig::default());
    let mut c = Clocked::new(now, Transaction::ServerInvite(t));
    c.feed(Input::Respond(response(&invite, 603)));
    c.run_until(Duration::from_secs(60));
    assert_eq!(c.event_kinds(), ["AckTimeout", "Terminated"]);
    assert_eq!(c.events[0].0, Duration::from_secs(32));
}

#[test]
fn server_invite_retransmits_its_2xx_until_acked() {
    let now = start();
    let invite = request(Method::Invite);
    let t = ServerInvite::new(&invite, Reliability::Unreliable, TimerConfig::default());
    let mut c = Clocked::new(now, Transaction::ServerInvite(t));
    c.feed(Input::Respond(response(&invite, 200)));
    c.run_until(Duration::from_secs(2));
    assert_eq!(c.send_times(), [0.0, 0.0, 0.5, 1.5]);
    let mut ack = request(Method::Ack);
    ack.headers.set(HeaderName::CSeq, "7 ACK");
    c.feed(Input::Received(ack.clone()));
    c.feed(Input::Received(ack));
    c.run_until(Duration::from_secs(60));
    assert_eq!(c.sent.len(), 4);
    assert_eq!(c.events.len(), 2);
    assert!(
        matches!(c.events[0].1, Event::Acked(_)),
        "one Acked event for two ACKs"
    );
    assert_eq!(c.events[1].1, Event::Terminated);
}

/// Told to stop (the dialog ended before the ACK), the 2xx goes no more; the transaction
/// still absorbs a late ACK and the INVITE again, silently, until timer L ends it.
#[test]
fn server_invite_stops_its_2xx_when_told_and_absorbs_until_timer_l() {
    let now = start();
    let invite = request(Method::Invite);
    let t = ServerInvite::new(&invite, Reliability::Unreliable, TimerConfig::default());
    let mut c = Clocked::new(now, Transaction::ServerInvite(t));
    c.feed(Input::Respond(response(&invite, 200)));
    c.run_until(Duration::from_secs(1));
    c.feed(Input::StopRetransmitting);
    let mut ack = request(Method::Ack);
    ack.headers.set(HeaderName::CSeq, "7 ACK");
    c.feed(Input::Received(invite));
    c.feed(Input::Received(ack));
    c.run_until(Duration::from_secs(60));
    assert_eq!(c.send_times(), [0.0, 0.0, 0.5]);
    assert_eq!(c.event_kinds(), ["Terminated"]);
    assert_eq!(c.events[0].0, Duration::from_secs(32));
}

#[test]
fn server_invite_2xx_never_acked_is_reported() {
    let now = start();
    let invite = request(Method::Invite);
    let t = ServerInvite::new(&invite, Reliability::Reliable, TimerConfig::default());
    let mut c = Clocked::new(now, Transaction::ServerInvite(t));
    c.feed(Input::Respond(response(&invite, 200)));
    c.run_until(Duration::from_secs(60));
    assert_eq!(c.event_kinds(), ["AckTimeout", "Terminated"]);
    assert_eq!(c.sent.len(), 2, "TCP: no retransmission");
}

#[test]
fn server_non_invite_repeats_its_response_then_timer_j_ends_it() {
    let now = start();
    let req = request(Method::Message);
    let t = ServerNonInvite::new(Reliability::Unreliable, TimerConfig::default());
    let mut c = Clocked::new(now, Transaction::ServerNonInvite(t));
    c.feed(Input::Received(req.clone()));
    assert!(c.sent.is_empty(), "nothing to repeat in Trying");
    c.feed(Input::Respond(response(&req, 200)));
    c.feed(Input::Received(req.clone()));
    c.feed(Input::Respond(response(&req, 500)));
    assert_eq!(
        c.sent.len(),
        2,
        "the 200 and its repeat; a second final response is refused"
    );
    assert_eq!(parse(&c.sent[1].1).unwrap().status(), Some(200));
    c.run_until(Duration::from_secs(60));
    assert_eq!(c.event_kinds(), ["Terminated"]);
    assert_eq!(c.events[0].0, Duration::from_secs(32));
}

#[test]
fn keys_match_responses_requests_and_acks() {
    let invite = request(Method::Invite);
    let client = TransactionKey::for_client_request(&invite).unwrap();
    assert_eq!(
        TransactionKey::for_response(&response(&invite, 180)),
        Some(client)
    );
    let server = TransactionKey::for_request(&invite).unwrap();
    let mut ack = request(Method::Ack);
    ack.headers.set(HeaderName::CSeq, "7 ACK");
    assert_eq!(TransactionKey::for_request(&ack), Some(server.clone()));
    let mut cancel = request(Method::Cancel);
    cancel.headers.set(HeaderName::CSeq, "7 CANCEL");
    assert_ne!(TransactionKey::for_request(&cancel), Some(server));
    let mut old_style = request(Method::Options);
    old_style
        .headers
        .set(HeaderName::Via, "SIP/2.0/UDP 127.0.0.1;branch=1234");
    // RFC 2543 matching (RFC 3261 §17.2.3): its ACK (with our To tag) matches it.
    let old_key = TransactionKey::for_request(&old_style).expect("an RFC 2543 key");
    old_style.headers.set(HeaderName::CSeq, "7 ACK");
    old_style.start = crate::message::StartLine::Request {
        method: Method::Ack,
        uri: "sip:bob@127.0.0.1".into(),
    };
    old_style
        .headers
        .set(HeaderName::To, "<sip:bob@127.0.0.1>;tag=ours");
    let mut old_invite = old_style.clone();
    old_invite.headers.set(HeaderName::CSeq, "7 INVITE");
    old_invite.start = crate::message::StartLine::Request {
        method: Method::Invite,
        uri: "sip:bob@127.0.0.1".into(),
    };
    assert_ne!(
        Some(old_key),
        TransactionKey::for_request(&old_invite),
        "OPTIONS is not the INVITE"
    );
    assert_eq!(
        TransactionKey::for_request(&old_style),
        TransactionKey::for_request(&old_invite)
    );
}
