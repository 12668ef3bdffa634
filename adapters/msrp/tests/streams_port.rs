//! The MessageStreamPort over real TCP on 127.0.0.1, as the domain drives it: one side
//! offers a chat stream, the other answers, the offerer applies the answer; messages sent
//! before the connection is up wait and then go; delivery comes back under the domain's
//! ids; the same through the test relay (kamailio's msrp module).

use std::time::Duration;

use futures_util::StreamExt;
use std::sync::Arc;
use wink_digest::Credentials;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
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
        tls: None,
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

/// The test relay over TLS (`msrps:`) for `user`, trusting the relay's test CA.
fn tls_config(user: &str) -> StreamsConfig {
    let need = |name: &str| {
        std::env::var(name).unwrap_or_else(|_| {
            panic!(
                "{name} is not set: run inside scripts/in-test-namespace.sh, which starts the relay"
            )
        })
    };
    let (address, ca) = (
        need("WINK_TEST_MSRP_RELAY_TLS"),
        need("WINK_TEST_MSRP_RELAY_CA"),
    );
    let mut roots = rustls::RootCertStore::empty();
    for certificate in CertificateDer::pem_file_iter(&ca).expect("the relay's CA file") {
        roots.add(certificate.unwrap()).unwrap();
    }
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let mut config = config(Some(user));
    if let Some(relay) = &mut config.relay {
        relay.uri = MsrpUri::parse(&format!("msrps://{address};tcp")).unwrap();
    }
    config.tls = Some(Arc::new(tls));
    config
}

async fn chat(alice_relay: Option<&str>, bob_relay: Option<&str>) {
    chat_between(config(alice_relay), config(bob_relay)).await;
}

async fn chat_between(alice: StreamsConfig, bob: StreamsConfig) {
    let alice_relay = alice.relay.clone();
    let alice = MsrpStreams::new(alice, 1).await.unwrap();
    let bob = MsrpStreams::new(bob, 2).await.unwrap();
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
async fn a_chat_through_the_relay_over_tls_on_both_sides() {
    let (alice, bob) = (tls_config("alice"), tls_config("bob"));
    let offer_is_secure = {
        let streams = MsrpStreams::new(tls_config("carol"), 7).await.unwrap();
        let offer = streams
            .offer(&SessionId::new("probe").unwrap())
            .await
            .unwrap();
        offer.secure && offer.path[0].starts_with("msrps://")
    };
    assert!(
        offer_is_secure,
        "the offer says TCP/TLS/MSRP and the path starts with msrps"
    );
    chat_between(alice, bob).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_whose_certificate_is_not_trusted_is_refused_in_words() {
    let mut untrusting = tls_config("alice");
    // Only the usual roots: the relay's test CA is not among them.
    untrusting.tls = Some(Arc::new(
        rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth(),
    ));
    let streams = MsrpStreams::new(untrusting, 8).await.unwrap();
    let refused = streams
        .offer(&SessionId::new("untrusted").unwrap())
        .await
        .unwrap_err();
    let said = refused.to_string();
    assert!(
        said.contains("cannot reach the MSRP relay msrps://") && said.contains("certificate"),
        "{said}"
    );
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
