//! Chat sessions (MSRP) between two wink-cli through kamailio, inside the loopback-only
//! namespace `make test` creates: lines typed before the other side accepts wait and then
//! arrive, each is reported delivered, and the other side's line comes back.

mod common;

use common::{Sandbox, wink};

#[test]
fn lines_typed_before_the_chat_is_accepted_arrive_and_are_reported_delivered() {
    let (_bob, listener) = common::answering("bob61", "12");
    let alice = Sandbox::new();
    common::sip_account(&alice, "alice61");
    let out = wink(
        &alice,
        &[
            "chat",
            "--bind",
            "127.0.0.1:0",
            "--timeout",
            "10",
            "bob61@wink.test",
        ],
        "hello bob\nsecond line ☺\n",
    );
    let said = String::from_utf8_lossy(&out.stdout);
    let errors = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}\n{errors}");
    assert!(said.contains("connected"), "{said}\n{errors}");
    assert!(said.contains("line 1: delivered"), "{said}\n{errors}");
    assert!(said.contains("line 2: delivered"), "{said}\n{errors}");
    let bob_saw = listener.finish();
    assert!(
        bob_saw.contains("message from alice61@wink.test: hello bob"),
        "{bob_saw}"
    );
    assert!(
        bob_saw.contains("message from alice61@wink.test: second line ☺"),
        "{bob_saw}"
    );
}

/// The test MSRP relay (kamailio's msrp module) as an account setting.
fn relay() -> String {
    let address = std::env::var("WINK_TEST_MSRP_RELAY").expect(
        "WINK_TEST_MSRP_RELAY is not set: run inside scripts/in-test-namespace.sh, which starts the relay",
    );
    format!("msrp://{address};tcp")
}

#[test]
fn a_chat_goes_through_the_accounts_msrp_relay_on_both_sides() {
    let relay = relay();
    let bob = Sandbox::new();
    common::sip_account_with(&bob, "bob63", "bob63-pw", &["--msrp-relay", &relay]);
    let listener = common::Listener::start(&bob, &["--auto-answer", "--duration", "12"]);
    let alice = Sandbox::new();
    common::sip_account_with(&alice, "alice63", "alice63-pw", &["--msrp-relay", &relay]);
    let out = wink(
        &alice,
        &[
            "chat",
            "--bind",
            "127.0.0.1:0",
            "--timeout",
            "10",
            "bob63@wink.test",
        ],
        "through the relay\n",
    );
    let said = String::from_utf8_lossy(&out.stdout);
    let errors = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}\n{errors}");
    assert!(said.contains("line 1: delivered"), "{said}\n{errors}");
    let bob_saw = listener.finish();
    assert!(
        bob_saw.contains("message from alice63@wink.test: through the relay"),
        "{bob_saw}"
    );
}

#[test]
fn a_relay_that_cannot_be_reached_is_said_in_words() {
    let alice = Sandbox::new();
    // Nothing listens on the discard port of the test namespace.
    common::sip_account_with(
        &alice,
        "alice64",
        "alice64-pw",
        &["--msrp-relay", "msrp://127.0.0.1:9;tcp"],
    );
    let out = wink(
        &alice,
        &[
            "chat",
            "--bind",
            "127.0.0.1:0",
            "--timeout",
            "10",
            "bob64@wink.test",
        ],
        "hello\n",
    );
    let errors = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        errors.contains("cannot reach the MSRP relay msrp://127.0.0.1:9;tcp"),
        "{errors}"
    );
    // A relay that is not an MSRP address is refused when the account is added.
    let bob = Sandbox::new();
    common::use_file_secrets(&bob);
    let refused = common::wink_err(
        &bob,
        &[
            "account",
            "add",
            "bob64@wink.test",
            "--password-stdin",
            "--msrp-relay",
            "http://relay.example.com",
        ],
        "pw\n",
    );
    assert!(
        refused.contains("is not an MSRP relay address"),
        "{refused}"
    );
}
