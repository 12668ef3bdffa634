//! The Phone against mocks of every port, deterministic with tokio's paused clock.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use mockall::predicate::eq;
use tokio::sync::{broadcast, mpsc};
use wink_ports::mocks::{
    MockMediaPort, MockMessageStreamPort, MockSecretStore, MockSignalingPort, MockStoragePort,
};
use wink_ports::{
    AccountId, CallResult, Clock, DeliveryState, DtmfDigit, EventStream, MediaError,
    MessageOutcome, Password, Reason, RegistrationState, Sdp, SessionId, SignalingEvent, SipUri,
    StatusCode, UnixMillis,
};

use super::*;
use crate::{AccountAddress, CallState, NumberRules, WebAlertTemplate};

/// A clock the test moves by hand.
struct FakeClock(AtomicI64);

impl Clock for FakeClock {
    fn now(&self) -> UnixMillis {
        UnixMillis(self.0.load(Ordering::SeqCst))
    }
}

struct Mocks {
    signaling: MockSignalingPort,
    media: MockMediaPort,
    streams: MockMessageStreamPort,
    storage: MockStoragePort,
    secrets: MockSecretStore,
}

impl Mocks {
    fn new() -> Self {
        Self {
            signaling: MockSignalingPort::new(),
            media: MockMediaPort::new(),
            streams: MockMessageStreamPort::new(),
            storage: MockStoragePort::new(),
            secrets: MockSecretStore::new(),
        }
    }

    fn ports(self, clock: Arc<FakeClock>) -> Ports {
        Ports {
            signaling: Arc::new(self.signaling),
            media: Arc::new(self.media),
            streams: Arc::new(self.streams),
            storage: Arc::new(self.storage),
            secrets: Arc::new(self.secrets),
            clock,
        }
    }
}

fn account_id() -> AccountId {
    AccountId::new("me@example.com").unwrap()
}

fn settings() -> PhoneSettings {
    let mut account = Account::sip(AccountAddress::parse("me@example.com").unwrap());
    account.number_rules = NumberRules {
        plus_replacement: Some("00".into()),
        ..NumberRules::default()
    };
    account.web_alert = Some(WebAlertTemplate::new(
        "https://crm.test/?c=$caller_party&u=$caller_username",
    ));
    PhoneSettings {
        accounts: vec![account],
        ..PhoneSettings::default()
    }
}

fn phone(mocks: Mocks) -> (Phone, broadcast::Receiver<PhoneEvent>, Arc<FakeClock>) {
    let clock = Arc::new(FakeClock(AtomicI64::new(1_000_000)));
    let phone = Phone::new(mocks.ports(clock.clone()), settings());
    let events = phone.subscribe();
    (phone, events, clock)
}

fn drain(events: &mut broadcast::Receiver<PhoneEvent>) -> Vec<PhoneEvent> {
    std::iter::from_fn(|| events.try_recv().ok()).collect()
}

fn sid(s: &str) -> SessionId {
    SessionId::new(s).unwrap()
}

fn incoming(session: &str, offer: Option<&str>) -> SignalingEvent {
    SignalingEvent::IncomingCall {
        session: sid(session),
        account: account_id(),
        from: SipUri::parse("sip:+1 555@caller.org".replace(' ', "").as_str()).unwrap(),
        from_display: Some("Caller".into()),
        to: SipUri::parse("sip:me@example.com").unwrap(),
        offer: offer.map(Sdp::new),
        replaces: None,
    }
}

fn expect_history(storage: &mut MockStoragePort, result: CallResult) {
    storage
        .expect_add_history()
        .withf(move |record| record.result == result)
        .times(1)
        .returning(|_| Ok(()));
}

fn expect_incoming_ring(mocks: &mut Mocks) {
    mocks.signaling.expect_ring().times(1).returning(|_| Ok(()));
}

/// An incoming call that rings and can be answered (our SDP answer, the 200 OK sent).
fn expect_answerable_incoming(mocks: &mut Mocks) {
    expect_incoming_ring(mocks);
    mocks
        .media
        .expect_answer_offer()
        .returning(|_, _| Ok(Sdp::new("answer")));
    mocks.signaling.expect_answer().returning(|_, _| Ok(()));
}

/// A chat or file session that ends here: we hang up once, its stream is closed once, and
/// history gets one record of `media`.
fn expect_stream_session_end(mocks: &mut Mocks, media: wink_ports::MediaKind) {
    mocks
        .signaling
        .expect_hang_up()
        .times(1)
        .returning(|_| Ok(()));
    mocks.streams.expect_close().times(1).returning(|_| ());
    mocks
        .storage
        .expect_add_history()
        .withf(move |record| record.media == vec![media])
        .times(1)
        .returning(|_| Ok(()));
}

fn expect_outgoing_call(mocks: &mut Mocks, target: &'static str) {
    mocks
        .media
        .expect_create_offer()
        .times(1)
        .returning(|_| Ok(Sdp::new("v=0 offer")));
    mocks
        .signaling
        .expect_invite()
        .withf(move |r| {
            r.target.to_string() == target && r.offer.is_some() && r.account == account_id()
        })
        .times(1)
        .returning(|_| Ok(()));
}

async fn start_call(phone: &mut Phone, target: &str) -> SessionId {
    let outcome = phone
        .execute(Command::Call {
            target: target.into(),
            account: None,
        })
        .await
        .unwrap();
    let CommandOutcome::Session(id) = outcome else {
        panic!("{outcome:?}")
    };
    id
}

#[tokio::test(start_paused = true)]
async fn outgoing_call_rings_connects_plays_dtmf_tail_and_hangs_up() {
    let mut mocks = Mocks::new();
    expect_outgoing_call(&mut mocks, "sip:0044201234@example.com");
    mocks
        .media
        .expect_apply_answer()
        .times(1)
        .returning(|_, _| Ok(()));
    mocks.media.expect_start().times(1).returning(|_| Ok(()));
    let sent = Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = sent.clone();
    mocks
        .media
        .expect_send_dtmf()
        .times(3)
        .returning(move |_, digit| {
            record
                .lock()
                .unwrap()
                .push((digit, tokio::time::Instant::now()));
            Ok(())
        });
    mocks
        .signaling
        .expect_hang_up()
        .times(1)
        .returning(|_| Ok(()));
    mocks.media.expect_stop().times(1).returning(|_| Ok(()));
    mocks
        .storage
        .expect_add_history()
        .withf(|r| {
            r.result == CallResult::Answered
                && r.duration_secs() == 42
                && r.remote == "0044201234@example.com"
        })
        .times(1)
        .returning(|_| Ok(()));
    let (mut phone, mut events, clock) = phone(mocks);

    let id = start_call(&mut phone, "+44 20 1234#1,23").await;
    assert_eq!(phone.session(&id).unwrap().state(), CallState::Calling);
    phone
        .on_signaling(SignalingEvent::Progress {
            session: id.clone(),
            code: 180,
            sdp: None,
        })
        .await;
    assert_eq!(phone.session(&id).unwrap().state(), CallState::Ringing);
    clock.0.fetch_add(2_000, Ordering::SeqCst);
    phone
        .on_signaling(SignalingEvent::Answered {
            session: id.clone(),
            sdp: Some(Sdp::new("answer")),
        })
        .await;
    assert_eq!(phone.session(&id).unwrap().state(), CallState::Established);

    // The DTMF tail: "1", a one-second pause, then "2" and "3".
    let start = tokio::time::Instant::now();
    let due = phone.next_deadline().unwrap();
    phone.on_timers(due).await;
    assert_eq!(sent.lock().unwrap().len(), 1);
    let pause_end = phone.next_deadline().unwrap();
    assert_eq!(pause_end - start, Duration::from_secs(1));
    tokio::time::advance(Duration::from_secs(1)).await;
    phone.on_timers(tokio::time::Instant::now()).await;
    let keys: Vec<DtmfDigit> = sent.lock().unwrap().iter().map(|(d, _)| *d).collect();
    assert_eq!(
        keys,
        [
            DtmfDigit::Digit(1),
            DtmfDigit::Digit(2),
            DtmfDigit::Digit(3)
        ]
    );
    assert_eq!(phone.next_deadline(), None);

    clock.0.fetch_add(42_000, Ordering::SeqCst);
    phone.execute(Command::HangUp(id.clone())).await.unwrap();
    assert!(phone.session(&id).is_none());
    let states: Vec<CallState> = drain(&mut events)
        .into_iter()
        .filter_map(|e| match e {
            PhoneEvent::CallState { state, .. } => Some(state),
            _ => None,
        })
        .collect();
    assert_eq!(
        states,
        [
            CallState::Calling,
            CallState::Ringing,
            CallState::Established,
            CallState::Terminated(CallResult::Answered)
        ]
    );
}

#[tokio::test]
async fn early_media_applies_the_answer_once() {
    let mut mocks = Mocks::new();
    expect_outgoing_call(&mut mocks, "sip:bob@example.com");
    mocks
        .media
        .expect_apply_answer()
        .times(1)
        .returning(|_, _| Ok(()));
    mocks.media.expect_start().times(2).returning(|_| Ok(()));
    let (mut phone, _events, _) = phone(mocks);
    let id = start_call(&mut phone, "bob").await;
    phone
        .on_signaling(SignalingEvent::Progress {
            session: id.clone(),
            code: 183,
            sdp: Some(Sdp::new("early")),
        })
        .await;
    assert_eq!(phone.session(&id).unwrap().state(), CallState::EarlyMedia);
    phone
        .on_signaling(SignalingEvent::Answered {
            session: id.clone(),
            sdp: Some(Sdp::new("early")),
        })
        .await;
    assert_eq!(phone.session(&id).unwrap().state(), CallState::Established);
}

#[tokio::test]
async fn reject_sends_603_and_busy_sends_486() {
    let mut mocks = Mocks::new();
    mocks.signaling.expect_ring().times(2).returning(|_| Ok(()));
    mocks
        .signaling
        .expect_reject()
        .with(eq(sid("in-1")), eq(StatusCode::DECLINE))
        .times(1)
        .returning(|_, _| Ok(()));
    mocks
        .signaling
        .expect_reject()
        .with(eq(sid("in-2")), eq(StatusCode::BUSY_HERE))
        .times(1)
        .returning(|_, _| Ok(()));
    mocks.media.expect_stop().times(2).returning(|_| Ok(()));
    expect_history(&mut mocks.storage, CallResult::Rejected);
    expect_history(&mut mocks.storage, CallResult::Busy);
    let (mut phone, mut events, _) = phone(mocks);
    phone.on_signaling(incoming("in-1", Some("offer"))).await;
    phone.on_signaling(incoming("in-2", Some("offer"))).await;
    phone.execute(Command::Reject(sid("in-1"))).await.unwrap();
    phone.execute(Command::Busy(sid("in-2"))).await.unwrap();
    assert_eq!(phone.missed_calls(), 0);
    let ended: Vec<CallResult> = drain(&mut events)
        .into_iter()
        .filter_map(|e| match e {
            PhoneEvent::CallEnded { result, .. } => Some(result),
            _ => None,
        })
        .collect();
    assert_eq!(ended, [CallResult::Rejected, CallResult::Busy]);
}

#[tokio::test]
async fn a_failed_reject_leaves_the_call_ringing() {
    let mut mocks = Mocks::new();
    expect_incoming_ring(&mut mocks);
    mocks.signaling.expect_reject().returning(|_, _| {
        Err(wink_ports::SignalingError::Transport(
            "socket closed".into(),
        ))
    });
    let (mut phone, _, _) = phone(mocks);
    phone.on_signaling(incoming("in-1", Some("offer"))).await;
    let error = phone
        .execute(Command::Reject(sid("in-1")))
        .await
        .unwrap_err();
    assert_eq!(error.to_string(), "transport error: socket closed");
    assert_eq!(
        phone.session(&sid("in-1")).unwrap().state(),
        CallState::Alerting
    );
}

#[tokio::test]
async fn cancel_with_reason_is_answered_elsewhere_and_not_missed() {
    let mut mocks = Mocks::new();
    mocks.signaling.expect_ring().times(2).returning(|_| Ok(()));
    mocks.media.expect_stop().times(2).returning(|_| Ok(()));
    expect_history(&mut mocks.storage, CallResult::AnsweredElsewhere);
    expect_history(&mut mocks.storage, CallResult::Missed);
    mocks
        .storage
        .expect_set_missed_viewed_at()
        .returning(|_| Err(wink_ports::StorageError::Unavailable("disk full".into())));
    let (mut phone, mut events, _) = phone(mocks);
    phone.on_signaling(incoming("in-1", Some("offer"))).await;
    let reason = Reason {
        protocol: "SIP".into(),
        cause: Some(200),
        text: Some("Call completed elsewhere".into()),
    };
    phone
        .on_signaling(SignalingEvent::Cancelled {
            session: sid("in-1"),
            reason: Some(reason),
        })
        .await;
    assert_eq!(phone.missed_calls(), 0);
    phone.on_signaling(incoming("in-2", Some("offer"))).await;
    phone
        .on_signaling(SignalingEvent::Cancelled {
            session: sid("in-2"),
            reason: None,
        })
        .await;
    assert_eq!(phone.missed_calls(), 1);
    let missed: Vec<u64> = drain(&mut events)
        .into_iter()
        .filter_map(|e| match e {
            PhoneEvent::MissedCalls(n) => Some(n),
            _ => None,
        })
        .collect();
    assert_eq!(missed, [1]);
    phone.execute(Command::ClearMissedCalls).await.unwrap();
    assert!(
        drain(&mut events)
            .iter()
            .any(|e| matches!(e, PhoneEvent::Problem(p) if p.contains("could not be saved"))),
        "a store that refuses is reported"
    );
    assert_eq!(phone.missed_calls(), 0);
}

#[tokio::test]
async fn invite_without_sdp_is_answered_with_our_offer_and_the_ack_carries_the_answer() {
    let mut mocks = Mocks::new();
    expect_incoming_ring(&mut mocks);
    mocks
        .media
        .expect_create_offer()
        .times(1)
        .returning(|_| Ok(Sdp::new("our offer")));
    mocks
        .signaling
        .expect_answer()
        .withf(|_, sdp| sdp.as_ref().map(Sdp::as_str) == Some("our offer"))
        .times(1)
        .returning(|_, _| Ok(()));
    mocks
        .media
        .expect_apply_answer()
        .withf(|_, sdp| sdp.as_str() == "their answer")
        .times(1)
        .returning(|_, _| Ok(()));
    mocks.media.expect_start().times(1).returning(|_| Ok(()));
    let (mut phone, _, _) = phone(mocks);
    phone.on_signaling(incoming("late", None)).await;
    phone.execute(Command::Answer(sid("late"))).await.unwrap();
    assert_eq!(
        phone.session(&sid("late")).unwrap().state(),
        CallState::Accepted
    );
    phone
        .on_signaling(SignalingEvent::Confirmed {
            session: sid("late"),
            sdp: Some(Sdp::new("their answer")),
        })
        .await;
    assert_eq!(
        phone.session(&sid("late")).unwrap().state(),
        CallState::Established
    );
}

#[tokio::test]
async fn an_offer_without_common_codecs_gets_488() {
    let mut mocks = Mocks::new();
    expect_incoming_ring(&mut mocks);
    mocks
        .media
        .expect_answer_offer()
        .returning(|_, _| Err(MediaError::NotAcceptable("no common codec".into())));
    mocks
        .signaling
        .expect_reject()
        .with(eq(sid("x")), eq(StatusCode(488)))
        .times(1)
        .returning(|_, _| Ok(()));
    mocks.media.expect_stop().returning(|_| Ok(()));
    expect_history(&mut mocks.storage, CallResult::Failed);
    let (mut phone, _, _) = phone(mocks);
    phone.on_signaling(incoming("x", Some("m=video"))).await;
    let error = phone.execute(Command::Answer(sid("x"))).await.unwrap_err();
    assert!(matches!(
        error,
        PhoneError::Media(MediaError::NotAcceptable(_))
    ));
    assert!(phone.session(&sid("x")).is_none());
}

#[tokio::test]
async fn incoming_call_carries_the_escaped_web_alert_url() {
    let mut mocks = Mocks::new();
    expect_incoming_ring(&mut mocks);
    let (mut phone, mut events, _) = phone(mocks);
    phone.on_signaling(incoming("in-1", Some("offer"))).await;
    let url = drain(&mut events).into_iter().find_map(|e| match e {
        PhoneEvent::IncomingCall {
            web_alert_url,
            answering_machine_in,
            ..
        } => {
            assert_eq!(answering_machine_in, None);
            web_alert_url
        }
        _ => None,
    });
    assert_eq!(
        url.as_deref(),
        Some("https://crm.test/?c=%2B1555%40caller.org&u=%2B1555")
    );
}

#[tokio::test]
async fn an_account_that_opens_the_web_page_on_answer_says_so_only_then() {
    let mut mocks = Mocks::new();
    expect_answerable_incoming(&mut mocks);
    let clock = Arc::new(FakeClock(AtomicI64::new(1_000_000)));
    let mut settings = settings();
    settings.accounts[0].web_alert_when = crate::WebAlertMoment::Answered;
    let mut phone = Phone::new(mocks.ports(clock), settings);
    let mut events = phone.subscribe();
    phone.on_signaling(incoming("in-1", Some("offer"))).await;
    let ringing = drain(&mut events);
    assert!(
        ringing.iter().any(|e| matches!(
            e,
            PhoneEvent::IncomingCall {
                web_alert_url: None,
                ..
            }
        )),
        "no page while it rings: {ringing:?}"
    );
    assert!(
        !ringing
            .iter()
            .any(|e| matches!(e, PhoneEvent::WebAlert { .. }))
    );
    phone.execute(Command::Answer(sid("in-1"))).await.unwrap();
    let answered: Vec<String> = drain(&mut events)
        .into_iter()
        .filter_map(|e| match e {
            PhoneEvent::WebAlert { session, url } if session == sid("in-1") => Some(url),
            _ => None,
        })
        .collect();
    assert_eq!(
        answered,
        ["https://crm.test/?c=%2B1555%40caller.org&u=%2B1555"],
        "the page once the call is answered, once"
    );
}

#[tokio::test]
async fn hold_sends_a_reinvite_and_mute_reaches_media() {
    let mut mocks = Mocks::new();
    expect_outgoing_call(&mut mocks, "sip:bob@example.com");
    mocks.media.expect_apply_answer().returning(|_, _| Ok(()));
    mocks.media.expect_start().returning(|_| Ok(()));
    mocks
        .media
        .expect_hold()
        .with(mockall::predicate::always(), eq(true))
        .times(1)
        .returning(|_, _| Ok(Sdp::new("a=sendonly")));
    mocks
        .signaling
        .expect_reinvite()
        .withf(|_, sdp| sdp.as_str() == "a=sendonly")
        .times(1)
        .returning(|_, _| Ok(()));
    mocks
        .media
        .expect_mute()
        .with(mockall::predicate::always(), eq(true))
        .times(1)
        .returning(|_, _| Ok(()));
    let (mut phone, _, _) = phone(mocks);
    let id = start_call(&mut phone, "bob").await;
    assert!(
        phone
            .execute(Command::Hold(id.clone(), true))
            .await
            .is_err(),
        "cannot hold before connected"
    );
    phone
        .on_signaling(SignalingEvent::Answered {
            session: id.clone(),
            sdp: Some(Sdp::new("a")),
        })
        .await;
    phone
        .execute(Command::Hold(id.clone(), true))
        .await
        .unwrap();
    assert_eq!(phone.session(&id).unwrap().state(), CallState::OnHold);
    phone
        .execute(Command::Mute(id.clone(), true))
        .await
        .unwrap();
    assert!(phone.session(&id).unwrap().is_muted());
    assert_eq!(
        phone
            .execute(Command::SendDtmf(id.clone(), "12x".into()))
            .await,
        Err(PhoneError::BadDtmf('x'))
    );
}

#[tokio::test]
async fn redial_calls_the_last_target_again() {
    let mut mocks = Mocks::new();
    mocks
        .media
        .expect_create_offer()
        .times(2)
        .returning(|_| Ok(Sdp::new("offer")));
    mocks
        .signaling
        .expect_invite()
        .withf(|r| r.target.to_string() == "sip:carol@other.org")
        .times(2)
        .returning(|_| Ok(()));
    let (mut phone, _, _) = phone(mocks);
    assert_eq!(
        phone.execute(Command::Redial).await,
        Err(PhoneError::NothingToRedial)
    );
    let first = start_call(&mut phone, "carol@other.org").await;
    let CommandOutcome::Session(second) = phone.execute(Command::Redial).await.unwrap() else {
        panic!()
    };
    assert_ne!(first, second);
}

#[tokio::test]
async fn garbage_targets_touch_no_port() {
    // No expectations: any port call would panic the mock.
    let (mut phone, _, _) = phone(Mocks::new());
    let error = phone
        .execute(Command::Call {
            target: "al ice".into(),
            account: None,
        })
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "\"al ice\" is not a SIP address, username or phone number: it contains spaces"
    );
    let unknown = AccountId::new("nobody@x.org").unwrap();
    assert_eq!(
        phone
            .execute(Command::Call {
                target: "bob".into(),
                account: Some(unknown.clone())
            })
            .await,
        Err(PhoneError::UnknownAccount(unknown))
    );
}

#[tokio::test]
async fn messages_respect_limits_and_are_stored_before_sending() {
    let mut mocks = Mocks::new();
    mocks
        .storage
        .expect_add_message()
        .withf(|m| {
            m.state == DeliveryState::Queued && m.remote == "bob@example.com" && m.body == "hello"
        })
        .times(1)
        .returning(|_| Ok(()));
    mocks
        .signaling
        .expect_send_message()
        .times(1)
        .returning(|_| Ok(()));
    let states = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = states.clone();
    mocks
        .storage
        .expect_set_message_state()
        .times(2)
        .returning(move |_, state| {
            seen.lock().unwrap().push(state);
            Ok(())
        });
    let (mut phone, _, _) = phone(mocks);

    let too_long = phone
        .execute(Command::SendMessage {
            target: "+1 555 0100".into(),
            text: "x".repeat(161),
            account: None,
        })
        .await
        .unwrap_err();
    assert_eq!(
        too_long.to_string(),
        "the message has 161 characters; at most 160 can be sent to a phone number"
    );
    let over_ip = phone
        .execute(Command::SendMessage {
            target: "bob".into(),
            text: "x".repeat(1301),
            account: None,
        })
        .await;
    assert!(matches!(
        over_ip,
        Err(PhoneError::Message(crate::MessageError::TooLong {
            max: 1300,
            ..
        }))
    ));

    let CommandOutcome::Message(id) = phone
        .execute(Command::SendMessage {
            target: "bob".into(),
            text: "hello".into(),
            account: None,
        })
        .await
        .unwrap()
    else {
        panic!()
    };
    phone
        .on_signaling(SignalingEvent::MessageOutcome {
            id,
            outcome: MessageOutcome::Delivered,
        })
        .await;
    assert_eq!(
        *states.lock().unwrap(),
        [DeliveryState::Sent, DeliveryState::Delivered]
    );
}

#[tokio::test]
async fn a_message_that_fails_to_send_is_kept_as_failed() {
    let mut mocks = Mocks::new();
    mocks
        .storage
        .expect_add_message()
        .times(1)
        .returning(|_| Ok(()));
    mocks
        .signaling
        .expect_send_message()
        .returning(|_| Err(wink_ports::SignalingError::Transport("no route".into())));
    mocks
        .storage
        .expect_set_message_state()
        .with(mockall::predicate::always(), eq(DeliveryState::Failed))
        .times(1)
        .returning(|_, _| Ok(()));
    let (mut phone, _, _) = phone(mocks);
    let result = phone
        .execute(Command::SendMessage {
            target: "bob".into(),
            text: "hi".into(),
            account: None,
        })
        .await;
    assert!(matches!(result, Err(PhoneError::Signaling(_))));
}

#[tokio::test]
async fn register_takes_the_password_from_the_secret_store() {
    let mut mocks = Mocks::new();
    let mut calls = 0;
    mocks
        .secrets
        .expect_get_password()
        .times(2)
        .returning(move |_| {
            calls += 1;
            Ok((calls == 1).then(|| Password::new("s3cret")))
        });
    mocks
        .signaling
        .expect_register()
        .withf(|r| {
            r.password.expose() == "s3cret"
                && r.auth_username == "me"
                && r.address.to_string() == "sip:me@example.com"
        })
        .times(1)
        .returning(|_| Ok(()));
    mocks
        .storage
        .expect_unsent_messages()
        .returning(|_, _| Ok(Vec::new()));
    let (mut phone, mut events, _) = phone(mocks);
    phone
        .execute(Command::Register(account_id()))
        .await
        .unwrap();
    assert_eq!(
        phone.execute(Command::Register(account_id())).await,
        Err(PhoneError::PasswordMissing(account_id()))
    );
    let state = RegistrationState::Registered { expires_secs: 600 };
    phone
        .on_signaling(SignalingEvent::Registration {
            account: account_id(),
            state: state.clone(),
        })
        .await;
    assert_eq!(phone.accounts()[0].registration, state);
    assert!(drain(&mut events).contains(&PhoneEvent::Registration {
        account: account_id(),
        state
    }));
}

/// A stream the test feeds by hand, standing in for the adapter's event stream.
fn channel_stream<T: Send + 'static>() -> (mpsc::UnboundedSender<T>, EventStream<T>) {
    let (sender, receiver) = mpsc::unbounded_channel();
    let stream = futures_util::stream::unfold(receiver, |mut rx| async move {
        rx.recv().await.map(|e| (e, rx))
    });
    (sender, stream.boxed())
}

async fn next_matching(
    events: &mut broadcast::Receiver<PhoneEvent>,
    want: impl Fn(&PhoneEvent) -> bool,
) -> PhoneEvent {
    loop {
        let event = events.recv().await.expect("the phone is running");
        if want(&event) {
            return event;
        }
    }
}

fn answering_machine_phone(mocks: Mocks) -> (PhoneHandle, mpsc::UnboundedSender<SignalingEvent>) {
    let mut settings = settings();
    settings.answering_machine = AnsweringMachine {
        enabled: true,
        delay_secs: 5,
        ..AnsweringMachine::default()
    };
    spawn_with_signals(mocks, settings)
}

/// A running phone whose signaling events the test sends.
fn spawn_with_signals(
    mocks: Mocks,
    settings: PhoneSettings,
) -> (PhoneHandle, mpsc::UnboundedSender<SignalingEvent>) {
    let mut mocks = mocks;
    // The start-up restore of the missed-call count, and remembering when it was seen.
    mocks
        .storage
        .expect_missed_viewed_at()
        .returning(|| Ok(None));
    mocks.storage.expect_missed_count().returning(|_| Ok(0));
    mocks
        .storage
        .expect_set_missed_viewed_at()
        .returning(|_| Ok(()));
    let (signal_tx, signal_stream) = channel_stream();
    let mut stream = Some(signal_stream);
    mocks
        .signaling
        .expect_events()
        .times(1)
        .returning(move || stream.take().unwrap());
    let (_media_tx, media_stream) = channel_stream();
    let mut media_stream = Some(media_stream);
    mocks
        .media
        .expect_events()
        .times(1)
        .returning(move || media_stream.take().unwrap());
    mocks
        .streams
        .expect_events()
        .times(1)
        .returning(|| Box::pin(futures_util::stream::empty()));
    let clock = Arc::new(FakeClock(AtomicI64::new(0)));
    (Phone::spawn(mocks.ports(clock), settings), signal_tx)
}

#[tokio::test(start_paused = true)]
async fn answering_machine_answers_when_the_countdown_ends() {
    let mut mocks = Mocks::new();
    expect_incoming_ring(&mut mocks);
    let answered_at = Arc::new(std::sync::Mutex::new(None));
    let record = answered_at.clone();
    mocks
        .media
        .expect_answer_offer()
        .times(1)
        .returning(move |_, _| {
            *record.lock().unwrap() = Some(tokio::time::Instant::now());
            Ok(Sdp::new("answer"))
        });
    mocks
        .signaling
        .expect_answer()
        .times(1)
        .returning(|_, _| Ok(()));
    let (handle, signals) = answering_machine_phone(mocks);
    let mut events = handle.subscribe();
    let start = tokio::time::Instant::now();
    signals.send(incoming("am", Some("offer"))).unwrap();
    let alert = next_matching(&mut events, |e| {
        matches!(e, PhoneEvent::IncomingCall { .. })
    })
    .await;
    assert!(
        matches!(alert, PhoneEvent::IncomingCall { answering_machine_in: Some(d), .. } if d == Duration::from_secs(5))
    );
    next_matching(&mut events, |e| {
        matches!(e, PhoneEvent::AnsweringMachineAnswered { .. })
    })
    .await;
    assert_eq!(
        answered_at.lock().unwrap().unwrap() - start,
        Duration::from_secs(5)
    );
}

#[tokio::test(start_paused = true)]
async fn switching_the_answering_machine_off_stops_the_countdown() {
    let mut mocks = Mocks::new();
    expect_incoming_ring(&mut mocks);
    // No answer expectations: if the machine answered, the mock would panic.
    let (handle, signals) = answering_machine_phone(mocks);
    let mut events = handle.subscribe();
    signals.send(incoming("am", Some("offer"))).unwrap();
    next_matching(&mut events, |e| {
        matches!(e, PhoneEvent::IncomingCall { .. })
    })
    .await;
    tokio::time::advance(Duration::from_secs(3)).await;
    handle
        .execute(Command::SetAnsweringMachine(false))
        .await
        .unwrap();
    tokio::time::advance(Duration::from_secs(10)).await;
    // A command round trip proves the loop ran past the old deadline without answering.
    handle.execute(Command::ClearMissedCalls).await.unwrap();
    assert!(
        std::iter::from_fn(|| events.try_recv().ok())
            .all(|e| !matches!(e, PhoneEvent::AnsweringMachineAnswered { .. }))
    );
}

#[tokio::test]
async fn a_transfer_that_succeeds_ends_our_call() {
    let mut mocks = Mocks::new();
    expect_outgoing_call(&mut mocks, "sip:bob@example.com");
    mocks.media.expect_apply_answer().returning(|_, _| Ok(()));
    mocks.media.expect_start().returning(|_| Ok(()));
    mocks
        .signaling
        .expect_transfer()
        .withf(|_, target| {
            *target
                == wink_ports::TransferTarget::Blind(
                    SipUri::parse("sip:carol@example.com").unwrap(),
                )
        })
        .times(1)
        .returning(|_, _| Ok(()));
    mocks
        .signaling
        .expect_hang_up()
        .times(1)
        .returning(|_| Ok(()));
    mocks.media.expect_stop().returning(|_| Ok(()));
    expect_history(&mut mocks.storage, CallResult::Answered);
    let (mut phone, mut events, _) = phone(mocks);
    let id = start_call(&mut phone, "bob").await;
    assert!(
        phone
            .execute(Command::Transfer(id.clone(), "carol".into()))
            .await
            .is_err(),
        "not before it is connected"
    );
    phone
        .on_signaling(SignalingEvent::Answered {
            session: id.clone(),
            sdp: Some(Sdp::new("a")),
        })
        .await;
    phone
        .execute(Command::Transfer(id.clone(), "carol".into()))
        .await
        .unwrap();
    phone
        .on_signaling(SignalingEvent::TransferProgress {
            session: id.clone(),
            code: 100,
            reason: "Trying".into(),
        })
        .await;
    assert!(
        phone.session(&id).is_some(),
        "a provisional report keeps the call"
    );
    phone
        .on_signaling(SignalingEvent::TransferProgress {
            session: id.clone(),
            code: 200,
            reason: "OK".into(),
        })
        .await;
    assert!(
        phone.session(&id).is_none(),
        "a successful transfer ends our call"
    );
    assert!(drain(&mut events).contains(&PhoneEvent::TransferProgress {
        session: id,
        code: 200
    }));
}

/// What the transferor was told about the call we made for it: (its call, status).
type TransferReports = Arc<std::sync::Mutex<Vec<(SessionId, u16)>>>;

/// Answers the incoming call "in-1", whose far end then transfers us to Carol: the phone,
/// the call placed to Carol, and what "in-1" is told about it.
async fn answered_then_transferred_to_carol(
    mut mocks: Mocks,
) -> (Phone, SessionId, TransferReports) {
    let reports = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = reports.clone();
    mocks
        .signaling
        .expect_notify_transfer()
        .returning(move |session, code, _| {
            seen.lock().unwrap().push((session.clone(), code));
            Ok(())
        });
    let (mut phone, _, _) = phone(mocks);
    phone.on_signaling(incoming("in-1", Some("offer"))).await;
    phone.execute(Command::Answer(sid("in-1"))).await.unwrap();
    phone
        .on_signaling(SignalingEvent::Confirmed {
            session: sid("in-1"),
            sdp: None,
        })
        .await;
    phone
        .on_signaling(SignalingEvent::TransferRequested {
            session: sid("in-1"),
            target: SipUri::parse("sip:carol@example.com").unwrap(),
            replaces: None,
        })
        .await;
    let new_call = phone
        .calls
        .keys()
        .find(|k| k.as_str() != "in-1")
        .cloned()
        .expect("a call to the target");
    (phone, new_call, reports)
}

#[tokio::test]
async fn when_transferred_we_call_the_target_and_report_to_the_transferor() {
    let mut mocks = Mocks::new();
    expect_answerable_incoming(&mut mocks);
    mocks.media.expect_start().returning(|_| Ok(()));
    expect_outgoing_call(&mut mocks, "sip:carol@example.com");
    mocks.media.expect_apply_answer().returning(|_, _| Ok(()));
    let (mut phone, new_call, reports) = answered_then_transferred_to_carol(mocks).await;
    phone
        .on_signaling(SignalingEvent::Progress {
            session: new_call.clone(),
            code: 180,
            sdp: None,
        })
        .await;
    phone
        .on_signaling(SignalingEvent::Answered {
            session: new_call,
            sdp: Some(Sdp::new("a")),
        })
        .await;
    assert_eq!(
        *reports.lock().unwrap(),
        [(sid("in-1"), 180), (sid("in-1"), 200)]
    );
}

#[tokio::test]
async fn an_incoming_call_that_replaces_a_connected_one_is_answered_and_the_old_one_ended() {
    let mut mocks = Mocks::new();
    mocks.signaling.expect_ring().times(2).returning(|_| Ok(()));
    mocks
        .media
        .expect_answer_offer()
        .times(2)
        .returning(|_, _| Ok(Sdp::new("answer")));
    mocks
        .signaling
        .expect_answer()
        .times(2)
        .returning(|_, _| Ok(()));
    mocks.media.expect_start().returning(|_| Ok(()));
    mocks
        .signaling
        .expect_hang_up()
        .with(eq(sid("old")))
        .times(1)
        .returning(|_| Ok(()));
    mocks.media.expect_stop().returning(|_| Ok(()));
    expect_history(&mut mocks.storage, CallResult::Answered);
    let (mut phone, _, _) = phone(mocks);
    phone.on_signaling(incoming("old", Some("offer"))).await;
    phone.execute(Command::Answer(sid("old"))).await.unwrap();
    phone
        .on_signaling(SignalingEvent::Confirmed {
            session: sid("old"),
            sdp: None,
        })
        .await;
    let SignalingEvent::IncomingCall {
        session,
        account,
        from,
        from_display,
        to,
        offer,
        ..
    } = incoming("new", Some("offer"))
    else {
        unreachable!()
    };
    let replacing = SignalingEvent::IncomingCall {
        session,
        account,
        from,
        from_display,
        to,
        offer,
        replaces: Some(sid("old")),
    };
    phone.on_signaling(replacing).await;
    assert_eq!(
        phone.session(&sid("new")).unwrap().state(),
        CallState::Accepted,
        "answered without asking"
    );
    assert!(
        phone.session(&sid("old")).is_none(),
        "the replaced call ended"
    );
}

#[tokio::test]
async fn an_attended_transfer_refers_one_call_to_the_other() {
    let mut mocks = Mocks::new();
    mocks
        .media
        .expect_create_offer()
        .times(2)
        .returning(|_| Ok(Sdp::new("offer")));
    mocks
        .signaling
        .expect_invite()
        .times(2)
        .returning(|_| Ok(()));
    mocks.media.expect_apply_answer().returning(|_, _| Ok(()));
    mocks.media.expect_start().returning(|_| Ok(()));
    mocks
        .signaling
        .expect_transfer()
        .withf(|_, target| matches!(target, wink_ports::TransferTarget::Attended(_)))
        .times(1)
        .returning(|_, _| Ok(()));
    let (mut phone, _, _) = phone(mocks);
    let first = start_call(&mut phone, "bob").await;
    let second = start_call(&mut phone, "carol").await;
    assert!(
        phone
            .execute(Command::TransferToCall(first.clone(), second.clone()))
            .await
            .is_err(),
        "both must be connected"
    );
    for call in [&first, &second] {
        phone
            .on_signaling(SignalingEvent::Answered {
                session: call.clone(),
                sdp: Some(Sdp::new("a")),
            })
            .await;
    }
    phone
        .execute(Command::TransferToCall(first, second))
        .await
        .unwrap();
}

mod accounts_at_run_time;
mod answering_machine;
mod audio_devices;
mod chat_sessions;
mod conference;
mod dtmf;
mod ended_calls;
mod file_transfers;
mod missed_calls;
mod recording_and_stats;
mod resending;
