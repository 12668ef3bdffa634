//! The answering machine once it answered: greeting, recording, and the message limit.

use super::*;

#[tokio::test(start_paused = true)]
async fn the_machine_plays_the_greeting_records_and_hangs_up_at_the_limit() {
    let mut mocks = Mocks::new();
    expect_answerable_incoming(&mut mocks);
    mocks.media.expect_start().times(1).returning(|_| Ok(()));
    mocks
        .media
        .expect_play()
        .withf(|_, path| path.as_deref() == Some(std::path::Path::new("/greetings/away.wav")))
        .times(1)
        .returning(|_, _| Ok(()));
    mocks.media.expect_mute().never();
    mocks
        .media
        .expect_record()
        .withf(|_, path| path.as_deref() == Some(std::path::Path::new("/recordings/am.wav")))
        .times(1)
        .returning(|_, _| Ok(()));
    let hung_up_at = Arc::new(std::sync::Mutex::new(None));
    let record = hung_up_at.clone();
    mocks
        .signaling
        .expect_hang_up()
        .times(1)
        .returning(move |_| {
            *record.lock().unwrap() = Some(tokio::time::Instant::now());
            Ok(())
        });
    mocks.media.expect_stop().returning(|_| Ok(()));
    mocks
        .storage
        .expect_add_history()
        .withf(|record| {
            record.recording.as_deref() == Some(std::path::Path::new("/recordings/am.wav"))
        })
        .times(1)
        .returning(|_| Ok(()));
    let mut settings = settings();
    settings.recordings_dir = Some("/recordings".into());
    settings.answering_machine = AnsweringMachine {
        enabled: true,
        delay_secs: 2,
        greeting: Some("/greetings/away.wav".into()),
        max_message_secs: 30,
    };
    let (handle, signals) = spawn_with_signals(mocks, settings);
    let mut events = handle.subscribe();
    signals.send(incoming("am", Some("offer"))).unwrap();
    next_matching(&mut events, |e| {
        matches!(e, PhoneEvent::AnsweringMachineAnswered { .. })
    })
    .await;
    signals
        .send(SignalingEvent::Confirmed {
            session: sid("am"),
            sdp: None,
        })
        .unwrap();
    let established = next_matching(&mut events, |e| {
        matches!(
            e,
            PhoneEvent::CallState {
                state: CallState::Established,
                ..
            }
        )
    })
    .await;
    assert!(matches!(established, PhoneEvent::CallState { .. }));
    let connected = tokio::time::Instant::now();
    next_matching(&mut events, |e| matches!(e, PhoneEvent::CallEnded { .. })).await;
    assert_eq!(
        hung_up_at.lock().unwrap().unwrap() - connected,
        Duration::from_secs(30)
    );
}
