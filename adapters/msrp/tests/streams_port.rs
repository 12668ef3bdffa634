//! The MessageStreamPort over real TCP on 127.0.0.1, as the domain drives it: one side
//! offers a chat stream, the other answers, the offerer applies the answer; messages sent
//! before the connection is up wait and then go; delivery comes back under the domain's
//! ids; the same through the test relay (kamailio's msrp module).

use std::time::Duration;

use futures_util::StreamExt;
use wink_digest::Credentials;
use wink_msrp::{MsrpStreams, MsrpUri, RelaySettings, StreamsConfig};
use wink_ports::stream::EventStream;
use wink_ports::{MessageId, MessageStreamPort, OutgoingMessage, SessionId, StreamEvent};

fn config(relay_user: Option<&str>) -> StreamsConfig {
    let relay = relay_user.map(|user| {
        let address = std::env::var("WINK_TEST_MSRP_RELAY").expect(
            "WINK_TEST_MSRP_RELAY is not set: run inside scripts/in-test-namespace.sh, which starts the relay",
        );
        RelaySettings {
            uri: MsrpUri::parse(&format!("msrp://{address};tcp")).unwrap(),
            credentials: Credentials {
                username: user.to_owned(),
                password: wink_ports::Password::new(format!("{user}-pw")),
            },
        }
    });
    StreamsConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        announce: None,
        relay,
        max_message_size: 1 << 20,
        downloads: std::env::temp_dir().join("wink-msrp-test-unused"),
    }
}

fn line(id: &str, text: &str) -> OutgoingMessage {
    OutgoingMessage {
        id: MessageId::new(id).unwrap(),
        content_type: "text/plain".into(),
        body: text.as_bytes().to_vec(),
    }
}

async fn next(
    events: &mut EventStream<StreamEvent>,
    matches: impl Fn(&StreamEvent) -> bool,
) -> StreamEvent {
    loop {
        let event = tokio::time::timeout(Duration::from_secs(10), events.next())
            .await
            .expect("an event within 10 s")
            .expect("the event stream goes on");
        if matches(&event) {
            return event;
        }
    }
}

async fn chat(alice_relay: Option<&str>, bob_relay: Option<&str>) {
    let alice = MsrpStreams::new(config(alice_relay), 1).await.unwrap();
    let bob = MsrpStreams::new(config(bob_relay), 2).await.unwrap();
    let (mut alice_events, mut bob_events) = (alice.events(), bob.events());
    let (on_alice, on_bob) = (
        SessionId::new("call-a").unwrap(),
        SessionId::new("call-b").unwrap(),
    );

    let offer = alice.offer(&on_alice).await.unwrap();
    // Typed before the other side accepted: it waits.
    alice
        .send(&on_alice, line("m1", "typed early"))
        .await
        .unwrap();
    let answer = bob.answer(&on_bob, &offer).await.unwrap();
    alice.apply_answer(&on_alice, &answer).await.unwrap();

    let received = next(&mut bob_events, |e| {
        matches!(e, StreamEvent::Received { .. })
    })
    .await;
    assert!(matches!(received, StreamEvent::Received { body, .. } if body == b"typed early"));
    let delivered = next(&mut alice_events, |e| {
        matches!(
            e,
            StreamEvent::Delivered { .. } | StreamEvent::Failed { .. }
        )
    })
    .await;
    assert_eq!(
        delivered,
        StreamEvent::Delivered {
            session: on_alice.clone(),
            id: MessageId::new("m1").unwrap()
        }
    );
    bob.send(&on_bob, line("r1", "got it")).await.unwrap();
    let received = next(&mut alice_events, |e| {
        matches!(e, StreamEvent::Received { .. })
    })
    .await;
    assert!(
        matches!(received, StreamEvent::Received { session, body, .. } if session == on_alice && body == b"got it")
    );
    let delivered = next(&mut bob_events, |e| {
        matches!(
            e,
            StreamEvent::Delivered { .. } | StreamEvent::Failed { .. }
        )
    })
    .await;
    assert_eq!(
        delivered,
        StreamEvent::Delivered {
            session: on_bob.clone(),
            id: MessageId::new("r1").unwrap()
        }
    );

    // Bob leaves: alice hears the stream closed, and a line sent after fails.
    bob.close(&on_bob).await;
    if alice_relay.is_none() {
        // Directly connected, alice hears the stream close when bob leaves.
        next(&mut alice_events, |e| {
            matches!(e, StreamEvent::Closed { .. })
        })
        .await;
    }
    // A line nobody confirms is marked failed when alice's side ends, never left pending.
    alice.send(&on_alice, line("m2", "hello?")).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    alice.close(&on_alice).await;
    let failed = next(&mut alice_events, |e| {
        matches!(
            e,
            StreamEvent::Failed { .. } | StreamEvent::Delivered { .. }
        )
    })
    .await;
    assert!(
        matches!(&failed, StreamEvent::Failed { id, .. } if id.as_str() == "m2"),
        "{failed:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chat_stream_offered_answered_and_used_directly() {
    chat(None, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chat_stream_through_the_relay_on_both_sides() {
    chat(Some("alice"), Some("bob")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offer_without_text_is_not_acceptable() {
    let alice = MsrpStreams::new(config(None), 3).await.unwrap();
    let bob = MsrpStreams::new(config(None), 4).await.unwrap();
    let mut offer = alice.offer(&SessionId::new("x").unwrap()).await.unwrap();
    offer.accept_types = vec!["image/png".into()];
    let refused = bob.answer(&SessionId::new("y").unwrap(), &offer).await;
    assert!(
        matches!(refused, Err(wink_ports::StreamError::NotAcceptable(_))),
        "{refused:?}"
    );
}
