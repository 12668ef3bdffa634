//! wink-cli against a real kamailio registrar/proxy (digest auth) on 127.0.0.1, inside the
//! loopback-only network namespace `make test` creates.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Sandbox, use_file_secrets, wink, wink_ok};

fn account(sandbox: &Sandbox, user: &str, password: &str) {
    let proxy = wink_tests::require_kamailio();
    use_file_secrets(sandbox);
    let address = format!("{user}@wink.test");
    wink_ok(
        sandbox,
        &[
            "account",
            "add",
            &address,
            "--password-stdin",
            "--outbound-proxy",
            &format!("{proxy};transport=udp"),
        ],
        &format!("{password}\n"),
    );
}

#[test]
fn registers_with_digest_and_unregisters() {
    let sandbox = Sandbox::new();
    account(&sandbox, "alice", "alice-pw");
    let out = wink_ok(
        &sandbox,
        &["register", "--bind", "127.0.0.1:0", "--timeout", "20"],
        "",
    );
    assert!(out.contains("registered alice@wink.test for "), "{out}");
    assert!(out.contains("unregistered alice@wink.test"), "{out}");
}

#[test]
fn a_wrong_password_is_reported_clearly() {
    let sandbox = Sandbox::new();
    account(&sandbox, "bob", "not-bobs-password");
    let out = wink(
        &sandbox,
        &["register", "--bind", "127.0.0.1:0", "--timeout", "20"],
        "",
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("registration of bob@wink.test failed (401): wrong username or password"),
        "{stderr}"
    );
}

#[test]
fn the_trace_shows_messages_with_credentials_redacted() {
    let sandbox = Sandbox::new();
    account(&sandbox, "carol", "carol-pw");
    let out = wink(
        &sandbox,
        &[
            "register",
            "--trace",
            "--bind",
            "127.0.0.1:0",
            "--timeout",
            "20",
        ],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let trace = String::from_utf8_lossy(&out.stderr);
    assert!(trace.contains("REGISTER sip:wink.test SIP/2.0"), "{trace}");
    assert!(trace.contains("SIP/2.0 401"), "{trace}");
    assert!(
        trace.contains("Authorization: Digest <redacted>"),
        "{trace}"
    );
    assert!(
        !trace.contains("response=\""),
        "a digest response leaked: {trace}"
    );
}

#[test]
fn a_message_goes_from_one_account_to_another_through_kamailio() {
    let bob = Sandbox::new();
    account(&bob, "bob", "bob-pw");
    let mut listener = Command::new(env!("CARGO_BIN_EXE_wink-cli"))
        .args([
            "listen",
            "--bind",
            "127.0.0.1:0",
            "--duration",
            "20",
            "--timeout",
            "10",
        ])
        .env("XDG_CONFIG_HOME", bob.config_home())
        .env("XDG_DATA_HOME", bob.data_home())
        .env("HOME", bob.root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("wink-cli listen starts");
    // Bounded wait for bob's registration: read stdout until the "listening" line.
    let mut stdout = listener.stdout.take().unwrap();
    let mut seen = String::new();
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut byte = [0u8; 1];
    while !seen.contains("listening") && Instant::now() < deadline {
        match stdout.read(&mut byte) {
            Ok(1) => seen.push(char::from(byte[0])),
            _ => break,
        }
    }
    assert!(seen.contains("listening"), "bob did not register: {seen}");

    let alice = Sandbox::new();
    account(&alice, "alice", "alice-pw");
    let sent = wink_ok(
        &alice,
        &[
            "message",
            "--bind",
            "127.0.0.1:0",
            "--timeout",
            "15",
            "bob@wink.test",
            "héllo bob ☎",
        ],
        "",
    );
    assert!(sent.contains("delivered to bob@wink.test"), "{sent}");

    let _ = listener.kill();
    let _ = listener.wait();
    let mut rest = String::new();
    let _ = stdout.read_to_string(&mut rest);
    seen.push_str(&rest);
    assert!(
        seen.contains("message from alice@wink.test: héllo bob ☎"),
        "{seen}"
    );
}
