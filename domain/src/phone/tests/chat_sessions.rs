//! Chat sessions: the offer and answer are the chat stream's (never audio's), lines are
//! stored before they go, and what the stream reports becomes their delivery state.

use super::*;
use wink_ports::{MediaKind, MessageSection, OutgoingMessage, Setup, StreamEvent};

fn section(path: &str) -> MessageSection {
    MessageSection {
        secure: false,
        port: 4000,
        address: Some("10.0.0.1".parse().unwrap()),
        path: vec![path.to_owned()],
        accept_types: vec!["message/cpim".into(), "text/plain".into()],
        accept_wrapped_types: vec![],
        max_size: None,
        setup: Some(Setup::ActPass),
        direction: wink_ports::sdp::Direction::SendRecv,
        file: None,
    }
}

/// What the phone gives the stream to send, kept for the test to read.
fn capture_sent(mocks: &mut Mocks) -> Arc<std::sync::Mutex<Vec<OutgoingMessage>>> {
    let sent: Arc<std::sync::Mutex<Vec<OutgoingMessage>>> = Arc::default();
    let kept = sent.clone();
    mocks.streams.expect_send().returning(move |_, message| {
        kept.lock().unwrap().push(message);
        Ok(())
    });
    sent
}

/// An incoming chat that rings and is answered by our stream.
fn expect_answerable_chat(mocks: &mut Mocks) {
    expect_incoming_ring(mocks);
    mocks
        .streams
        .expect_answer()
        .returning(|_, _| Ok(section("msrp://10.0.0.1:4000/ours;tcp")));
    mocks.signaling.expect_answer().returning(|_, _| Ok(()));
}

const THEIR_CHAT: &str = "v=0\r\no=- 1 1 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n\
    m=message 5000 TCP/MSRP *\r\na=accept-types:text/plain\r\na=path:msrp://10.0.0.2:5000/b;tcp\r\n";

#[tokio::test]
async fn a_chat_offers_the_stream_connects_it_with_the_answer_and_tracks_each_line() {
    let mut mocks = Mocks::new();
    mocks
        .streams
        .expect_offer()
        .times(1)
        .returning(|_| Ok(section("msrp://10.0.0.1:4000/a;tcp")));
    mocks
        .signaling
        .expect_invite()
        .withf(|request| {
            let offer = request.offer.as_ref().unwrap().as_str();
            offer.contains("m=message 4000 TCP/MSRP *")
                && offer.contains("a=path:msrp://10.0.0.1:4000/a;tcp")
                && !offer.contains("m=audio")
        })
        .times(1)
        .returning(|_| Ok(()));
    mocks
        .streams
        .expect_apply_answer()
        .withf(|_, answer| answer.path == ["msrp://10.0.0.2:5000/b;tcp"])
        .times(1)
        .returning(|_, _| Ok(()));
    mocks
        .storage
        .expect_add_message()
        .withf(|record| record.state == DeliveryState::Queued && record.body == "hello")
        .times(1)
        .returning(|_| Ok(()));
    mocks
        .streams
        .expect_send()
        .withf(|_, message: &OutgoingMessage| message.body == b"hello")
        .times(1)
        .returning(|_, _| Ok(()));
    mocks
        .storage
        .expect_set_message_state()
        .with(mockall::predicate::always(), eq(DeliveryState::Delivered))
        .times(1)
        .returning(|_, _| Ok(()));
    expect_stream_session_end(&mut mocks, MediaKind::Chat);
    let (mut phone, mut events, _) = phone(mocks);

    let Ok(CommandOutcome::Session(id)) = phone
        .execute(Command::Chat {
            target: "bob@example.com".into(),
            account: None,
        })
        .await
    else {
        panic!("the chat starts");
    };
    phone
        .on_signaling(SignalingEvent::Answered {
            session: id.clone(),
            sdp: Some(Sdp::new(THEIR_CHAT)),
        })
        .await;
    assert!(drain(&mut events).iter().any(|e| matches!(
        e,
        PhoneEvent::CallState {
            state: CallState::Established,
            ..
        }
    )));
    let Ok(CommandOutcome::Message(line)) = phone
        .execute(Command::SendChat(id.clone(), "hello".into()))
        .await
    else {
        panic!("the line is taken");
    };
    phone
        .on_stream(StreamEvent::Delivered {
            session: id.clone(),
            id: line.clone(),
        })
        .await;
    assert!(drain(&mut events).contains(&PhoneEvent::MessageState {
        id: line,
        state: DeliveryState::Delivered,
        reason: None,
    }));
    phone.execute(Command::HangUp(id)).await.unwrap();
}

#[tokio::test]
async fn an_incoming_chat_is_answered_by_the_stream_and_its_lines_are_kept() {
    let mut mocks = Mocks::new();
    expect_incoming_ring(&mut mocks);
    mocks
        .streams
        .expect_answer()
        .withf(|_, offer| offer.path == ["msrp://10.0.0.2:5000/b;tcp"])
        .times(1)
        .returning(|_, _| Ok(section("msrp://10.0.0.1:4000/ours;tcp")));
    mocks
        .signaling
        .expect_answer()
        .withf(|_, sdp| {
            sdp.as_ref()
                .is_some_and(|s| s.as_str().contains("a=path:msrp://10.0.0.1:4000/ours;tcp"))
        })
        .times(1)
        .returning(|_, _| Ok(()));
    mocks
        .storage
        .expect_add_message()
        .withf(|record| record.state == DeliveryState::Received && record.body == "hi there")
        .times(1)
        .returning(|_| Ok(()));
    let (mut phone, mut events, _) = phone(mocks);

    phone
        .on_signaling(incoming("chat-1", Some(THEIR_CHAT)))
        .await;
    let alert = drain(&mut events);
    assert!(alert.iter().any(|e| matches!(
        e,
        PhoneEvent::IncomingCall {
            answering_machine_in: None,
            ..
        }
    )));
    // No audio is touched: the media mock has no expectation and would panic.
    phone.execute(Command::Answer(sid("chat-1"))).await.unwrap();
    phone
        .on_signaling(SignalingEvent::Confirmed {
            session: sid("chat-1"),
            sdp: None,
        })
        .await;
    assert!(
        drain(&mut events).iter().any(|e| matches!(
            e,
            PhoneEvent::CallState {
                state: CallState::Established,
                ..
            }
        )),
        "the ACK makes the chat established, and does not end it"
    );
    phone
        .on_stream(StreamEvent::Received {
            session: sid("chat-1"),
            content_type: "text/plain".into(),
            body: b"hi there".to_vec(),
        })
        .await;
    assert!(drain(&mut events).iter().any(|e| matches!(
        e,
        PhoneEvent::MessageReceived { body, .. } if body == "hi there"
    )));
    // A line for a session that is not a chat is refused.
    let refused = phone
        .execute(Command::SendChat(sid("no-such"), "x".into()))
        .await;
    assert!(matches!(refused, Err(PhoneError::NotAChat(_))));
}

#[tokio::test]
async fn a_line_the_stream_took_just_before_the_bye_is_still_kept_and_shown() {
    let mut mocks = Mocks::new();
    expect_answerable_chat(&mut mocks);
    mocks.streams.expect_close().times(1).returning(|_| ());
    mocks
        .storage
        .expect_add_history()
        .times(1)
        .returning(|_| Ok(()));
    mocks
        .storage
        .expect_add_message()
        .withf(|record| record.body == "last words" && record.remote.contains("caller.org"))
        .times(1)
        .returning(|_| Ok(()));
    let (mut phone, mut events, _) = phone(mocks);

    phone
        .on_signaling(incoming("chat-2", Some(THEIR_CHAT)))
        .await;
    phone.execute(Command::Answer(sid("chat-2"))).await.unwrap();
    // Their BYE overtakes the line their side had already sent (it went another way).
    phone
        .on_signaling(SignalingEvent::HungUp {
            session: sid("chat-2"),
        })
        .await;
    phone
        .on_stream(StreamEvent::Received {
            session: sid("chat-2"),
            content_type: "text/plain".into(),
            body: b"last words".to_vec(),
        })
        .await;
    assert!(drain(&mut events).iter().any(|e| matches!(
        e,
        PhoneEvent::MessageReceived { body, .. } if body == "last words"
    )));
}

fn unsent_line(id: &str, remote: &str, body: &str) -> wink_ports::ChatMessageRecord {
    wink_ports::ChatMessageRecord {
        id: wink_ports::MessageId::new(id).unwrap(),
        account: account_id(),
        remote: remote.to_owned(),
        direction: wink_ports::CallDirection::Outgoing,
        content_type: "text/plain".into(),
        body: body.to_owned(),
        at: UnixMillis(1),
        state: DeliveryState::Failed,
    }
}

#[tokio::test]
async fn lines_that_failed_go_again_over_the_next_chat_with_the_same_party() {
    let mut mocks = Mocks::new();
    expect_answerable_chat(&mut mocks);
    mocks
        .storage
        .expect_unsent_messages()
        .times(1)
        .returning(|_, _| {
            Ok(vec![
                unsent_line("old-1", "+1555@caller.org", "said while the relay was down"),
                unsent_line("other", "someone@else.org", "for somebody else"),
            ])
        });
    mocks
        .storage
        .expect_set_message_state()
        .withf(|id, state| id.as_str() == "old-1" && *state == DeliveryState::Queued)
        .times(1)
        .returning(|_, _| Ok(()));
    mocks
        .streams
        .expect_send()
        .withf(|_, message: &OutgoingMessage| {
            message.id.as_str() == "old-1" && message.body == b"said while the relay was down"
        })
        .times(1)
        .returning(|_, _| Ok(()));
    let (mut phone, mut events, _) = phone(mocks);

    phone
        .on_signaling(incoming("chat-3", Some(THEIR_CHAT)))
        .await;
    phone.execute(Command::Answer(sid("chat-3"))).await.unwrap();
    phone
        .on_stream(StreamEvent::Connected {
            session: sid("chat-3"),
        })
        .await;
    let said = drain(&mut events);
    assert!(said.contains(&PhoneEvent::MessageState {
        id: wink_ports::MessageId::new("old-1").unwrap(),
        state: DeliveryState::Queued,
        reason: None,
    }));
}

const THEIR_CPIM_CHAT: &str = "v=0\r\no=- 1 1 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n\
    m=message 5000 TCP/MSRP *\r\na=accept-types:message/cpim text/plain\r\n\
    a=accept-wrapped-types:*\r\na=path:msrp://10.0.0.2:5000/b;tcp\r\n";

#[tokio::test]
async fn to_a_side_that_takes_cpim_lines_go_wrapped_and_its_notifications_are_answered_and_read() {
    let mut mocks = Mocks::new();
    expect_answerable_chat(&mut mocks);
    mocks.storage.expect_add_message().returning(|_| Ok(()));
    let sent = capture_sent(&mut mocks);
    mocks
        .storage
        .expect_set_message_state()
        .returning(|_, _| Ok(()));
    let (mut phone, mut events, _) = phone(mocks);

    phone
        .on_signaling(incoming("chat-4", Some(THEIR_CPIM_CHAT)))
        .await;
    phone.execute(Command::Answer(sid("chat-4"))).await.unwrap();
    // Their line asks to be told it was delivered.
    let line = "From: <sip:+1555@caller.org>\r\nTo: <sip:me@example.com>\r\n\
        NS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: their-7\r\n\
        imdn.Disposition-Notification: positive-delivery, display\r\n\r\n\
        Content-Type: text/plain\r\n\r\nhello there";
    phone
        .on_stream(StreamEvent::Received {
            session: sid("chat-4"),
            content_type: "message/cpim".into(),
            body: line.as_bytes().to_vec(),
        })
        .await;
    let notification = sent
        .lock()
        .unwrap()
        .pop()
        .expect("a notification went back");
    let text = String::from_utf8(notification.body.clone()).unwrap();
    assert_eq!(notification.content_type, "message/cpim");
    assert!(text.contains("<message-id>their-7</message-id>"), "{text}");
    assert!(text.contains("<delivered/>"), "{text}");
    assert!(text.contains("Content-Disposition: notification"), "{text}");
    // The stream's reports about the notification are not a line's.
    phone
        .on_stream(StreamEvent::Delivered {
            session: sid("chat-4"),
            id: notification.id.clone(),
        })
        .await;
    assert!(!drain(&mut events).iter().any(|e| matches!(
        e,
        PhoneEvent::MessageState { id, .. } if id == &notification.id
    )));

    // Our line goes in an envelope that asks for a notification.
    let Ok(CommandOutcome::Message(ours)) = phone
        .execute(Command::SendChat(sid("chat-4"), "hi ☺".into()))
        .await
    else {
        panic!("the line is taken");
    };
    let wrapped = sent.lock().unwrap().pop().expect("our line went");
    let text = String::from_utf8(wrapped.body).unwrap();
    assert_eq!(wrapped.content_type, "message/cpim");
    assert!(
        text.contains(&format!("imdn.Message-ID: {}", ours.as_str())),
        "{text}"
    );
    assert!(
        text.contains("positive-delivery") && text.ends_with("\r\n\r\nhi ☺"),
        "{text}"
    );
    // Their notification about it marks it delivered.
    let imdn = format!(
        "From: <sip:+1555@caller.org>\r\n\r\nContent-Type: message/imdn+xml\r\n\
         Content-Disposition: notification\r\n\r\n{}",
        crate::imdn::delivered(ours.as_str(), UnixMillis(5))
    );
    drain(&mut events);
    phone
        .on_stream(StreamEvent::Received {
            session: sid("chat-4"),
            content_type: "message/cpim".into(),
            body: imdn.into_bytes(),
        })
        .await;
    assert!(drain(&mut events).contains(&PhoneEvent::MessageState {
        id: ours.clone(),
        state: DeliveryState::Delivered,
        reason: None,
    }));
    // The stream's success report says it again: the line is not delivered twice.
    phone
        .on_stream(StreamEvent::Delivered {
            session: sid("chat-4"),
            id: ours,
        })
        .await;
    assert!(
        !drain(&mut events)
            .iter()
            .any(|e| matches!(e, PhoneEvent::MessageState { .. })),
        "said once"
    );
}

#[tokio::test]
async fn typing_is_said_to_the_other_side_and_theirs_to_the_frontends() {
    let mut mocks = Mocks::new();
    expect_answerable_chat(&mut mocks);
    let sent = capture_sent(&mut mocks);
    let (mut phone, mut events, _) = phone(mocks);

    phone
        .on_signaling(incoming("chat-5", Some(THEIR_CPIM_CHAT)))
        .await;
    phone.execute(Command::Answer(sid("chat-5"))).await.unwrap();
    phone
        .execute(Command::Composing(sid("chat-5"), true))
        .await
        .unwrap();
    let typing = sent.lock().unwrap().pop().expect("the state went");
    let text = String::from_utf8(typing.body.clone()).unwrap();
    assert_eq!(typing.content_type, "message/cpim");
    assert!(
        text.contains("Content-Type: application/im-iscomposing+xml"),
        "{text}"
    );
    assert!(text.contains("<state>active</state>"), "{text}");
    assert!(
        !text.contains("Disposition-Notification"),
        "no notification is asked for a state: {text}"
    );
    // Its reports change no line (the storage mock has no expectation and would panic).
    phone
        .on_stream(StreamEvent::Delivered {
            session: sid("chat-5"),
            id: typing.id,
        })
        .await;

    phone
        .on_stream(StreamEvent::Received {
            session: sid("chat-5"),
            content_type: "application/im-iscomposing+xml".into(),
            body: crate::composing::document(true).into_bytes(),
        })
        .await;
    assert!(drain(&mut events).contains(&PhoneEvent::Composing {
        session: sid("chat-5"),
        active: true,
    }));
    let not_a_chat = phone
        .execute(Command::Composing(sid("no-such"), true))
        .await;
    assert!(matches!(not_a_chat, Err(PhoneError::NotAChat(_))));
}

#[tokio::test]
async fn a_line_that_fails_says_why() {
    let mut mocks = Mocks::new();
    mocks
        .storage
        .expect_set_message_state()
        .with(mockall::predicate::always(), eq(DeliveryState::Failed))
        .times(1)
        .returning(|_, _| Ok(()));
    let (mut phone, mut events, _) = phone(mocks);
    let line = wink_ports::MessageId::new("l-1").unwrap();
    phone
        .on_stream(StreamEvent::Failed {
            session: sid("chat-6"),
            id: line.clone(),
            reason: "no answer from the other side".into(),
        })
        .await;
    assert!(drain(&mut events).contains(&PhoneEvent::MessageState {
        id: line,
        state: DeliveryState::Failed,
        reason: Some("no answer from the other side".into()),
    }));
}
