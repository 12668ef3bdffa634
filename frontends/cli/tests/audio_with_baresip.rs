//! Real two-way audio between wink-cli and baresip through kamailio: each side plays a tone
//! from a WAV file, and each recording must hold the other side's tone. Once per codec in
//! both directions, and with SRTP (SDES) both ways. DTMF both ways.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::{Listener, Sandbox, sip_account as account, workspace};
use wink_tests::tones::{find_tone, tone_over_reference, write_tone};
use wink_tests::{Baresip, BaresipOptions};

/// wink's tone.
const WINK_HZ: f32 = 440.0;
/// baresip's tone.
const BARESIP_HZ: f32 = 1000.0;
/// The answering machine's greeting.
const GREETING_HZ: f32 = 700.0;
/// The second baresip's tone, in the conference test.
const CAROL_HZ: f32 = 1500.0;
/// Share of 50 ms windows of a recording that must hold the other side's tone.
const MIN_SHARE: f32 = 0.8;

struct Tones {
    dir: tempfile::TempDir,
}

impl Tones {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder");
        // baresip ends the call when its file ends: longer than any call here.
        write_tone(&dir.path().join("wink.wav"), WINK_HZ, 30);
        write_tone(&dir.path().join("baresip.wav"), BARESIP_HZ, 30);
        Self { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `--audio file:wink.wav,wink-heard.wav`
    fn wink_audio(&self) -> String {
        format!(
            "file:{},{}",
            self.path("wink.wav").display(),
            self.path("wink-heard.wav").display()
        )
    }

    fn baresip_options(&self, auto_answer: bool, codecs: &str, srtp: bool) -> BaresipOptions {
        BaresipOptions {
            auto_answer,
            audio_in: Some(self.path("baresip.wav")),
            audio_out: Some(self.path("baresip-heard.wav")),
            codecs: Some(codecs.to_owned()),
            mediaenc: srtp.then(|| "srtp-mand".to_owned()),
        }
    }

    /// Both recordings hold the other side's tone for most of the call.
    fn assert_heard_both_ways(&self, baresip: &Baresip, context: &str) {
        assert!(
            baresip.wait_for_log("terminated", Duration::from_secs(10)),
            "{context}: baresip did not see the call end\n{}",
            baresip.log()
        );
        baresip.recording();
        let by_wink = find_tone(&self.path("wink-heard.wav"), BARESIP_HZ);
        let by_baresip = find_tone(&self.path("baresip-heard.wav"), WINK_HZ);
        assert!(
            by_wink.share() > MIN_SHARE,
            "{context}: wink heard baresip's tone in {by_wink:?}"
        );
        assert!(
            by_baresip.share() > MIN_SHARE,
            "{context}: baresip heard wink's tone in {by_baresip:?}\n{}",
            baresip.log()
        );
    }
}

fn srtp_flag(srtp: bool) -> &'static str {
    if srtp { "mandatory" } else { "off" }
}

/// wink-cli `user` calls baresip `peer` for 4 s with `codec`.
fn wink_calls_baresip(user: &str, peer: &str, codec: &str, baresip_codecs: &str, srtp: bool) {
    let tones = Tones::new();
    let baresip = Baresip::start_with(
        workspace(),
        peer,
        tones.baresip_options(true, baresip_codecs, srtp),
    );
    let sandbox = Sandbox::new();
    account(&sandbox, user);
    let audio = tones.wink_audio();
    let target = format!("{peer}@wink.test");
    let out = common::call(
        &sandbox,
        &[
            "--audio",
            &audio,
            "--codec",
            codec,
            "--srtp",
            srtp_flag(srtp),
            "--hangup-after",
            "4",
            &target,
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let context = format!("wink → baresip, {codec}, srtp {srtp}");
    assert!(
        out.status.success(),
        "{context}: {stdout}\n{}\nbaresip:\n{}",
        String::from_utf8_lossy(&out.stderr),
        baresip.log()
    );
    let encryption = if srtp { "SRTP" } else { "plain RTP" };
    assert!(
        stdout.contains(&format!("stats: codec {}, {encryption}", codec_name(codec))),
        "{context}: {stdout}"
    );
    tones.assert_heard_both_ways(&baresip, &context);
}

/// baresip `peer` calls wink-cli `user`, which answers; baresip hangs up after 4 s.
fn baresip_calls_wink(user: &str, peer: &str, codec: &str, baresip_codecs: &str, srtp: bool) {
    let tones = Tones::new();
    let sandbox = Sandbox::new();
    account(&sandbox, user);
    let audio = tones.wink_audio();
    let listener = Listener::start(
        &sandbox,
        &[
            "--audio",
            &audio,
            "--codec",
            codec,
            "--srtp",
            srtp_flag(srtp),
            "--auto-answer",
            "--duration",
            "10",
        ],
    );
    let baresip = Baresip::start_with(
        workspace(),
        peer,
        tones.baresip_options(false, baresip_codecs, srtp),
    );
    let context = format!("baresip → wink, {codec}, srtp {srtp}");
    baresip.dial_until_established(&format!("sip:{user}@wink.test"));
    std::thread::sleep(Duration::from_secs(4));
    let hung_up = baresip.control(&["hangup"]);
    assert!(hung_up.status.success(), "{context}: {hung_up:?}");
    tones.assert_heard_both_ways(&baresip, &context);
    let printed = listener.finish();
    assert!(printed.contains("ended: Answered"), "{context}: {printed}");
}

fn codec_name(codec: &str) -> &'static str {
    match codec {
        "opus" => "opus",
        "g722" => "G722",
        "pcma" => "PCMA",
        _ => "PCMU",
    }
}

#[test]
fn wink_calls_baresip_with_opus() {
    wink_calls_baresip("alice40", "bob40", "opus", "opus/48000/2", false);
}

#[test]
fn wink_calls_baresip_with_g722() {
    wink_calls_baresip("alice41", "bob41", "g722", "g722", false);
}

#[test]
fn wink_calls_baresip_with_pcma() {
    wink_calls_baresip("alice42", "bob42", "pcma", "pcma", false);
}

#[test]
fn wink_calls_baresip_with_pcmu() {
    wink_calls_baresip("alice43", "bob43", "pcmu", "pcmu", false);
}

#[test]
fn wink_calls_baresip_with_srtp() {
    wink_calls_baresip("alice44", "bob44", "opus", "opus/48000/2", true);
}

#[test]
fn baresip_calls_wink_with_opus() {
    baresip_calls_wink("alice45", "bob45", "opus", "opus/48000/2", false);
}

#[test]
fn baresip_calls_wink_with_g722() {
    baresip_calls_wink("alice46", "bob46", "g722", "g722", false);
}

#[test]
fn baresip_calls_wink_with_pcma() {
    baresip_calls_wink("alice47", "bob47", "pcma", "pcma", false);
}

#[test]
fn baresip_calls_wink_with_pcmu() {
    baresip_calls_wink("alice48", "bob48", "pcmu", "pcmu", false);
}

#[test]
fn baresip_calls_wink_with_srtp() {
    baresip_calls_wink("alice49", "bob49", "pcmu", "pcmu", true);
}

#[test]
fn dtmf_reaches_baresip_and_baresips_dtmf_reaches_wink() {
    // wink → baresip: keys sent a second after the call connects.
    let tones = Tones::new();
    let baresip = Baresip::start_with(
        workspace(),
        "bob50",
        tones.baresip_options(true, "pcmu", false),
    );
    let sandbox = Sandbox::new();
    account(&sandbox, "alice50");
    let audio = tones.wink_audio();
    let watch = baresip.watch("CALL_DTMF_START", 20);
    let out = common::call(
        &sandbox,
        &[
            "--audio",
            &audio,
            "--dtmf",
            "7",
            "--hangup-after",
            "3",
            "bob50@wink.test",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("DTMF sent 7"), "{stdout}");
    let event = watch.wait().unwrap_or_default();
    assert!(
        event.contains("\"param\": \"7\""),
        "baresip did not decode our key: {event:?}\n{}",
        baresip.log()
    );

    // baresip → wink: baresip presses keys during a call wink answered.
    let sandbox = Sandbox::new();
    account(&sandbox, "alice51");
    let listener = Listener::start(
        &sandbox,
        &["--audio", &audio, "--auto-answer", "--duration", "8"],
    );
    let caller = Baresip::start_with(
        workspace(),
        "bob51",
        tones.baresip_options(false, "pcmu", false),
    );
    caller.dial_until_established("sip:alice51@wink.test");
    for key in ["4", "2", "*"] {
        assert!(caller.control(&["sndcode", key]).status.success());
        std::thread::sleep(Duration::from_millis(300));
    }
    std::thread::sleep(Duration::from_secs(1));
    assert!(caller.control(&["hangup"]).status.success());
    let printed = listener.finish();
    let received: String = printed
        .lines()
        .filter_map(|l| l.split("DTMF received ").nth(1))
        .collect();
    assert_eq!(received, "42*", "{printed}");
}

#[test]
fn a_call_runs_on_the_sound_card_and_a_missing_card_gives_way_to_the_default() {
    // No sound card here: ALSA's null device stands in for one (STACK.md), through the
    // same cpal path a real card takes.
    let tones = Tones::new();
    let baresip = Baresip::start_with(
        workspace(),
        "bob52",
        tones.baresip_options(true, "pcmu", false),
    );
    let sandbox = Sandbox::new();
    account(&sandbox, "alice52");
    std::fs::write(
        sandbox.root().join(".asoundrc"),
        "pcm.!default { type null }\nctl.!default { type null }\n",
    )
    .unwrap();
    let listed = common::wink_ok(&sandbox, &["devices"], "");
    assert!(listed.contains("input   alsa:default"), "{listed}");
    let out = common::call(
        &sandbox,
        &[
            "--audio",
            "device",
            "--hangup-after",
            "2",
            "bob52@wink.test",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let received: u64 = stdout
        .split("received ")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(received > 50, "baresip's audio did not arrive: {stdout}");

    common::wink_ok(
        &sandbox,
        &["config", "audio", "--input", "alsa:no-such-card"],
        "",
    );
    let out = common::call(
        &sandbox,
        &[
            "--audio",
            "device",
            "--hangup-after",
            "2",
            "bob52@wink.test",
        ],
    );
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // A card that is not there (a headset unplugged since it was chosen) does not cost
    // the call: the default card takes its place, and the user is told.
    assert!(
        out.status.success() && printed.contains("established"),
        "the call should go on with the default card: {printed}"
    );
    assert!(
        printed.contains("alsa:no-such-card is not there: calls use the system default"),
        "{printed}"
    );
    drop(baresip);
}

#[test]
fn the_answering_machine_greets_records_the_caller_and_hangs_up() {
    let tones = Tones::new();
    let greeting = tones.path("greeting.wav");
    write_tone(&greeting, GREETING_HZ, 10);
    let sandbox = Sandbox::new();
    account(&sandbox, "alice56");
    let audio = tones.wink_audio();
    let greeting_arg = greeting.display().to_string();
    let listener = Listener::start(
        &sandbox,
        &[
            "--audio",
            &audio,
            "--answering-machine",
            "1",
            "--greeting",
            &greeting_arg,
            "--max-message",
            "4",
            "--duration",
            "15",
        ],
    );
    let baresip = Baresip::start_with(
        workspace(),
        "bob56",
        tones.baresip_options(false, "pcmu", false),
    );
    // Nobody answers: the machine does after 1 s, and hangs up 4 s later by itself.
    baresip.dial_until_established("sip:alice56@wink.test");
    assert!(
        baresip.wait_for_log("terminated", Duration::from_secs(15)),
        "the machine did not hang up\n{}",
        baresip.log()
    );
    baresip.recording();
    let printed = listener.finish();
    assert!(
        printed.contains("the answering machine answered"),
        "{printed}"
    );
    // The caller heard the greeting, never the microphone.
    let heard = find_tone(&tones.path("baresip-heard.wav"), GREETING_HZ);
    assert!(heard.share() > MIN_SHARE, "greeting heard in {heard:?}");
    assert_eq!(
        find_tone(&tones.path("baresip-heard.wav"), WINK_HZ).with_tone,
        0,
        "the microphone reached the caller"
    );
    // The message: the caller's tone, in the recordings folder.
    let recordings = sandbox.data_home().join("wink/recordings");
    let message = std::fs::read_dir(&recordings)
        .unwrap_or_else(|e| panic!("{}: {e}\n{printed}", recordings.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| path.extension().is_some_and(|e| e == "wav"))
        .unwrap_or_else(|| panic!("no message in {}", recordings.display()));
    let recorded = find_tone(&message, BARESIP_HZ);
    assert!(recorded.share() > MIN_SHARE, "message holds {recorded:?}");
}

#[test]
fn in_a_local_conference_both_callees_hear_each_other() {
    let (bob_tones, carol_tones) = (Tones::new(), Tones::new());
    // Carol's microphone plays another pitch than Bob's.
    write_tone(&carol_tones.path("baresip.wav"), CAROL_HZ, 30);
    let bob = Baresip::start_with(
        workspace(),
        "bob57",
        bob_tones.baresip_options(true, "pcmu", false),
    );
    let carol = Baresip::start_with(
        workspace(),
        "carol57",
        carol_tones.baresip_options(true, "opus/48000/2", false),
    );
    let sandbox = Sandbox::new();
    account(&sandbox, "alice57");
    let audio = bob_tones.wink_audio();
    let out = common::call(
        &sandbox,
        &[
            "--audio",
            &audio,
            "--conference-with",
            "carol57@wink.test",
            "--hangup-after",
            "7",
            "bob57@wink.test",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("conference of 2 calls"), "{stdout}");
    for baresip in [&bob, &carol] {
        assert!(
            baresip.wait_for_log("terminated", Duration::from_secs(10)),
            "{}",
            baresip.log()
        );
        baresip.recording();
    }
    let bob_hears_carol =
        tone_over_reference(&bob_tones.path("baresip-heard.wav"), CAROL_HZ, 2500.0, 2);
    let carol_hears_bob = tone_over_reference(
        &carol_tones.path("baresip-heard.wav"),
        BARESIP_HZ,
        2500.0,
        2,
    );
    assert!(
        bob_hears_carol > 100.0,
        "Bob hears Carol at {bob_hears_carol:.1}x\n{stdout}"
    );
    assert!(
        carol_hears_bob > 100.0,
        "Carol hears Bob at {carol_hears_bob:.1}x\n{stdout}"
    );
}
