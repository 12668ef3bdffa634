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
