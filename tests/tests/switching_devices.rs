//! Changing the microphone and the speaker during a call (the device menu, or a headset
//! plugged in): two media engines over loopback with WAV-file devices; halfway through,
//! one side switches both devices. The other side must then hear the new microphone, and
//! the new speaker must get the rest of the call.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use wink_audio::SystemAudio;
use wink_media::{CodecKind, MediaConfig, MediaEngine, MediaProfile, SrtpPolicy};
use wink_ports::{MediaPort, SessionId};
use wink_tests::tones::{find_tone, write_tone};

fn file(path: &std::path::Path) -> Option<String> {
    Some(format!("file:{}", path.display()))
}

fn engine(input: &std::path::Path, output: &std::path::Path) -> MediaEngine {
    let mut config = MediaConfig::new(IpAddr::V4(Ipv4Addr::LOCALHOST));
    config.profile = MediaProfile {
        codecs: vec![CodecKind::Pcmu],
        srtp: SrtpPolicy::Off,
    };
    config.input_device = file(input);
    config.output_device = file(output);
    MediaEngine::new(config, Arc::new(SystemAudio::new()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_moves_to_the_devices_chosen_while_it_runs() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name);
    write_tone(&path("laptop-mic.wav"), 440.0, 20);
    write_tone(&path("headset-mic.wav"), 700.0, 20);
    write_tone(&path("far-end.wav"), 1000.0, 20);
    let near = engine(&path("laptop-mic.wav"), &path("laptop-speaker.wav"));
    let far = engine(&path("far-end.wav"), &path("far-heard.wav"));
    let (a, b) = (
        SessionId::new("near").unwrap(),
        SessionId::new("far").unwrap(),
    );
    let offer = near.create_offer(&a).await.unwrap();
    let answer = far.answer_offer(&b, &offer).await.unwrap();
    near.apply_answer(&a, &answer).await.unwrap();
    near.start(&a).await.unwrap();
    far.start(&b).await.unwrap();

    tokio::time::sleep(Duration::from_secs(2)).await;
    near.use_devices(
        file(&path("headset-mic.wav")),
        file(&path("headset-speaker.wav")),
    )
    .await
    .expect("the running call switches");
    tokio::time::sleep(Duration::from_secs(3)).await;
    near.stop(&a).await.unwrap();
    far.stop(&b).await.unwrap();

    let laptop = find_tone(&path("far-heard.wav"), 440.0);
    let headset = find_tone(&path("far-heard.wav"), 700.0);
    eprintln!("far end heard the laptop {laptop:?}, then the headset {headset:?}");
    assert!(
        laptop.with_tone >= 20,
        "the first microphone was heard: {laptop:?}"
    );
    assert!(
        headset.with_tone >= 40,
        "the new microphone was heard: {headset:?}"
    );
    assert!(
        headset.first_ms >= Some(1_500) && laptop.first_ms < headset.first_ms,
        "the headset came after the laptop: {laptop:?} {headset:?}"
    );
    let on_laptop = find_tone(&path("laptop-speaker.wav"), 1000.0);
    let on_headset = find_tone(&path("headset-speaker.wav"), 1000.0);
    eprintln!("the far end played on the laptop {on_laptop:?}, on the headset {on_headset:?}");
    assert!(
        on_headset.share() > 0.7,
        "the new speaker plays the call: {on_headset:?}"
    );
    assert!(
        on_laptop.windows < 60,
        "the old speaker stopped at the switch (2 s, 40 windows): {on_laptop:?}"
    );
}
