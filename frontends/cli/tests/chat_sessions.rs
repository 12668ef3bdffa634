//! Chat sessions (MSRP) between two wink-cli through kamailio, inside the loopback-only
//! namespace `make test` creates: lines typed before the other side accepts wait and then
//! arrive, each is reported delivered, and the other side's line comes back.

mod common;

use common::logged_listener::LoggedListener;
use common::{Sandbox, wink};
use wink_tests::msrp_relay::OwnMsrpRelay;

/// `wink-cli chat TARGET` on 127.0.0.1 with a 10 s server timeout.
fn chat_args(target: &str) -> [&str; 6] {
    ["chat", "--bind", "127.0.0.1:0", "--timeout", "10", target]
}

/// Runs `wink-cli chat TARGET` with `typed` as its input, to its end.
fn chat_to(sandbox: &Sandbox, target: &str, typed: &str) -> std::process::Output {
    wink(sandbox, &chat_args(target), typed)
}

#[test]
fn lines_typed_before_the_chat_is_accepted_arrive_and_are_reported_delivered() {
    let (_bob, listener) = common::answering("bob61", "12");
    let alice = Sandbox::new();
    common::sip_account(&alice, "alice61");
    let out = chat_to(&alice, "bob61@wink.test", "hello bob\nsecond line ☺\n");
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
    chat_through(&["--msrp-relay", &relay()], "63");
}

#[test]
fn a_chat_goes_through_the_relay_over_tls_when_the_account_says_msrps() {
    let need = |name: &str| {
        std::env::var(name).unwrap_or_else(|_| {
            panic!(
                "{name} is not set: run inside scripts/in-test-namespace.sh, which starts the relay"
            )
        })
    };
    let relay = format!("msrps://{};tcp", need("WINK_TEST_MSRP_RELAY_TLS"));
    let ca = need("WINK_TEST_MSRP_RELAY_CA");
    chat_through(&["--msrp-relay", &relay, "--tls-ca-file", &ca], "67");
}

/// alice<n> chats with bob<n>, both accounts added with `relay_options`: the line arrives
/// and is reported delivered.
fn chat_through(relay_options: &[&str], n: &str) {
    let (alice_user, bob_user) = (format!("alice{n}"), format!("bob{n}"));
    let bob = Sandbox::new();
    common::sip_account_with(&bob, &bob_user, &format!("{bob_user}-pw"), relay_options);
    let listener = common::Listener::start(&bob, &["--auto-answer", "--duration", "12"]);
    let alice = Sandbox::new();
    common::sip_account_with(
        &alice,
        &alice_user,
        &format!("{alice_user}-pw"),
        relay_options,
    );
    let out = chat_to(
        &alice,
        &format!("{bob_user}@wink.test"),
        "through the relay\n",
    );
    let said = String::from_utf8_lossy(&out.stdout);
    let errors = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}\n{errors}");
    assert!(said.contains("line 1: delivered"), "{said}\n{errors}");
    let bob_saw = listener.finish();
    assert!(
        bob_saw.contains(&format!(
            "message from {alice_user}@wink.test: through the relay"
        )),
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
    let out = chat_to(&alice, "bob64@wink.test", "hello\n");
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

/// `wink-cli chat` typed into line by line while it runs; its output goes to a file.
struct TypedChat {
    child: std::process::Child,
    stdin: std::process::ChildStdin,
    out: std::path::PathBuf,
}

impl TypedChat {
    fn start(sandbox: &Sandbox, target: &str) -> Self {
        let out = sandbox.root().join("chat.out");
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_wink-cli"))
            .args(chat_args(target))
            .env("XDG_CONFIG_HOME", sandbox.config_home())
            .env("XDG_DATA_HOME", sandbox.data_home())
            .env("HOME", sandbox.root())
            .stdin(std::process::Stdio::piped())
            .stdout(std::fs::File::create(&out).unwrap())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("wink-cli chat starts");
        let stdin = child.stdin.take().expect("piped stdin");
        Self { child, stdin, out }
    }

    fn say(&mut self, line: &str) {
        use std::io::Write;
        writeln!(self.stdin, "{line}").expect("the chat reads its input");
    }

    fn printed(&self) -> String {
        std::fs::read_to_string(&self.out).unwrap_or_default()
    }

    fn wait_for(&self, text: &str) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while !self.printed().contains(text) && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        assert!(
            self.printed().contains(text),
            "the chat did not print {text:?}: {}",
            self.printed()
        );
    }
}

impl Drop for TypedChat {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_line_lost_with_the_relay_fails_and_goes_again_in_the_next_chat_once_it_is_back() {
    // A relay of this test's own: it is frozen and killed part way.
    let relay = OwnMsrpRelay::start(2858);
    let bob = Sandbox::new();
    common::sip_account_with(&bob, "bob66", "bob66-pw", &["--msrp-relay", &relay.uri()]);
    let listener = LoggedListener::start(&bob, "127.0.0.1:0", &["--auto-answer"]);
    let alice = Sandbox::new();
    common::sip_account_with(
        &alice,
        "alice66",
        "alice66-pw",
        &["--msrp-relay", &relay.uri()],
    );

    let mut chat = TypedChat::start(&alice, "bob66@wink.test");
    chat.say("before the outage");
    chat.wait_for("line 1: delivered");
    // The relay stops forwarding with the next line in its hands, then dies with it.
    relay.freeze();
    chat.say("lost with the relay");
    chat.wait_for("line 2: queued");
    std::thread::sleep(std::time::Duration::from_millis(300));
    relay.crash();
    chat.wait_for("line 2: failed");
    chat.wait_for("chat ended");
    drop(chat);

    // Once the relay is back the line goes again, once: the next start of the phone sends
    // it when the account registers (as a short message), and a phone that stayed up
    // sends it over its next chat with bob (the domain's test of `resend_over`).
    relay.start_again();
    let out = chat_to(&alice, "bob66@wink.test", "after the outage\n");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}");
    assert!(
        listener.wait_for(
            "message from alice66@wink.test: after the outage",
            std::time::Duration::from_secs(15)
        ),
        "{}",
        listener.printed()
    );
    let bob_saw = listener.printed();
    assert_eq!(
        bob_saw
            .matches("message from alice66@wink.test: lost with the relay")
            .count(),
        1,
        "the lost line arrives once, over the new chat: {bob_saw}"
    );
    assert!(
        bob_saw.find("lost with the relay") < bob_saw.find("after the outage"),
        "the old line goes first: {bob_saw}"
    );
}
