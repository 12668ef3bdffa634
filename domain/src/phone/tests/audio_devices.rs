//! Choosing audio devices while the phone runs.

use super::*;

#[tokio::test]
async fn the_chosen_devices_go_to_the_media_as_chosen() {
    let mut mocks = Mocks::new();
    mocks
        .media
        .expect_use_devices()
        .with(eq(Some("alsa:USB Headset".to_owned())), eq(None))
        .times(1)
        .returning(|_, _| Ok(()));
    let (mut phone, _, _) = phone(mocks);
    let outcome = phone
        .execute(Command::UseAudioDevices {
            input: Some("alsa:USB Headset".into()),
            output: None,
        })
        .await;
    assert_eq!(outcome, Ok(CommandOutcome::Done));
}

#[tokio::test]
async fn a_device_that_cannot_open_is_reported() {
    let mut mocks = Mocks::new();
    mocks
        .media
        .expect_use_devices()
        .returning(|_, _| Err(MediaError::Device("the card is busy".into())));
    let (mut phone, _, _) = phone(mocks);
    let outcome = phone
        .execute(Command::UseAudioDevices {
            input: Some("alsa:hw:1".into()),
            output: Some("alsa:hw:1".into()),
        })
        .await;
    assert!(
        matches!(&outcome, Err(error) if error.to_string().contains("the card is busy")),
        "{outcome:?}"
    );
}
