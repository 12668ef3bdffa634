//! Once a call ends nothing about it is left to act: its timers do nothing, and a call made
//! for a transferor tells it the outcome once, from the record the end removed.

use super::super::timers::Timer;
use super::*;

#[tokio::test(start_paused = true)]
async fn timers_of_a_call_that_is_gone_do_nothing() {
    // No expectations: any port call would panic.
    let (mut phone, mut events, _) = phone(Mocks::new());
    let now = tokio::time::Instant::now();
    let gone = sid("gone");
    for timer in [
        Timer::AnsweringMachine(gone.clone()),
        Timer::DtmfTail(gone.clone()),
        Timer::MessageLimit(gone),
    ] {
        phone.timers.schedule(now, timer);
    }
    phone.on_timers(now).await;
    assert_eq!(drain(&mut events), []);
    assert_eq!(phone.next_deadline(), None);
}

#[tokio::test]
async fn a_transferred_call_that_fails_tells_the_transferor_once() {
    let mut mocks = Mocks::new();
    expect_answerable_incoming(&mut mocks);
    mocks.media.expect_start().returning(|_| Ok(()));
    expect_outgoing_call(&mut mocks, "sip:carol@example.com");
    mocks.media.expect_stop().returning(|_| Ok(()));
    expect_history(&mut mocks.storage, CallResult::Busy);
    let (mut phone, new_call, reports) = answered_then_transferred_to_carol(mocks).await;
    for event in [
        SignalingEvent::Progress {
            session: new_call.clone(),
            code: 180,
            sdp: None,
        },
        SignalingEvent::Failed {
            session: new_call.clone(),
            code: 486,
            reason: "Busy Here".into(),
        },
        // Too late: the call is gone, and so is the transferor waiting on it.
        SignalingEvent::Progress {
            session: new_call.clone(),
            code: 180,
            sdp: None,
        },
    ] {
        phone.on_signaling(event).await;
    }
    assert!(phone.session(&new_call).is_none());
    assert_eq!(
        *reports.lock().unwrap(),
        [(sid("in-1"), 180), (sid("in-1"), 486)]
    );
}
