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

#[tokio::test]
async fn a_missing_device_is_said_to_the_user() {
    let (mut phone, mut events, _) = phone(Mocks::new());
    phone
        .on_media(wink_ports::MediaEvent::DeviceMissing {
            device: "alsa:USB Headset".into(),
        })
        .await;
    let said: Vec<String> = drain(&mut events)
        .into_iter()
        .filter_map(|e| match e {
            PhoneEvent::Problem(text) => Some(text),
            _ => None,
        })
        .collect();
    assert_eq!(
        said,
        [
            "the audio device alsa:USB Headset is not there: calls use the system default until it is back"
        ]
    );
}
