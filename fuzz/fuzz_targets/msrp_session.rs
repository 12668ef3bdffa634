//! Two MSRP sessions driven by an arbitrary story: messages and streams sent, aborted,
//! bytes delivered in arbitrary pieces, lost, damaged or repeated, time passing, the
//! connection closing. Nothing panics, and every message alice sends ends exactly one way:
//! delivered or taken (sent), or failed — never silently lost.
#![no_main]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use wink_msrp::session::{Event, Output, Reports, Session, SessionConfig};
use wink_msrp::{FailureReport, MsrpUri};

#[derive(Arbitrary, Debug)]
enum Op {
    Message { size: u16, success: bool, failure: u8, kind: u8 },
    Stream { size: u32, start: u16 },
    Abort { which: u8 },
    /// Bob reads this many of the bytes alice wrote.
    DeliverToBob { bytes: u16 },
    DeliverToAlice { bytes: u16 },
    LoseToBob { bytes: u16 },
    DamageToBob { at: u16, value: u8 },
    RepeatToBob { bytes: u16 },
    Wait { millis: u32 },
}

#[derive(Arbitrary, Debug)]
struct Story {
    chunk: u16,
    whole_limit: u16,
    max_size: u32,
    ops: Vec<Op>,
}

const KINDS: [&str; 3] = ["text/plain", "message/cpim", "image/png"];

fn pump(session: &mut Session, now: Instant, wire: &mut Vec<u8>, events: &mut Vec<Event>) {
    for _ in 0..100_000 {
        while let Some(wanted) = session.data_wanted() {
            session.supply(&wanted.id, &vec![b's'; wanted.len]);
        }
        match session.poll_output(now) {
            Output::Transmit(bytes) => wire.extend_from_slice(&bytes),
            Output::Event(event) => events.push(event),
            Output::Timeout(_) | Output::Idle => return,
        }
    }
}

fuzz_target!(|story: Story| {
    let (a, b) = (
        MsrpUri::endpoint(false, "127.0.0.1", 4001, "alice"),
        MsrpUri::endpoint(false, "127.0.0.1", 4002, "bob"),
    );
    let mut config_a = SessionConfig::new(a.clone());
    config_a.chunk_size = usize::from(story.chunk.max(64));
    let mut config_b = SessionConfig::new(b.clone());
    config_b.whole_message_limit = u64::from(story.whole_limit);
    config_b.max_message_size = u64::from(story.max_size);
    config_b.accept_types = vec!["text/*".into(), "message/cpim".into()];
    let mut alice = Session::new(config_a, vec![a.clone()], vec![b.clone()], 1, true);
    let mut bob = Session::new(config_b, vec![b], vec![a], 2, false);
    let mut now = Instant::now();
    let (mut to_bob, mut to_alice) = (Vec::new(), Vec::new());
    let (mut alice_events, mut bob_events) = (Vec::new(), Vec::new());
    let mut sent_ids = Vec::new();
    let mut wants_report = HashMap::new();
    let mut aborted = Vec::new();

    for op in story.ops.into_iter().take(200) {
        match op {
            Op::Message { size, success, failure, kind } => {
                let reports = Reports {
                    success,
                    failure: [FailureReport::Yes, FailureReport::Partial, FailureReport::No]
                        [usize::from(failure % 3)],
                };
                let id = alice.send_message(KINDS[usize::from(kind % 3)], vec![b'm'; usize::from(size)], reports);
                wants_report.insert(id.clone(), reports);
                sent_ids.push(id);
            }
            Op::Stream { size, start } => {
                let size = u64::from(size % 200_000);
                let id = alice.send_stream("text/plain", size, u64::from(start), Reports::default());
                wants_report.insert(id.clone(), Reports::default());
                sent_ids.push(id);
            }
            Op::Abort { which } => {
                if let Some(id) = sent_ids.get(usize::from(which) % sent_ids.len().max(1)) {
                    alice.abort(now, id);
                    aborted.push(id.clone());
                }
            }
            Op::DeliverToBob { bytes } => {
                let n = usize::from(bytes).min(to_bob.len());
                bob.handle_input(now, &to_bob[..n]);
                to_bob.drain(..n);
            }
            Op::DeliverToAlice { bytes } => {
                let n = usize::from(bytes).min(to_alice.len());
                alice.handle_input(now, &to_alice[..n]);
                to_alice.drain(..n);
            }
            Op::LoseToBob { bytes } => {
                let n = usize::from(bytes).min(to_bob.len());
                to_bob.drain(..n);
            }
            Op::DamageToBob { at, value } => {
                if let Some(byte) = to_bob.get_mut(usize::from(at)) {
                    *byte = value;
                }
            }
            Op::RepeatToBob { bytes } => {
                let n = usize::from(bytes).min(to_bob.len());
                bob.handle_input(now, &to_bob[..n]);
            }
            Op::Wait { millis } => {
                now += Duration::from_millis(u64::from(millis % 60_000));
                alice.handle_timeout(now);
                bob.handle_timeout(now);
            }
        }
        pump(&mut alice, now, &mut to_bob, &mut alice_events);
        pump(&mut bob, now, &mut to_alice, &mut bob_events);
    }
    alice.close();
    pump(&mut alice, now, &mut to_bob, &mut alice_events);

    // Every message ends exactly one way; one the user gave up may end no way.
    for id in &sent_ids {
        let failed = alice_events
            .iter()
            .filter(|e| matches!(e, Event::Failed { id: f, .. } if f == id))
            .count();
        let delivered = alice_events.contains(&Event::Delivered { id: id.clone() });
        let taken = alice_events.contains(&Event::Sent { id: id.clone() }) && !wants_report[id].success;
        let endings = failed + usize::from(delivered) + usize::from(taken);
        if aborted.contains(id) {
            assert!(endings <= 1, "{id} ended {endings} ways");
        } else {
            assert_eq!(endings, 1, "{id}: failed {failed}, delivered {delivered}, taken {taken}");
        }
    }
});
