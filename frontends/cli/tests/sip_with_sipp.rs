//! sipp against wink-cli through kamailio: an INVITE without SDP gets our offer in the
//! 200 OK and our answer comes back in the ACK (Blink refuses such calls); wink-cli
//! calling a sipp UAS; and a call that came directly, hung up by wink-cli through its
//! outbound proxy.

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
    let uas = sipp_uas("uas-basic", "bob23", "5099");
    let out = call_as("alice23", &["--hangup-after", "1", "bob23@wink.test"]);
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

/// sipp calls wink-cli directly (no Record-Route); wink-cli, whose account goes through the
/// test kamailio as outbound proxy, hangs up: its BYE goes to kamailio with a Route for it
/// and reaches sipp (without one kamailio answers 404 and sipp waits for a BYE that never
/// comes).
#[test]
fn a_bye_for_a_call_that_came_directly_goes_through_the_outbound_proxy_as_a_loose_route() {
    let printed = sipp_calls_directly(
        "uac-direct-callee-hangs-up",
        "bob24",
        "127.0.0.1:5391",
        "5097",
    );
    assert!(printed.contains(": established"), "{printed}");
}

/// Runs a sipp scenario that calls the listener at `wink` directly, as `user`, from
/// `sipp_port`; returns what sipp and wink-cli said, failing the test when sipp failed.
/// The listener has real media (its microphone a tone file), so its SDP is the media
/// engine's.
fn sipp_calls_directly(scenario: &str, user: &str, wink: &str, sipp_port: &str) -> String {
    let bob = Sandbox::new();
    account(&bob, user);
    let tone = bob.root().join("tone.wav");
    wink_tests::tones::write_tone(&tone, 440.0, 5);
    let audio = format!("file:{}", tone.display());
    let listener = Listener::start(
        &bob,
        &[
            "--bind",
            wink,
            "--audio",
            &audio,
            "--auto-answer",
            "--duration",
            "3",
        ],
    );
    let out = wink_tests::sipp(workspace(), scenario, &[wink, "-s", user, "-p", sipp_port]);
    let sipp_said =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let printed = listener.finish();
    assert!(
        out.status.success(),
        "sipp {scenario}: {sipp_said}\nwink-cli: {printed}"
    );
    printed
}

/// The same INVITE arriving again by another path (a new branch, the same Call-ID, From
/// tag and CSeq) gets 482 and rings no second call (RFC 3261 §8.2.2.2).
#[test]
fn a_merged_request_is_refused_with_482() {
    let printed = sipp_calls_directly(
        "uac-direct-merged-request",
        "bob25",
        "127.0.0.1:5392",
        "5096",
    );
    assert_eq!(
        printed.matches("incoming call").count(),
        1,
        "one call, not two: {printed}"
    );
}

/// `Session-Expires: 30` from a caller that supports timers gets 422 with `Min-SE: 90`
/// (RFC 4028 §9), and no call.
#[test]
fn a_session_interval_below_90_s_is_refused_with_422_and_min_se() {
    let printed = sipp_calls_directly(
        "uac-direct-brief-session",
        "bob26",
        "127.0.0.1:5393",
        "5095",
    );
    assert!(!printed.contains(": established"), "{printed}");
}

/// The callee puts wink-cli's call on hold with a re-INVITE: the caller takes it (it
/// answered 488 before), answers it held, and its 200 stops at the ACK (sipp fails on a
/// retransmitted 200).
#[test]
fn the_callee_puts_our_call_on_hold_and_our_200_stops_at_its_ack() {
    let uas = sipp_uas("uas-reinvites-hold", "bob27", "5094");
    let out = call_as("alice27", &["--hangup-after", "5", "bob27@wink.test"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let uas = uas.join().expect("the sipp thread ends");
    assert!(
        uas.status.success(),
        "sipp: {}{}\nwink-cli: {stdout}",
        String::from_utf8_lossy(&uas.stdout),
        String::from_utf8_lossy(&uas.stderr)
    );
    assert!(stdout.contains("ended: Answered after 5 s"), "{stdout}");
}

/// Registers a sipp UAS as `user` (kamailio account, password `<user>-pw`) on `port` and
/// runs `scenario` there on a thread of its own, given half a second to start.
fn sipp_uas(
    scenario: &'static str,
    user: &str,
    port: &'static str,
) -> std::thread::JoinHandle<std::process::Output> {
    let password = format!("{user}-pw");
    let registered = wink_tests::sipp(
        workspace(),
        "register",
        &["127.0.0.1:5060", "-s", user, "-ap", &password, "-p", port],
    );
    assert!(
        registered.status.success(),
        "{}",
        String::from_utf8_lossy(&registered.stdout)
    );
    let workspace = workspace().to_owned();
    let uas = std::thread::spawn(move || wink_tests::sipp(&workspace, scenario, &["-p", port]));
    std::thread::sleep(Duration::from_millis(500));
    uas
}

/// `wink-cli call` with `args` from a new sandbox with `user`'s account.
fn call_as(user: &str, args: &[&str]) -> std::process::Output {
    let sandbox = Sandbox::new();
    account(&sandbox, user);
    common::call(&sandbox, args)
}

/// A video phone's offer (audio and video) gets an answer with both m-lines in order, the
/// video refused with port 0 (RFC 3264 §6), and the call connects.
#[test]
fn an_answer_keeps_every_m_line_of_the_offer() {
    let printed = sipp_calls_directly(
        "uac-direct-audio-and-video",
        "bob28",
        "127.0.0.1:5394",
        "5093",
    );
    assert!(printed.contains(": established"), "{printed}");
}

/// An offer in an UPDATE (RFC 3311), putting the call on hold, is answered in its 200
/// (it got 501 while our Allow listed UPDATE).
#[test]
fn an_update_with_an_offer_is_answered_held() {
    let printed = sipp_calls_directly("uac-direct-update", "bob29", "127.0.0.1:5395", "5092");
    assert!(printed.contains(": established"), "{printed}");
}
