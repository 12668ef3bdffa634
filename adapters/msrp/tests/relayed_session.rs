//! Chat and a file through a real MSRP relay (kamailio's msrp module, started by
//! scripts/peers/msrp-relay.sh on 127.0.0.1:2855 inside the test namespace): both sides
//! authenticate to it (RFC 4976 AUTH with digest), put its Use-Path in front of their own
//! URI, and talk through it; a wrong password is refused in words.

use std::time::Duration;

use tokio::sync::mpsc;
use wink_digest::Credentials;
use wink_msrp::relay::RelayAuth;
use wink_msrp::session::{Event, Reports, Session, SessionConfig};
use wink_msrp::{Connection, MsrpUri, RelayError, SessionHandle};
use wink_ports::Password;
use wink_tests::msrp_relay::OwnMsrpRelay;

fn relay() -> MsrpUri {
    let address = std::env::var("WINK_TEST_MSRP_RELAY").expect(
        "WINK_TEST_MSRP_RELAY is not set: run inside scripts/in-test-namespace.sh, which starts the relay",
    );
    MsrpUri::parse(&format!("msrp://{address};tcp")).expect("a relay address")
}

fn credentials(user: &str, password: &str) -> Credentials {
    Credentials {
        username: user.to_owned(),
        password: Password::new(password),
    }
}

/// Connects to the relay and authenticates; our path (Use-Path, then our URI).
async fn through_relay(user: &str, session_id: &str) -> (Connection, Vec<MsrpUri>) {
    through(relay(), user, session_id).await
}

async fn through(relay: MsrpUri, user: &str, session_id: &str) -> (Connection, Vec<MsrpUri>) {
    let local = MsrpUri::endpoint(false, "127.0.0.1", 9, session_id);
    let mut connection = Connection::connect(&relay)
        .await
        .expect("the relay accepts connections");
    let auth = RelayAuth::new(
        relay,
        local.clone(),
        credentials(user, &format!("{user}-pw")),
        5,
        None,
    );
    let (mut path, _expires) = connection
        .authenticate(auth)
        .await
        .expect("the relay accepts the test user");
    path.push(local);
    (connection, path)
}

async fn wait_for(events: &mut mpsc::Receiver<Event>, matches: impl Fn(&Event) -> bool) -> Event {
    loop {
        let event = tokio::time::timeout(Duration::from_secs(10), events.recv())
            .await
            .expect("an event within 10 s")
            .expect("the connection is up");
        if matches(&event) {
            return event;
        }
    }
}

fn session(path: &[MsrpUri], other: &[MsrpUri], seed: u64) -> Session {
    let local = path.last().unwrap().clone();
    // Requests go through our relay, then along the other side's path.
    let mut to_path = path[..path.len() - 1].to_vec();
    to_path.extend_from_slice(other);
    Session::new(
        SessionConfig::new(local.clone()),
        vec![local],
        to_path,
        seed,
        true,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_users_of_one_relay_chat_through_it_with_delivery_reports() {
    let (alice_connection, alice_path) = through_relay("alice", "alice-relayed").await;
    let (bob_connection, bob_path) = through_relay("bob", "bob-relayed").await;
    assert_eq!(alice_path.len(), 2, "Use-Path then alice: {alice_path:?}");
    assert_eq!(alice_path[0].port(), relay().port());
    let (alice, mut alice_events): (SessionHandle, _) =
        alice_connection.run(session(&alice_path, &bob_path, 21));
    let (bob, mut bob_events): (SessionHandle, _) =
        bob_connection.run(session(&bob_path, &alice_path, 22));
    let reports = Reports {
        success: true,
        ..Reports::default()
    };

    let id = alice
        .send("text/plain", b"via the relay".to_vec(), reports)
        .await
        .unwrap();
    let got = wait_for(&mut bob_events, |e| matches!(e, Event::Message { .. })).await;
    assert!(matches!(got, Event::Message { body, .. } if body == b"via the relay"));
    assert_eq!(
        wait_for(&mut alice_events, |e| matches!(
            e,
            Event::Delivered { .. } | Event::Failed { .. }
        ))
        .await,
        Event::Delivered { id }
    );

    let back = bob
        .send("text/plain", b"and back".to_vec(), reports)
        .await
        .unwrap();
    let got = wait_for(&mut alice_events, |e| matches!(e, Event::Message { .. })).await;
    assert!(matches!(got, Event::Message { body, .. } if body == b"and back"));
    assert_eq!(
        wait_for(&mut bob_events, |e| matches!(
            e,
            Event::Delivered { .. } | Event::Failed { .. }
        ))
        .await,
        Event::Delivered { id: back }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_refused_by_the_relay() {
    let mut connection = Connection::connect(&relay()).await.unwrap();
    let local = MsrpUri::endpoint(false, "127.0.0.1", 9, "mallory");
    let auth = RelayAuth::new(
        relay(),
        local,
        credentials("alice", "not-her-password"),
        6,
        None,
    );
    match connection.authenticate(auth).await {
        Err(RelayError::Refused { code: 401, reason }) => {
            assert!(reason.contains("password"), "{reason}");
        }
        other => panic!("expected a 401 refusal, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_relay_stops_mid_chat_the_sender_sees_the_line_fail() {
    // A relay of this test's own: the shared one stays up for the other tests.
    let own = OwnMsrpRelay::start(2857);
    let uri = MsrpUri::parse(&own.uri()).unwrap();
    let (alice_connection, alice_path) = through(uri.clone(), "alice", "alice-cut").await;
    let (bob_connection, bob_path) = through(uri, "bob", "bob-cut").await;
    let (alice, mut alice_events) = alice_connection.run(session(&alice_path, &bob_path, 31));
    let (_bob, mut bob_events) = bob_connection.run(session(&bob_path, &alice_path, 32));
    let reports = Reports {
        success: true,
        ..Reports::default()
    };
    alice
        .send("text/plain", b"first".to_vec(), reports)
        .await
        .unwrap();
    wait_for(&mut bob_events, |e| matches!(e, Event::Message { .. })).await;
    wait_for(&mut alice_events, |e| matches!(e, Event::Delivered { .. })).await;

    own.stop();
    let line = alice.send("text/plain", b"second".to_vec(), reports).await;
    let mut failed = Vec::new();
    let mut delivered = Vec::new();
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(event) = alice_events.recv().await {
            match event {
                Event::Failed { id, .. } => failed.push(id),
                Event::Delivered { id } => delivered.push(id),
                _ => {}
            }
        }
    })
    .await;
    assert!(
        ended.is_ok(),
        "alice's session did not notice the relay was gone"
    );
    assert!(
        delivered.is_empty(),
        "a line was reported delivered with the relay down"
    );
    if let Some(line) = line {
        assert_eq!(
            failed,
            vec![line],
            "the line typed after the relay stopped must fail"
        );
    }
}
