//! Sequences of what users and networks do, not only bytes: two endpoints (Alice and Bob)
//! call, answer, hold, transfer, cancel and hang up in any order, over a network that
//! loses, repeats, reorders and damages datagrams, while strangers send junk and time
//! jumps. Every identifier comes from seeded generators, so a crash replays byte for byte.
//! At the end both must still answer OPTIONS, and hanging up everything must leave both
//! idle once the timers have run out.
#![no_main]

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use wink_ports::{
    AccountId, DtmfDigit, MessageId, MessageRequest, Password, Sdp, SessionId, SignalingEvent,
    SipUri, StatusCode, TransferTarget,
};
use wink_sip::digest::Credentials;
use wink_sip::endpoint::{AccountBinding, Endpoint, EndpointOutput, Ids, Peer, TransportKind};
use wink_sip::message::parse;

const ALICE: &str = "127.0.0.1:5071";
const BOB: &str = "127.0.0.1:5072";
const STRANGER: &str = "127.0.0.1:5099";

/// One step of the story.
#[derive(Arbitrary, Debug)]
enum Operation {
    Call {
        by_alice: bool,
        late_offer: bool,
    },
    Ring {
        by_alice: bool,
        call: u8,
    },
    Answer {
        by_alice: bool,
        call: u8,
    },
    Reject {
        by_alice: bool,
        call: u8,
        busy: bool,
    },
    Cancel {
        by_alice: bool,
        call: u8,
    },
    HangUp {
        by_alice: bool,
        call: u8,
    },
    Hold {
        by_alice: bool,
        call: u8,
    },
    Dtmf {
        by_alice: bool,
        call: u8,
        key: u8,
    },
    Transfer {
        by_alice: bool,
        call: u8,
        attended_to: Option<u8>,
    },
    Message {
        by_alice: bool,
    },
    Register {
        by_alice: bool,
    },
    NetworkChanged {
        by_alice: bool,
    },
    /// Delivers up to `count` datagrams in flight, oldest first.
    Deliver {
        count: u8,
    },
    /// Loses the oldest datagram in flight.
    Lose,
    /// Delivers the oldest datagram twice.
    Repeat,
    /// Swaps the two oldest datagrams.
    Reorder,
    /// Flips one byte of the oldest datagram.
    Damage {
        at: u16,
        with: u8,
    },
    /// A datagram from a stranger.
    Stranger {
        to_alice: bool,
        bytes: Vec<u8>,
    },
    /// Time passes; due timers fire.
    Wait {
        millis: u16,
    },
}

/// Everything the fuzzer chose: the generators' seeds and the story.
#[derive(Arbitrary, Debug)]
struct Story {
    seeds: (u64, u64),
    operations: Vec<Operation>,
}

struct Side {
    endpoint: Endpoint,
    account: AccountId,
    /// Every session this side has heard of, in order (calls placed and received).
    sessions: Vec<SessionId>,
}

impl Side {
    fn new(local: &str, user: &str, other: &str, seed: u64) -> Self {
        let mut endpoint = Endpoint::new(
            local.parse().unwrap(),
            TransportKind::Udp,
            "fuzz",
            Ids::seeded(seed),
        );
        let account = AccountId::new(format!("{user}@127.0.0.1")).unwrap();
        endpoint.add_account(AccountBinding {
            account: account.clone(),
            aor: format!("sip:{user}@127.0.0.1"),
            display_name: None,
            credentials: Credentials {
                username: user.into(),
                password: Password::new("pw"),
            },
            next_hop: peer(other),
            alternates: vec![],
            route: None,
            contact_user: user.into(),
            expires: 600,
            public_contact: false,
        });
        Self {
            endpoint,
            account,
            sessions: Vec::new(),
        }
    }

    fn session(&self, index: u8) -> Option<SessionId> {
        (!self.sessions.is_empty())
            .then(|| self.sessions[usize::from(index) % self.sessions.len()].clone())
    }
}

struct World {
    alice: Side,
    bob: Side,
    /// Datagrams in flight: (to Alice?, bytes).
    in_flight: VecDeque<(bool, Vec<u8>)>,
    now: Instant,
    placed: u32,
}

fn peer(addr: &str) -> Peer {
    Peer {
        addr: addr.parse().unwrap(),
        transport: TransportKind::Udp,
    }
}

impl World {
    fn side(&mut self, alice: bool) -> &mut Side {
        if alice {
            &mut self.alice
        } else {
            &mut self.bob
        }
    }

    /// Moves what both endpoints sent into the network, and learns their new sessions.
    fn collect(&mut self) {
        for from_alice in [true, false] {
            let side = self.side(from_alice);
            let mut sent = Vec::new();
            while let Some(output) = side.endpoint.poll_output() {
                match output {
                    EndpointOutput::Transmit { bytes, .. } => sent.push(bytes),
                    EndpointOutput::Event(SignalingEvent::IncomingCall { session, .. }) => {
                        side.sessions.push(session);
                    }
                    EndpointOutput::Event(_) => {}
                }
            }
            // Bounded: a story cannot make the network hold more than this.
            for bytes in sent {
                if self.in_flight.len() < 4_096 {
                    self.in_flight.push_back((!from_alice, bytes));
                }
            }
        }
    }

    fn deliver(&mut self, to_alice: bool, bytes: &[u8]) {
        let (now, from) = (self.now, if to_alice { BOB } else { ALICE });
        self.side(to_alice)
            .endpoint
            .handle_received(now, peer(from), bytes);
    }

    fn wait(&mut self, by: Duration) {
        self.now += by;
        let now = self.now;
        self.alice.endpoint.handle_timeout(now);
        self.bob.endpoint.handle_timeout(now);
    }

    fn run(&mut self, operation: Operation) {
        let now = self.now;
        match operation {
            Operation::Call {
                by_alice,
                late_offer,
            } => {
                self.placed += 1;
                let session = SessionId::new(format!("placed-{}", self.placed)).unwrap();
                let (to, side) = if by_alice {
                    (BOB, &mut self.alice)
                } else {
                    (ALICE, &mut self.bob)
                };
                let request = wink_ports::InviteRequest {
                    session: session.clone(),
                    account: side.account.clone(),
                    target: SipUri::parse(&format!("sip:x@{to}")).unwrap(),
                    offer: (!late_offer).then(|| Sdp::new("v=0 offer")),
                    replaces: None,
                };
                if side.endpoint.invite(now, request).is_ok() {
                    side.sessions.push(session);
                }
            }
            Operation::Ring { by_alice, call } => self.on_session(by_alice, call, |e, s| {
                let _ = e.ring(now, s);
            }),
            Operation::Answer { by_alice, call } => self.on_session(by_alice, call, |e, s| {
                let _ = e.answer(now, s, Some(Sdp::new("v=0 answer")));
            }),
            Operation::Reject {
                by_alice,
                call,
                busy,
            } => self.on_session(by_alice, call, |e, s| {
                let _ = e.reject(now, s, StatusCode(if busy { 486 } else { 603 }));
            }),
            Operation::Cancel { by_alice, call } => self.on_session(by_alice, call, |e, s| {
                let _ = e.cancel(now, s);
            }),
            Operation::HangUp { by_alice, call } => self.on_session(by_alice, call, |e, s| {
                let _ = e.hang_up(now, s);
            }),
            Operation::Hold { by_alice, call } => self.on_session(by_alice, call, |e, s| {
                let _ = e.reinvite(now, s, &Sdp::new("v=0 hold"));
            }),
            Operation::Dtmf {
                by_alice,
                call,
                key,
            } => {
                let key = DtmfDigit::from_char(char::from(b"0123456789*#"[usize::from(key) % 12]));
                if let Some(key) = key {
                    self.on_session(by_alice, call, |e, s| {
                        let _ = e.send_dtmf_info(now, s, key);
                    });
                }
            }
            Operation::Transfer {
                by_alice,
                call,
                attended_to,
            } => {
                let side = self.side(by_alice);
                let other = attended_to.and_then(|i| side.session(i));
                let target = match other {
                    Some(other) => TransferTarget::Attended(other),
                    None => {
                        TransferTarget::Blind(SipUri::parse("sip:carol@127.0.0.1:5073").unwrap())
                    }
                };
                self.on_session(by_alice, call, |e, s| {
                    let _ = e.transfer(now, s, &target);
                });
            }
            Operation::Message { by_alice } => {
                self.placed += 1;
                let id = MessageId::new(format!("m{}", self.placed)).unwrap();
                let to = if by_alice { BOB } else { ALICE };
                let side = self.side(by_alice);
                let request = MessageRequest {
                    id,
                    account: side.account.clone(),
                    to: SipUri::parse(&format!("sip:x@{to}")).unwrap(),
                    content_type: "text/plain".into(),
                    body: "hi".into(),
                };
                let _ = side.endpoint.send_message(now, request);
            }
            Operation::Register { by_alice } => {
                let side = self.side(by_alice);
                let account = side.account.clone();
                let _ = side.endpoint.register(now, &account);
            }
            Operation::NetworkChanged { by_alice } => {
                self.side(by_alice).endpoint.network_changed(now)
            }
            Operation::Deliver { count } => {
                for _ in 0..count {
                    let Some((to_alice, bytes)) = self.in_flight.pop_front() else {
                        break;
                    };
                    self.deliver(to_alice, &bytes);
                }
            }
            Operation::Lose => {
                self.in_flight.pop_front();
            }
            Operation::Repeat => {
                if let Some((to_alice, bytes)) = self.in_flight.front().cloned() {
                    self.deliver(to_alice, &bytes);
                    self.deliver(to_alice, &bytes);
                    self.in_flight.pop_front();
                }
            }
            Operation::Reorder => {
                if self.in_flight.len() >= 2 {
                    self.in_flight.swap(0, 1);
                }
            }
            Operation::Damage { at, with } => {
                if let Some((_, bytes)) = self.in_flight.front_mut()
                    && !bytes.is_empty()
                {
                    let at = usize::from(at) % bytes.len();
                    bytes[at] ^= with | 1;
                }
            }
            Operation::Stranger { to_alice, bytes } => {
                self.side(to_alice)
                    .endpoint
                    .handle_received(now, peer(STRANGER), &bytes);
            }
            Operation::Wait { millis } => self.wait(Duration::from_millis(u64::from(millis))),
        }
        self.collect();
    }

    fn on_session(
        &mut self,
        by_alice: bool,
        call: u8,
        act: impl FnOnce(&mut Endpoint, &SessionId),
    ) {
        let side = self.side(by_alice);
        if let Some(session) = side.session(call) {
            act(&mut side.endpoint, &session);
        }
    }

    /// Delivers everything until the network is quiet or `rounds` have passed.
    fn settle(&mut self, rounds: usize) {
        for _ in 0..rounds {
            self.collect();
            let Some((to_alice, bytes)) = self.in_flight.pop_front() else {
                return;
            };
            self.deliver(to_alice, &bytes);
        }
    }
}

const OPTIONS: &[u8] = b"OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bKopscheck\r\nFrom: <sip:f@127.0.0.1>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\nCall-ID: ops-check\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";

fuzz_target!(|story: Story| {
    let mut world = World {
        alice: Side::new(ALICE, "alice", BOB, story.seeds.0),
        bob: Side::new(BOB, "bob", ALICE, story.seeds.1),
        in_flight: VecDeque::new(),
        now: Instant::now(),
        placed: 0,
    };
    for operation in story.operations.into_iter().take(256) {
        world.run(operation);
    }
    // Everyone hangs up; the network works again; every timer runs out (Timer J/L, 32 s,
    // and the longest wait a refused re-INVITE or a session refresh can set).
    world.alice.endpoint.hang_up_all(world.now);
    world.bob.endpoint.hang_up_all(world.now);
    for _ in 0..20 {
        world.settle(10_000);
        world.wait(Duration::from_secs(20));
    }
    world.settle(10_000);
    for (name, side) in [("alice", &mut world.alice), ("bob", &mut world.bob)] {
        while side.endpoint.poll_output().is_some() {}
        side.endpoint
            .handle_received(world.now, peer(STRANGER), OPTIONS);
        let answered = std::iter::from_fn(|| side.endpoint.poll_output()).any(|o| match o {
            EndpointOutput::Transmit { bytes, .. } => {
                parse(&bytes).ok().and_then(|m| m.status()) == Some(200)
            }
            EndpointOutput::Event(_) => false,
        });
        assert!(answered, "{name} stopped answering OPTIONS");
        assert_eq!(
            side.endpoint.live_calls(),
            0,
            "{name} still holds a call after hanging up all"
        );
    }
});
