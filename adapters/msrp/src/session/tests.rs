use super::*;

/// Two sessions joined by a perfect wire, in virtual time.
struct Pair {
    alice: Session,
    bob: Session,
    now: Instant,
    alice_events: Vec<Event>,
    bob_events: Vec<Event>,
    /// Every frame bob received (for looking at what alice wrote).
    to_bob: Vec<u8>,
}

fn uri(id: &str, port: u16) -> MsrpUri {
    MsrpUri::endpoint(false, "127.0.0.1", port, id)
}

impl Pair {
    fn new(bob_config: impl FnOnce(&mut SessionConfig)) -> Self {
        let (a, b) = (uri("alice1", 4001), uri("bob1", 4002));
        let mut config_b = SessionConfig::new(b.clone());
        bob_config(&mut config_b);
        Self {
            alice: Session::new(
                SessionConfig::new(a.clone()),
                vec![a.clone()],
                vec![b.clone()],
                1,
                true,
            ),
            bob: Session::new(config_b, vec![b], vec![a], 2, false),
            now: Instant::now(),
            alice_events: Vec::new(),
            bob_events: Vec::new(),
            to_bob: Vec::new(),
        }
    }

    /// Moves bytes both ways until neither side has anything to say; a stream of alice's
    /// is fed from `source` as she asks.
    fn drive_with(&mut self, source: &[u8]) {
        for _ in 0..1_000_000 {
            while let Some(wanted) = self.alice.data_wanted() {
                let start = wanted.offset as usize;
                let end = (start + wanted.len).min(source.len());
                self.alice.supply(&wanted.id, &source[start..end]);
            }
            let mut moved = false;
            if let Output::Transmit(bytes) = poll(&mut self.alice, self.now, &mut self.alice_events)
            {
                self.to_bob.extend_from_slice(&bytes);
                self.bob.handle_input(self.now, &bytes);
                moved = true;
            }
            if let Output::Transmit(bytes) = poll(&mut self.bob, self.now, &mut self.bob_events) {
                self.alice.handle_input(self.now, &bytes);
                moved = true;
            }
            if !moved {
                return;
            }
        }
        panic!("the pair never went quiet");
    }

    fn drive(&mut self) {
        self.drive_with(&[]);
    }
}

/// Polls until a transmit or nothing; events are collected.
fn poll(session: &mut Session, now: Instant, events: &mut Vec<Event>) -> Output {
    loop {
        match session.poll_output(now) {
            Output::Event(event) => events.push(event),
            other => return other,
        }
    }
}

fn failed_codes(events: &[Event]) -> Vec<u16> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Failed { code, .. } => Some(*code),
            _ => None,
        })
        .collect()
}

#[test]
fn a_chat_line_arrives_whole_and_its_sender_learns_it_was_taken_and_delivered() {
    let mut pair = Pair::new(|_| {});
    let reports = Reports {
        success: true,
        ..Reports::default()
    };
    let id = pair
        .alice
        .send_message("text/plain", b"Hey Bob, are you there?".to_vec(), reports);
    pair.drive();
    assert_eq!(
        pair.bob_events,
        vec![Event::Message {
            id: id.clone(),
            content_type: "text/plain".into(),
            body: b"Hey Bob, are you there?".to_vec(),
        }]
    );
    assert_eq!(
        pair.alice_events,
        vec![Event::Sent { id: id.clone() }, Event::Delivered { id }]
    );
    // The first thing alice wrote binds the connection: an empty SEND, no message for bob.
    let (frames, _, _) = crate::decoder::decode_frames(&pair.to_bob);
    assert_eq!(frames[0].head.header("Byte-Range"), Some("1-0/0"));
    assert!(frames[0].body.is_empty());
    assert_eq!(pair.alice.poll_output(pair.now), Output::Idle);
}

#[test]
fn a_large_message_streams_in_chunks_and_a_chat_line_goes_between_them() {
    let mut pair = Pair::new(|c| c.whole_message_limit = 1000);
    let file: Vec<u8> = (0..1_500_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let file_id = pair.alice.send_stream(
        "application/octet-stream",
        file.len() as u64,
        0,
        Reports::default(),
    );
    // Two chunks out, then a chat line is typed.
    for _ in 0..3 {
        if let Some(wanted) = pair.alice.data_wanted() {
            let (s, e) = (wanted.offset as usize, wanted.offset as usize + wanted.len);
            pair.alice.supply(&wanted.id, &file[s..e]);
        }
        let Output::Transmit(bytes) = poll(&mut pair.alice, pair.now, &mut pair.alice_events)
        else {
            panic!("alice has a chunk to send");
        };
        pair.bob.handle_input(pair.now, &bytes);
    }
    let line = pair
        .alice
        .send_message("text/plain", b"one moment".to_vec(), Reports::default());
    pair.drive_with(&file);

    let mut received = vec![0u8; file.len()];
    let mut order = Vec::new();
    for event in &pair.bob_events {
        match event {
            Event::Data { id, offset, data } => {
                assert_eq!(id, &file_id);
                received[*offset as usize..*offset as usize + data.len()].copy_from_slice(data);
                order.push("data");
            }
            Event::Message { id, .. } => {
                assert_eq!(id, &line);
                order.push("line");
            }
            Event::Started { total, .. } => assert_eq!(*total, Some(1_500_000)),
            Event::Finished { id } => {
                assert_eq!(id, &file_id);
                order.push("finished");
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(received, file);
    let line_at = order.iter().position(|o| *o == "line").unwrap();
    assert!(
        line_at < order.len() - 5,
        "the line waited for the file: {order:?}"
    );
    assert_eq!(order.last(), Some(&"finished"));
    let progress: Vec<u64> = pair
        .alice_events
        .iter()
        .filter_map(|e| match e {
            Event::Progress { acknowledged, .. } => Some(*acknowledged),
            _ => None,
        })
        .collect();
    assert!(progress.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(progress.last(), Some(&1_500_000));
    assert!(pair.alice_events.contains(&Event::Sent { id: file_id }));
}

#[test]
fn refusals_come_back_as_failures_with_their_status() {
    // A content type bob does not take: 415.
    let mut pair = Pair::new(|c| c.accept_types = vec!["text/*".into(), "message/cpim".into()]);
    pair.alice
        .send_message("image/png", vec![1, 2, 3], Reports::default());
    pair.alice
        .send_message("text/html", b"<b>hi</b>".to_vec(), Reports::default());
    pair.drive();
    assert_eq!(failed_codes(&pair.alice_events), vec![415]);
    assert_eq!(pair.bob_events.len(), 1, "{:?}", pair.bob_events);

    // Larger than bob's limit: 413 on the first chunk, and alice sends no more of it.
    let mut pair = Pair::new(|c| c.max_message_size = 10_000);
    let big = vec![b'x'; 100_000];
    pair.alice.send_stream(
        "application/octet-stream",
        big.len() as u64,
        0,
        Reports::default(),
    );
    pair.drive_with(&big);
    assert_eq!(failed_codes(&pair.alice_events), vec![413]);
    assert!(pair.bob_events.is_empty(), "{:?}", pair.bob_events);
    let (frames, _, _) = crate::decoder::decode_frames(&pair.to_bob);
    assert!(
        frames.len() <= 3,
        "{} frames sent after the 413",
        frames.len()
    );
}

#[test]
fn a_send_for_another_session_gets_481() {
    let mut pair = Pair::new(|c| c.local = uri("someone-else", 4002));
    pair.alice
        .send_message("text/plain", b"hello".to_vec(), Reports::default());
    pair.drive();
    assert_eq!(failed_codes(&pair.alice_events), vec![481]);
    assert!(pair.bob_events.is_empty());
}

#[test]
fn a_send_without_response_fails_with_408_after_the_timeout() {
    let mut pair = Pair::new(|_| {});
    let id = pair
        .alice
        .send_message("text/plain", b"anyone?".to_vec(), Reports::default());
    // Sent into the void: bob never reads it.
    let deadline = loop {
        match pair.alice.poll_output(pair.now) {
            Output::Transmit(_) => {}
            Output::Timeout(at) => break at,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(deadline, pair.now + Duration::from_secs(30));
    pair.alice
        .handle_timeout(deadline - Duration::from_millis(1));
    assert_eq!(pair.alice.poll_output(pair.now), Output::Timeout(deadline));
    pair.alice.handle_timeout(deadline);
    assert_eq!(
        pair.alice.poll_output(deadline),
        Output::Event(Event::Failed {
            id,
            code: 408,
            reason: "no response from the other side".into()
        })
    );
    assert_eq!(pair.alice.poll_output(deadline), Output::Idle);
}

#[test]
fn an_aborted_message_is_abandoned_at_the_receiver() {
    let mut pair = Pair::new(|c| c.whole_message_limit = 10);
    let file = vec![b'f'; 500_000];
    let id = pair.alice.send_stream(
        "application/octet-stream",
        file.len() as u64,
        0,
        Reports::default(),
    );
    let wanted = pair.alice.data_wanted().unwrap();
    pair.alice.supply(&wanted.id, &file[..wanted.len]);
    let mut events = Vec::new();
    while let Output::Transmit(bytes) = poll(&mut pair.alice, pair.now, &mut events) {
        pair.bob.handle_input(pair.now, &bytes);
    }
    pair.alice.abort(pair.now, &id);
    pair.drive();
    assert!(matches!(
        pair.bob_events.first(),
        Some(Event::Started { .. })
    ));
    assert_eq!(
        pair.bob_events.last(),
        Some(&Event::Abandoned { id: id.clone() })
    );
    assert_eq!(pair.alice.data_wanted(), None);
}

#[test]
fn bad_frames_get_400_or_501_and_garbage_breaks_only_this_session() {
    let mut pair = Pair::new(|_| {});
    let bob_uri = "msrp://127.0.0.1:4002/bob1;tcp";
    let alice_uri = "msrp://127.0.0.1:4001/alice1;tcp";
    let bad_header = format!(
        "MSRP t0001 SEND\r\nTo-Path: {bob_uri}\r\nFrom-Path {alice_uri}\r\n-------t0001$\r\n"
    );
    let unknown = format!(
        "MSRP t0002 FROB\r\nTo-Path: {bob_uri}\r\nFrom-Path: {alice_uri}\r\n-------t0002$\r\n"
    );
    let no_id = format!(
        "MSRP t0003 SEND\r\nTo-Path: {bob_uri}\r\nFrom-Path: {alice_uri}\r\nContent-Type: text/plain\r\n\r\nx\r\n-------t0003$\r\n"
    );
    pair.bob
        .handle_input(pair.now, format!("{bad_header}{unknown}{no_id}").as_bytes());
    let mut answers = Vec::new();
    while let Output::Transmit(bytes) = poll(&mut pair.bob, pair.now, &mut pair.bob_events) {
        answers.extend_from_slice(&bytes);
    }
    let (frames, _, _) = crate::decoder::decode_frames(&answers);
    let codes: Vec<_> = frames
        .iter()
        .map(|f| (f.head.transaction.as_str(), f.head.kind.clone()))
        .map(|(t, k)| match k {
            Kind::Response { code, .. } => (t.to_owned(), code),
            Kind::Request(_) => panic!("bob sent a request"),
        })
        .collect();
    assert_eq!(
        codes,
        vec![
            ("t0001".into(), 400),
            ("t0002".into(), 501),
            ("t0003".into(), 400)
        ]
    );
    assert!(pair.bob_events.is_empty());

    pair.bob.handle_input(pair.now, b"GET / HTTP/1.1\r\n\r\n");
    assert!(pair.bob.is_broken());
    assert!(matches!(
        pair.bob.poll_output(pair.now),
        Output::Event(Event::Broken { .. })
    ));
}

#[test]
fn closing_fails_every_message_not_settled_and_only_those() {
    let mut pair = Pair::new(|_| {});
    let reports = Reports {
        success: true,
        ..Reports::default()
    };
    let delivered = pair
        .alice
        .send_message("text/plain", b"first".to_vec(), reports);
    pair.drive();
    let in_flight = pair
        .alice
        .send_message("text/plain", b"second".to_vec(), reports);
    let queued = pair
        .alice
        .send_message("text/plain", b"third".to_vec(), reports);
    // One chunk goes out and is never answered; the third never leaves.
    assert!(matches!(
        pair.alice.poll_output(pair.now),
        Output::Transmit(_)
    ));
    pair.alice.close();
    let mut events = Vec::new();
    assert_eq!(poll(&mut pair.alice, pair.now, &mut events), Output::Idle);
    let failed: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::Failed { id, code: 0, .. } => Some(id.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(failed, vec![in_flight, queued]);
    assert!(
        pair.alice_events
            .contains(&Event::Delivered { id: delivered })
    );
}

#[test]
fn a_peer_cannot_make_the_receiver_hold_unbounded_memory() {
    let mut pair = Pair::new(|c| c.whole_message_limit = 10_000);
    let bob_uri = "msrp://127.0.0.1:4002/bob1;tcp";
    let alice_uri = "msrp://127.0.0.1:4001/alice1;tcp";
    // Forty messages that each claim to be 10,000 bytes and send their last byte first.
    let mut flood = String::new();
    for n in 0..40 {
        flood.push_str(&format!(
            "MSRP tx{n:04} SEND\r\nTo-Path: {bob_uri}\r\nFrom-Path: {alice_uri}\r\nMessage-ID: m{n}\r\n\
             Byte-Range: 10000-10000/10000\r\nContent-Type: text/plain\r\n\r\nx\r\n-------tx{n:04}+\r\n"
        ));
    }
    pair.bob.handle_input(pair.now, flood.as_bytes());
    let mut answers = Vec::new();
    while let Output::Transmit(bytes) = poll(&mut pair.bob, pair.now, &mut pair.bob_events) {
        answers.extend_from_slice(&bytes);
    }
    let (frames, _, _) = crate::decoder::decode_frames(&answers);
    let refused = frames
        .iter()
        .filter(|f| matches!(f.head.kind, Kind::Response { code: 413, .. }))
        .count();
    // 4 × 10,000 bytes may be held: the first four messages are taken, the rest refused.
    assert_eq!(frames.len(), 40);
    assert_eq!(refused, 36, "{refused} refused");
}

#[test]
fn events_can_be_taken_while_frames_wait() {
    let mut pair = Pair::new(|_| {});
    pair.alice
        .send_message("text/plain", b"one".to_vec(), Reports::default());
    let mut wire = Vec::new();
    while let Output::Transmit(bytes) = pair.alice.poll_output(pair.now) {
        wire.extend_from_slice(&bytes);
    }
    pair.bob.handle_input(pair.now, &wire);
    // Bob has a 200 to write and a message to hand out: the message comes without the 200
    // being taken.
    assert!(matches!(pair.bob.poll_event(), Some(Event::Message { .. })));
    assert_eq!(pair.bob.poll_event(), None);
    assert!(matches!(
        pair.bob.poll_output(pair.now),
        Output::Transmit(_)
    ));
}

#[test]
fn chunks_that_come_out_of_order_still_make_the_whole_message() {
    let mut pair = Pair::new(|c| c.whole_message_limit = 100_000);
    let bob_uri = "msrp://127.0.0.1:4002/bob1;tcp";
    let alice_uri = "msrp://127.0.0.1:4001/alice1;tcp";
    let chunk = |n: u32, range: &str, body: &str, flag: char| {
        format!(
            "MSRP t{n:04} SEND\r\nTo-Path: {bob_uri}\r\nFrom-Path: {alice_uri}\r\nMessage-ID: ooo\r\n\
             Byte-Range: {range}\r\nContent-Type: text/plain\r\n\r\n{body}\r\n-------t{n:04}{flag}\r\n"
        )
    };
    // The last chunk first (a relay with several workers reorders), then the first.
    pair.bob
        .handle_input(pair.now, chunk(2, "6-10/10", "world", '$').as_bytes());
    assert!(pair.bob_events.is_empty());
    while let Output::Transmit(_) = poll(&mut pair.bob, pair.now, &mut pair.bob_events) {}
    assert!(pair.bob_events.is_empty(), "{:?}", pair.bob_events);
    pair.bob
        .handle_input(pair.now, chunk(1, "1-5/10", "hello", '+').as_bytes());
    while let Output::Transmit(_) = poll(&mut pair.bob, pair.now, &mut pair.bob_events) {}
    assert_eq!(
        pair.bob_events,
        vec![Event::Message {
            id: "ooo".into(),
            content_type: "text/plain".into(),
            body: b"helloworld".to_vec(),
        }]
    );
}
