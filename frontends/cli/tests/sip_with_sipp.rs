//! sipp against wink-cli through kamailio: an INVITE without SDP gets our offer in the
//! 200 OK and our answer comes back in the ACK (Blink refuses such calls); and wink-cli
//! calling a sipp UAS.

mod common;

use std::time::Duration;

use common::{Listener, Sandbox, sip_account as account, workspace};

#[test]
fn an_invite_without_sdp_gets_our_offer_in_the_200_and_the_answer_in_the_ack() {
    let bob = Sandbox::new();
    account(&bob, "bob22");
    let listener = Listener::start(&bob, &["--auto-answer", "--duration", "6"]);
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
    let printed = listener.finish();
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
    let out = common::call(&alice, &["--hangup-after", "1", "bob23@wink.test"]);
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
