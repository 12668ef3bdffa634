//! sipp against wink-cli through kamailio: an INVITE without SDP gets our offer in the
//! 200 OK and our answer comes back in the ACK (Blink refuses such calls); and wink-cli
//! calling a sipp UAS.

mod common;

use std::io::Read;
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Sandbox, use_file_secrets, wink, wink_ok};

fn workspace() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn account(sandbox: &Sandbox, user: &str) {
    let proxy = wink_tests::require_kamailio();
    use_file_secrets(sandbox);
    let address = format!("{user}@wink.test");
    let setting = format!("{proxy};transport=udp");
    wink_ok(
        sandbox,
        &[
            "account",
            "add",
            &address,
            "--password-stdin",
            "--outbound-proxy",
            &setting,
        ],
        &format!("{user}-pw\n"),
    );
}

fn listen(sandbox: &Sandbox, seconds: &str) -> (Child, ChildStdout, Vec<u8>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wink-cli"))
        .args([
            "listen",
            "--bind",
            "127.0.0.1:0",
            "--timeout",
            "10",
            "--audio",
            "none",
            "--auto-answer",
            "--duration",
            seconds,
        ])
        .env("XDG_CONFIG_HOME", sandbox.config_home())
        .env("XDG_DATA_HOME", sandbox.data_home())
        .env("HOME", sandbox.root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("wink-cli listen starts");
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut byte = [0u8; 1];
    while !String::from_utf8_lossy(&seen).contains("listening") && Instant::now() < deadline {
        match stdout.read(&mut byte) {
            Ok(1) => seen.push(byte[0]),
            _ => break,
        }
    }
    assert!(
        String::from_utf8_lossy(&seen).contains("listening"),
        "wink did not register"
    );
    (child, stdout, seen)
}

#[test]
fn an_invite_without_sdp_gets_our_offer_in_the_200_and_the_answer_in_the_ack() {
    let bob = Sandbox::new();
    account(&bob, "bob22");
    let (mut child, mut stdout, mut seen) = listen(&bob, "6");
    // The scenario fails unless the 200 OK carries an SDP offer with an audio line.
    let out = wink_tests::sipp(
        workspace(),
        "uac-late-offer",
        &[
            "127.0.0.1:5060",
            "-s",
            "bob22",
            "-au",
            "alice22",
            "-ap",
            "alice22-pw",
            "-p",
            "5098",
        ],
    );
    let sipp_said =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "sipp: {sipp_said}");
    let mut rest = Vec::new();
    let _ = stdout.read_to_end(&mut rest);
    let _ = child.wait();
    seen.extend(rest);
    let printed = String::from_utf8_lossy(&seen);
    assert!(printed.contains("from <alice22@wink.test>"), "{printed}");
    assert!(
        printed.contains(": established"),
        "the ACK with the answer confirmed the call: {printed}"
    );
    assert!(
        printed.contains("ended: Answered"),
        "sipp's BYE ended it: {printed}"
    );
}

#[test]
fn wink_calls_a_sipp_uas() {
    let registered = wink_tests::sipp(
        workspace(),
        "register",
        &[
            "127.0.0.1:5060",
            "-s",
            "bob23",
            "-ap",
            "bob23-pw",
            "-p",
            "5099",
        ],
    );
    assert!(
        registered.status.success(),
        "{}",
        String::from_utf8_lossy(&registered.stdout)
    );
    let workspace = workspace().to_owned();
    let uas =
        std::thread::spawn(move || wink_tests::sipp(&workspace, "uas-basic", &["-p", "5099"]));
    std::thread::sleep(Duration::from_millis(500));
    let alice = Sandbox::new();
    account(&alice, "alice23");
    let out = wink(
        &alice,
        &[
            "call",
            "--bind",
            "127.0.0.1:0",
            "--audio",
            "none",
            "--timeout",
            "10",
            "--hangup-after",
            "1",
            "bob23@wink.test",
        ],
        "",
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("ended: Answered after 1 s"), "{stdout}");
    let uas = uas.join().expect("the sipp thread ends");
    assert!(
        uas.status.success(),
        "the sipp UAS saw a complete call: {}",
        String::from_utf8_lossy(&uas.stdout)
    );
}
