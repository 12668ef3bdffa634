//! wink-cli and a real baresip calling each other through kamailio, with hold and hang-up
//! (signaling only: `--audio none` until the media adapter lands).

mod common;

use std::thread::sleep;
use std::time::{Duration, Instant};

use common::{Listener, Sandbox, sip_account as account, workspace};
use wink_tests::Baresip;

#[test]
fn wink_calls_baresip_holds_and_hangs_up() {
    let baresip = Baresip::start(workspace(), "bob20", true);
    let alice = Sandbox::new();
    account(&alice, "alice20");
    let out = common::call(
        &alice,
        &[
            "--hold-after",
            "1",
            "--hangup-after",
            "2",
            "bob20@wink.test",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}\nbaresip:\n{}",
        String::from_utf8_lossy(&out.stderr),
        baresip.log()
    );
    assert!(
        stdout.contains(": established") && stdout.contains(": on hold"),
        "{stdout}"
    );
    assert!(stdout.contains("ended: Answered after 2 s"), "{stdout}");
    let log = baresip.log();
    assert!(
        log.contains("Call established: sip:alice20@wink.test"),
        "{log}"
    );
    // baresip saw our BYE end the call (bounded wait: it logs asynchronously).
    let deadline = Instant::now() + Duration::from_secs(5);
    while !baresip.log().contains("terminated") && Instant::now() < deadline {
        sleep(Duration::from_millis(100));
    }
    assert!(baresip.log().contains("terminated"), "{}", baresip.log());
}

#[test]
fn baresip_calls_wink_which_answers_and_sees_the_hang_up() {
    let bob = Sandbox::new();
    account(&bob, "bob21");
    let listener = Listener::start(&bob, &["--auto-answer", "--duration", "8"]);

    let baresip = Baresip::start(workspace(), "carol21", false);
    let dialed = baresip.control(&["dial", "sip:bob21@wink.test"]);
    assert!(
        dialed.status.success(),
        "{}",
        String::from_utf8_lossy(&dialed.stdout)
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while !baresip.log().contains("Call established") && Instant::now() < deadline {
        sleep(Duration::from_millis(100));
    }
    assert!(
        baresip
            .log()
            .contains("Call established: sip:bob21@wink.test"),
        "{}",
        baresip.log()
    );
    sleep(Duration::from_secs(1));
    let hung_up = baresip.control(&["hangup"]);
    assert!(
        hung_up.status.success(),
        "{}",
        String::from_utf8_lossy(&hung_up.stdout)
    );

    let printed = listener.finish();
    assert!(printed.contains("from <carol21@wink.test>"), "{printed}");
    assert!(printed.contains(": established"), "{printed}");
    assert!(printed.contains("ended: Answered"), "{printed}");
}
