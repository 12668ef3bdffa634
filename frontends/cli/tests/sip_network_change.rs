//! Lost networks (issue 12): the phone's interface goes down and another comes up, with
//! another address, as a laptop moves from one network to the next. Wink, listening on
//! every interface, sees the route towards its registrar change, registers from the new
//! address (dropping the old Contact at the registrar) and the next call reaches it, its
//! audio flowing to and from the new address.
//!
//! The phone runs in a namespace of its own joined to the test's by two veth pairs
//! (`wink_tests::second_network`); kamailio listens on 10.77.0.1 in the test namespace.

mod common;

use std::time::{Duration, Instant};

use common::logged_listener::LoggedListener;
use common::{Sandbox, use_file_secrets, wink};
use wink_tests::ExtraKamailio;
use wink_tests::second_network::{SERVER, SecondNetwork};
use wink_tests::tones::{tone_over_reference_between, write_tone};

/// The route probe runs every 10 s; the REGISTER then takes a round trip.
const REGISTERED_WITHIN: Duration = Duration::from_secs(20);
/// The phone's tone, and a pitch nobody plays.
const PHONE_HZ: f32 = 600.0;
const NOBODY_HZ: f32 = 1_900.0;

/// `user@wink.test` (password `<user>-pw`) with `server` as outbound proxy over UDP.
fn account_at(sandbox: &Sandbox, user: &str, server: &ExtraKamailio) {
    use_file_secrets(sandbox);
    let proxy = format!("{};transport=udp", server.address);
    common::wink_ok(
        sandbox,
        &[
            "account",
            "add",
            &format!("{user}@wink.test"),
            "--password-stdin",
            "--outbound-proxy",
            &proxy,
        ],
        &format!("{user}-pw\n"),
    );
}

/// The registration lines the listener printed, in order.
fn registrations(phone: &LoggedListener) -> Vec<String> {
    phone
        .printed()
        .lines()
        .filter(|line| line.starts_with("registration of"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn after_the_interface_changes_wink_registers_from_the_new_address_and_the_next_call_works() {
    let network = SecondNetwork::new();
    let first = network.connect(1);
    let server = ExtraKamailio::start_on(common::workspace(), &SERVER.to_string(), 15170, "MD5");

    let phone_side = Sandbox::new();
    account_at(&phone_side, "alice43", &server);
    let tone = phone_side.root().join("tone.wav");
    write_tone(&tone, PHONE_HZ, 30);
    let phone_audio = format!(
        "file:{},{}",
        tone.display(),
        phone_side.root().join("heard.wav").display()
    );
    let phone = LoggedListener::start_through(
        &phone_side,
        "0.0.0.0:15175",
        &["--auto-answer", "--audio", &phone_audio],
        &network.prefix(),
    );
    let before = registrations(&phone).len();
    println!("the phone registered from {first}");

    // The laptop moves: the first link goes down, another comes up.
    network.disconnect(1);
    let second = network.connect(2);
    let moved = Instant::now();
    let deadline = moved + REGISTERED_WITHIN;
    while !registrations(&phone)[before..]
        .iter()
        .any(|line| line.contains("Registered"))
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(100));
    }
    let after = registrations(&phone)[before..].to_vec();
    assert!(
        after.iter().any(|line| line.contains("Registered")),
        "not registered again {} s after the network changed: {after:?}\n{}",
        REGISTERED_WITHIN.as_secs(),
        phone.printed()
    );
    println!(
        "the network changed ({first} → {second}): registered again after {:.1} s ({after:?})",
        moved.elapsed().as_secs_f64()
    );

    // The next call: from a phone on the server's side, to the moved phone.
    let caller = Sandbox::new();
    account_at(&caller, "bob43", &server);
    let heard = caller.root().join("heard.wav");
    let caller_audio = format!("file:{},{}", tone.display(), heard.display());
    let bind = format!("{SERVER}:15181");
    let call = wink(
        &caller,
        &[
            "call",
            "alice43@wink.test",
            "--bind",
            &bind,
            "--timeout",
            "10",
            "--audio",
            &caller_audio,
            "--hangup-after",
            "4",
        ],
        "",
    );
    let said =
        String::from_utf8_lossy(&call.stdout).into_owned() + &String::from_utf8_lossy(&call.stderr);
    assert!(
        call.status.success(),
        "the call failed: {said}\nthe moved phone's log:\n{}\nkamailio's log:\n{}",
        phone.errors(),
        server.log()
    );
    assert!(
        phone.wait_for(": established", Duration::from_secs(5)),
        "the moved phone did not take the call: {}",
        phone.printed()
    );
    // The moved phone plays its tone; the caller hears it only if the phone's SDP gave the
    // new address and its RTP leaves from there.
    let ratio = tone_over_reference_between(&heard, PHONE_HZ, NOBODY_HZ, 1, 3);
    println!("the moved phone's tone at the caller: {ratio:.0} × the reference");
    assert!(
        ratio > 100.0,
        "no audio from the moved phone: {ratio}\n{said}"
    );
}
