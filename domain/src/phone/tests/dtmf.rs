//! DTMF the account's way: RFC 4733, SIP INFO, and SIP INFO when the peer has no
//! telephone-event.

use super::*;

async fn connected_call(mocks: Mocks, method: crate::DtmfMethod) -> (Phone, SessionId) {
    let clock = Arc::new(FakeClock(AtomicI64::new(1_000_000)));
    let mut settings = settings();
    settings.accounts[0].dtmf_method = method;
    let mut phone = Phone::new(mocks.ports(clock), settings);
    let id = start_call(&mut phone, "bob").await;
    phone
        .on_signaling(SignalingEvent::Answered {
            session: id.clone(),
            sdp: Some(Sdp::new("a")),
        })
        .await;
    (phone, id)
}

fn answered_call_mocks() -> Mocks {
    let mut mocks = Mocks::new();
    expect_outgoing_call(&mut mocks, "sip:bob@example.com");
    mocks.media.expect_apply_answer().returning(|_, _| Ok(()));
    mocks.media.expect_start().returning(|_| Ok(()));
    mocks
}

#[tokio::test]
async fn a_sip_info_account_sends_keys_as_info() {
    let mut mocks = answered_call_mocks();
    mocks.media.expect_send_dtmf().never();
    mocks
        .signaling
        .expect_send_dtmf_info()
        .times(2)
        .returning(|_, _| Ok(()));
    let (mut phone, id) = connected_call(mocks, crate::DtmfMethod::SipInfo).await;
    phone
        .execute(Command::SendDtmf(id, "5#".into()))
        .await
        .unwrap();
}

#[tokio::test]
async fn without_telephone_event_keys_fall_back_to_sip_info() {
    let mut mocks = answered_call_mocks();
    mocks.media.expect_send_dtmf().times(1).returning(|_, _| {
        Err(wink_ports::MediaError::NotAcceptable(
            "no telephone-event".into(),
        ))
    });
    mocks
        .signaling
        .expect_send_dtmf_info()
        .withf(|_, digit| *digit == wink_ports::DtmfDigit::Digit(7))
        .times(1)
        .returning(|_, _| Ok(()));
    let (mut phone, id) = connected_call(mocks, crate::DtmfMethod::Rfc4733).await;
    phone
        .execute(Command::SendDtmf(id.clone(), "7".into()))
        .await
        .unwrap();
    let mut events = phone.subscribe();
    phone
        .on_signaling(SignalingEvent::DtmfReceived {
            session: id.clone(),
            digit: wink_ports::DtmfDigit::Star,
        })
        .await;
    assert_eq!(
        events.try_recv().unwrap(),
        PhoneEvent::DtmfReceived {
            session: id,
            digit: wink_ports::DtmfDigit::Star
        }
    );
}
