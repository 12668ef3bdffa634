//! What the user wrote but never got out goes again when the account registers: once per
//! run, oldest first, through the same send path (state Sent, then the outcome).

use super::*;
use wink_ports::{CallDirection, ChatMessageRecord};

fn unsent(id: &str, body: &str) -> ChatMessageRecord {
    ChatMessageRecord {
        id: MessageId::new(id).unwrap(),
        account: account_id(),
        remote: "bob@example.com".into(),
        direction: CallDirection::Outgoing,
        content_type: "text/plain;charset=utf-8".into(),
        body: body.into(),
        at: UnixMillis(1),
        state: DeliveryState::Failed,
    }
}

fn registered() -> SignalingEvent {
    SignalingEvent::Registration {
        account: account_id(),
        state: RegistrationState::Registered { expires_secs: 600 },
    }
}

#[tokio::test]
async fn unsent_messages_go_again_once_when_the_account_registers() {
    let mut mocks = Mocks::new();
    mocks
        .storage
        .expect_unsent_messages()
        .withf(|account, limit| *account == account_id() && *limit > 0)
        .times(2)
        .returning(|_, _| {
            Ok(vec![
                unsent("m-1", "written offline"),
                unsent("m-2", "and this"),
            ])
        });
    let sent = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = sent.clone();
    mocks
        .signaling
        .expect_send_message()
        .times(2)
        .returning(move |request| {
            seen.lock()
                .unwrap()
                .push((request.id.to_string(), request.to.address(), request.body));
            Ok(())
        });
    mocks
        .storage
        .expect_set_message_state()
        .with(mockall::predicate::always(), eq(DeliveryState::Sent))
        .times(2)
        .returning(|_, _| Ok(()));
    let (mut phone, _, _) = phone(mocks);

    phone.on_signaling(registered()).await;
    // A refresh of the registration sends nothing twice.
    phone.on_signaling(registered()).await;
    assert_eq!(
        *sent.lock().unwrap(),
        [
            (
                "m-1".into(),
                "bob@example.com".into(),
                "written offline".into()
            ),
            ("m-2".into(), "bob@example.com".into(), "and this".into()),
        ]
    );
}

#[tokio::test]
async fn a_store_that_cannot_be_read_is_reported_not_fatal() {
    let mut mocks = Mocks::new();
    mocks
        .storage
        .expect_unsent_messages()
        .returning(|_, _| Err(StorageError::Unavailable("disk gone".into())));
    let (mut phone, mut events, _) = phone(mocks);
    phone.on_signaling(registered()).await;
    assert!(drain(&mut events).iter().any(|e| matches!(
        e,
        PhoneEvent::Problem(text) if text.contains("unsent messages could not be read")
    )));
}

#[tokio::test]
async fn resend_sends_a_failed_message_again_by_its_id_and_refuses_one_that_is_not_waiting() {
    let mut mocks = Mocks::new();
    mocks
        .storage
        .expect_unsent_messages()
        .times(2)
        .returning(|_, _| Ok(vec![unsent("m-9", "try me again")]));
    mocks
        .signaling
        .expect_send_message()
        .withf(|request| request.id.as_str() == "m-9" && request.body == "try me again")
        .times(1)
        .returning(|_| Ok(()));
    mocks
        .storage
        .expect_set_message_state()
        .with(mockall::predicate::always(), eq(DeliveryState::Sent))
        .times(1)
        .returning(|_, _| Ok(()));
    let (mut phone, _, _) = phone(mocks);

    let outcome = phone
        .execute(Command::Resend(MessageId::new("m-9").unwrap()))
        .await
        .unwrap();
    assert_eq!(
        outcome,
        CommandOutcome::Message(MessageId::new("m-9").unwrap()),
        "the same message, not a copy"
    );
    let gone = phone
        .execute(Command::Resend(MessageId::new("m-404").unwrap()))
        .await;
    assert!(matches!(gone, Err(PhoneError::NotUnsent(_))), "{gone:?}");
}
