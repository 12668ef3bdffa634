//! A short message that could not be delivered is kept, and goes again when its account
//! registers again; the other side gets it then (kamailio in the loopback namespace).

mod common;

use common::{Listener, Sandbox, answering, sip_account, wink, wink_ok};

#[test]
fn a_failed_message_goes_again_when_the_account_registers() {
    wink_tests::require_kamailio();
    let alice = Sandbox::new();
    sip_account(&alice, "alice65");
    // bob65 is not registered: the proxy cannot deliver it.
    let first = wink(
        &alice,
        &[
            "message",
            "--bind",
            "127.0.0.1:0",
            "--timeout",
            "10",
            "bob65@wink.test",
            "while you were out",
        ],
        "",
    );
    assert!(
        !first.status.success(),
        "nobody to deliver to: {}",
        String::from_utf8_lossy(&first.stdout)
    );

    let (bob, bob_listening) = answering("bob65", "8");
    // Alice comes back: registering sends what never got out.
    let back = Listener::start(&alice, &["--duration", "3"]).finish();
    assert!(back.contains(": Sent"), "alice sent it again: {back}");
    let heard = bob_listening.finish();
    assert!(
        heard.contains("message from alice65@wink.test: while you were out"),
        "bob got it: {heard}"
    );
    assert!(wink_ok(&bob, &["history", "--search", "were out"], "").contains("while you were out"));
    // Delivered now: the next registration sends nothing more.
    let again = Listener::start(&alice, &["--duration", "1"]).finish();
    assert!(!again.contains(": Sent"), "sent once: {again}");
}
