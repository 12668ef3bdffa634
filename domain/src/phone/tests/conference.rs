//! The local conference: connected calls joined, held ones resumed first.

use super::*;

#[tokio::test]
async fn joining_resumes_a_held_call_and_hands_both_to_media() {
    let mut mocks = Mocks::new();
    mocks
        .media
        .expect_create_offer()
        .times(2)
        .returning(|_| Ok(Sdp::new("v=0 offer")));
    mocks
        .signaling
        .expect_invite()
        .times(2)
        .returning(|_| Ok(()));
    mocks.media.expect_apply_answer().returning(|_, _| Ok(()));
    mocks.media.expect_start().returning(|_| Ok(()));
    mocks
        .media
        .expect_hold()
        .returning(|_, on| Ok(Sdp::new(if on { "sendonly" } else { "sendrecv" })));
    mocks
        .signaling
        .expect_reinvite()
        .times(2)
        .returning(|_, _| Ok(()));
    mocks
        .media
        .expect_conference()
        .withf(|sessions| sessions.len() == 2)
        .times(1)
        .returning(|_| Ok(()));
    let (mut phone, _, _) = phone(mocks);
    let bob = start_call(&mut phone, "bob").await;
    let carol = start_call(&mut phone, "carol").await;
    assert!(
        phone
            .execute(Command::Conference(vec![bob.clone(), carol.clone()]))
            .await
            .is_err(),
        "calls that are not connected cannot join"
    );
    for id in [&bob, &carol] {
        phone
            .on_signaling(SignalingEvent::Answered {
                session: id.clone(),
                sdp: Some(Sdp::new("a")),
            })
            .await;
    }
    phone
        .execute(Command::Hold(bob.clone(), true))
        .await
        .unwrap();
    phone
        .execute(Command::Conference(vec![bob.clone(), carol.clone()]))
        .await
        .unwrap();
    assert_eq!(phone.session(&bob).unwrap().state(), CallState::Established);
}
