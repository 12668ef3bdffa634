//! Two sessions over a real TCP connection on 127.0.0.1: chat both ways with delivery
//! reports, a file streamed and put back together byte for byte, and a connection that
//! drops part way failing what was not delivered.

use std::time::Duration;

use tokio::sync::mpsc;
use wink_msrp::session::{Event, Reports, Session, SessionConfig};
use wink_msrp::{Connection, Listener, SessionHandle};

struct Side {
    handle: SessionHandle,
    events: mpsc::Receiver<Event>,
}

/// Bob listens, alice connects (she is `a=setup:active`).
async fn connected_pair(configure_bob: impl FnOnce(&mut SessionConfig)) -> (Side, Side) {
    let listener = Listener::bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let bob_uri = listener.uri("bob-session");
    let alice_uri = wink_msrp::MsrpUri::endpoint(false, "127.0.0.1", 9, "alice-session");
    let expected = listener.expect("bob-session");
    let mut bob_config = SessionConfig::new(bob_uri.clone());
    configure_bob(&mut bob_config);
    let alice = Session::new(
        SessionConfig::new(alice_uri.clone()),
        vec![alice_uri.clone()],
        vec![bob_uri.clone()],
        11,
        true,
    );
    let bob = Session::new(
        bob_config,
        vec![bob_uri.clone()],
        vec![alice_uri],
        12,
        false,
    );
    let alice_connection = Connection::connect(&bob_uri).await.unwrap();
    let (alice_handle, alice_events) = alice_connection.run(alice);
    let bob_connection = expected.connection(Duration::from_secs(5)).await.unwrap();
    let (bob_handle, bob_events) = bob_connection.run(bob);
    (
        Side {
            handle: alice_handle,
            events: alice_events,
        },
        Side {
            handle: bob_handle,
            events: bob_events,
        },
    )
}

async fn next_event(side: &mut Side) -> Event {
    tokio::time::timeout(Duration::from_secs(10), side.events.recv())
        .await
        .expect("an event within 10 s")
        .expect("the connection is up")
}

/// Waits (bounded) for an event that `matches`, returning it; others are skipped.
async fn wait_for(side: &mut Side, matches: impl Fn(&Event) -> bool) -> Event {
    for _ in 0..100_000 {
        let event = next_event(side).await;
        if matches(&event) {
            return event;
        }
    }
    panic!("no such event");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_goes_both_ways_and_each_line_is_reported_delivered() {
    let (mut alice, mut bob) = connected_pair(|_| {}).await;
    let reports = Reports {
        success: true,
        ..Reports::default()
    };
    let hello = alice
        .handle
        .send("text/plain", b"Hello Bob".to_vec(), reports)
        .await
        .unwrap();
    let Event::Message {
        body, content_type, ..
    } = wait_for(&mut bob, |e| matches!(e, Event::Message { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(
        (body.as_slice(), content_type.as_str()),
        (&b"Hello Bob"[..], "text/plain")
    );
    assert_eq!(
        wait_for(&mut alice, |e| matches!(e, Event::Delivered { .. })).await,
        Event::Delivered { id: hello }
    );
    let answer = bob
        .handle
        .send("text/plain", "Hi Alice ☺".as_bytes().to_vec(), reports)
        .await
        .unwrap();
    let Event::Message { body, .. } =
        wait_for(&mut alice, |e| matches!(e, Event::Message { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(String::from_utf8(body).unwrap(), "Hi Alice ☺");
    assert_eq!(
        wait_for(&mut bob, |e| matches!(e, Event::Delivered { .. })).await,
        Event::Delivered { id: answer }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_arrives_byte_for_byte_with_progress_on_the_sending_side() {
    let (mut alice, mut bob) = connected_pair(|_| {}).await;
    let mut file = tempfile::NamedTempFile::new().unwrap();
    let content: Vec<u8> = (0..5_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    std::io::Write::write_all(&mut file, &content).unwrap();
    let id = alice
        .handle
        .send_file(
            file.path().to_owned(),
            "application/octet-stream",
            0,
            Reports::default(),
        )
        .await
        .unwrap();
    // Alice's events are read as they come (a reader that stops reading slows her down).
    let alice_side = tokio::spawn(async move {
        let mut progress = Vec::new();
        loop {
            match next_event(&mut alice).await {
                Event::Progress {
                    acknowledged,
                    total,
                    ..
                } => progress.push((acknowledged, total)),
                Event::Sent { id: sent } => return (sent, progress),
                other => panic!("{other:?}"),
            }
        }
    });
    let mut received = vec![0u8; content.len()];
    let mut pieces = 0;
    loop {
        match next_event(&mut bob).await {
            Event::Started { total, .. } => assert_eq!(total, Some(5_000_000)),
            Event::Data { offset, data, .. } => {
                received[offset as usize..offset as usize + data.len()].copy_from_slice(&data);
                pieces += 1;
            }
            Event::Finished { .. } => break,
            other => panic!("{other:?}"),
        }
    }
    assert!(received == content, "the file arrived changed");
    assert!(
        pieces > 100,
        "{pieces} pieces: the file was not streamed in chunks"
    );
    let (sent, progress) = alice_side.await.unwrap();
    assert_eq!(sent, id);
    assert!(
        progress.windows(2).all(|w| w[0].0 < w[1].0),
        "progress went back"
    );
    assert!(progress.iter().all(|p| p.1 == 5_000_000));
    let last_progress = progress.last().unwrap().0;
    assert_eq!(last_progress, 5_000_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_other_side_goes_away_what_was_not_delivered_fails() {
    let (mut alice, bob) = connected_pair(|_| {}).await;
    let reports = Reports {
        success: true,
        ..Reports::default()
    };
    // Bob's side ends: its connection closes.
    bob.handle.close();
    drop(bob);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let id = alice
        .handle
        .send("text/plain", b"are you still there?".to_vec(), reports)
        .await;
    // Either the connection was already gone (no id), or the line fails.
    if let Some(id) = id {
        let failed = wait_for(&mut alice, |e| matches!(e, Event::Failed { .. })).await;
        assert!(matches!(failed, Event::Failed { id: f, .. } if f == id));
    }
    // The event stream ends: the connection is gone.
    let end = tokio::time::timeout(Duration::from_secs(10), async {
        while alice.events.recv().await.is_some() {}
    })
    .await;
    assert!(
        end.is_ok(),
        "alice's session did not notice the connection closed"
    );
}
