//! The local conference: connected calls joined, held ones resumed first; a participant
//! silenced for everyone; a conference that shrinks to one call ends. (Which call media
//! silences is checked through the events, which name it.)

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

/// Mocks for connected outgoing calls that can join a conference and end, with
/// `silences` calls to the media's silence.
fn conference_mocks(silences: usize) -> Mocks {
    let mut mocks = Mocks::new();
    mocks
        .media
        .expect_silence()
        .times(silences)
        .returning(|_, _| Ok(()));
    mocks
        .media
        .expect_create_offer()
        .returning(|_| Ok(Sdp::new("v=0 offer")));
    mocks.signaling.expect_invite().returning(|_| Ok(()));
    mocks.media.expect_apply_answer().returning(|_, _| Ok(()));
    mocks.media.expect_start().returning(|_| Ok(()));
    mocks.media.expect_stop().returning(|_| Ok(()));
    mocks.signaling.expect_hang_up().returning(|_| Ok(()));
    mocks.storage.expect_add_history().returning(|_| Ok(()));
    mocks
}

async fn connected(phone: &mut Phone, name: &str) -> SessionId {
    let id = start_call(phone, name).await;
    phone
        .on_signaling(SignalingEvent::Answered {
            session: id.clone(),
            sdp: Some(Sdp::new("a")),
        })
        .await;
    id
}

async fn three_connected(phone: &mut Phone) -> [SessionId; 3] {
    [
        connected(phone, "bob").await,
        connected(phone, "carol").await,
        connected(phone, "dave").await,
    ]
}

fn conference_events(events: Vec<PhoneEvent>) -> Vec<PhoneEvent> {
    events
        .into_iter()
        .filter(|e| {
            matches!(
                e,
                PhoneEvent::Conference { .. } | PhoneEvent::ParticipantSilenced { .. }
            )
        })
        .collect()
}

#[tokio::test]
async fn a_participant_is_silenced_for_everyone_and_heard_again() {
    let mut mocks = conference_mocks(2);
    mocks.media.expect_conference().returning(|_| Ok(()));
    let (mut phone, mut events, _) = phone(mocks);
    let [bob, carol, dave] = three_connected(&mut phone).await;
    assert_eq!(
        phone
            .execute(Command::SilenceParticipant(carol.clone(), true))
            .await,
        Err(PhoneError::NotInConference(carol.clone())),
        "only a conference's participant can be silenced"
    );
    let members = vec![bob.clone(), carol.clone(), dave.clone()];
    phone
        .execute(Command::Conference(members.clone()))
        .await
        .unwrap();
    phone
        .execute(Command::SilenceParticipant(carol.clone(), true))
        .await
        .unwrap();
    assert!(phone.session(&carol).unwrap().silenced);
    phone
        .execute(Command::SilenceParticipant(carol.clone(), false))
        .await
        .unwrap();
    assert_eq!(
        conference_events(drain(&mut events)),
        [
            PhoneEvent::Conference { members },
            PhoneEvent::ParticipantSilenced {
                session: carol.clone(),
                silenced: true
            },
            PhoneEvent::ParticipantSilenced {
                session: carol,
                silenced: false
            },
        ]
    );
}

#[tokio::test]
async fn when_one_of_two_hangs_up_the_other_is_an_ordinary_call_again_and_heard() {
    let mut mocks = conference_mocks(2);
    mocks
        .media
        .expect_conference()
        .withf(|sessions| sessions.len() == 3)
        .times(1)
        .returning(|_| Ok(()));
    mocks
        .media
        .expect_conference()
        .withf(Vec::is_empty)
        .times(1)
        .returning(|_| Ok(()));
    let (mut phone, mut events, _) = phone(mocks);
    let [bob, carol, dave] = three_connected(&mut phone).await;
    phone
        .execute(Command::Conference(vec![
            bob.clone(),
            carol.clone(),
            dave.clone(),
        ]))
        .await
        .unwrap();
    phone
        .execute(Command::SilenceParticipant(dave.clone(), true))
        .await
        .unwrap();
    drain(&mut events);
    phone
        .on_signaling(SignalingEvent::HungUp {
            session: bob.clone(),
        })
        .await;
    assert_eq!(
        conference_events(drain(&mut events)),
        [PhoneEvent::Conference {
            members: vec![carol.clone(), dave.clone()]
        }],
        "two are left: still a conference"
    );
    phone.execute(Command::HangUp(carol)).await.unwrap();
    assert_eq!(
        conference_events(drain(&mut events)),
        [
            PhoneEvent::ParticipantSilenced {
                session: dave.clone(),
                silenced: false
            },
            PhoneEvent::Conference {
                members: Vec::new()
            },
        ],
        "one left: heard again, and no conference"
    );
    let dave = phone.session(&dave).unwrap();
    assert!(!dave.in_conference && !dave.silenced);
}
