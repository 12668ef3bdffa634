//! Recording a call and asking for its audio statistics.

use super::*;

#[tokio::test]
async fn recording_goes_to_the_recordings_folder_and_stats_come_from_media() {
    let mut mocks = Mocks::new();
    expect_outgoing_call(&mut mocks, "sip:bob@example.com");
    mocks.media.expect_apply_answer().returning(|_, _| Ok(()));
    mocks.media.expect_start().returning(|_| Ok(()));
    mocks
        .media
        .expect_record()
        .withf(|_, path| {
            path.as_ref()
                .is_some_and(|p| p.extension().is_some_and(|e| e == "wav"))
        })
        .times(1)
        .returning(|_, _| Ok(()));
    mocks
        .media
        .expect_record()
        .withf(|_, path| path.is_none())
        .times(1)
        .returning(|_, _| Ok(()));
    mocks.media.expect_stats().returning(|_| {
        Ok(wink_ports::CallStats {
            codec: "opus".into(),
            encrypted: true,
            ..wink_ports::CallStats::default()
        })
    });
    let clock = Arc::new(FakeClock(AtomicI64::new(1_000_000)));
    let mut phone = Phone::new(
        mocks.ports(clock),
        PhoneSettings {
            recordings_dir: Some("/recordings".into()),
            ..settings()
        },
    );
    let id = start_call(&mut phone, "bob").await;
    assert!(
        phone
            .execute(Command::Record(id.clone(), true))
            .await
            .is_err(),
        "nothing to record before the call connects"
    );
    phone
        .on_signaling(SignalingEvent::Answered {
            session: id.clone(),
            sdp: Some(Sdp::new("a")),
        })
        .await;
    let Ok(CommandOutcome::Recording(path)) =
        phone.execute(Command::Record(id.clone(), true)).await
    else {
        panic!("recording did not start")
    };
    assert!(path.starts_with("/recordings"), "{}", path.display());
    assert_eq!(phone.session(&id).unwrap().recording, Some(path));
    phone
        .execute(Command::Record(id.clone(), false))
        .await
        .unwrap();
    let Ok(CommandOutcome::Stats(stats)) = phone.execute(Command::Stats(id.clone())).await else {
        panic!("no stats")
    };
    assert_eq!(stats.codec, "opus");
    assert!(stats.encrypted);
}
