//! wink-cli against a real kamailio registrar/proxy (digest auth) on 127.0.0.1, inside the
//! loopback-only network namespace `make test` creates.

mod common;

use common::{Sandbox, use_file_secrets, wink, wink_ok};

/// `wink-cli register --trace` on 127.0.0.1 with a timeout in seconds.
fn register(sandbox: &Sandbox, timeout: &str) -> std::process::Output {
    wink(
        sandbox,
        &[
            "register",
            "--trace",
            "--bind",
            "127.0.0.1:0",
            "--timeout",
            timeout,
        ],
        "",
    )
}

fn account(sandbox: &Sandbox, user: &str, password: &str) {
    common::sip_account_with_password(sandbox, user, password);
}

#[test]
fn registers_with_digest_and_unregisters() {
    let sandbox = Sandbox::new();
    account(&sandbox, "alice1", "alice1-pw");
    let out = wink_ok(
        &sandbox,
        &["register", "--bind", "127.0.0.1:0", "--timeout", "20"],
        "",
    );
    assert!(out.contains("registered alice1@wink.test for "), "{out}");
    assert!(out.contains("unregistered alice1@wink.test"), "{out}");
}

#[test]
fn a_wrong_password_is_reported_clearly() {
    let sandbox = Sandbox::new();
    account(&sandbox, "bob2", "not-bobs-password");
    let out = wink(
        &sandbox,
        &["register", "--bind", "127.0.0.1:0", "--timeout", "20"],
        "",
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("registration of bob2@wink.test failed (401): wrong username or password"),
        "{stderr}"
    );
}

#[test]
fn the_trace_shows_messages_with_credentials_redacted() {
    let sandbox = Sandbox::new();
    account(&sandbox, "carol3", "carol3-pw");
    let out = register(&sandbox, "20");
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
    account(&bob, "bob4", "bob4-pw");
    let listener = common::Listener::start(&bob, &["--duration", "12"]);
    let alice = Sandbox::new();
    account(&alice, "alice4", "alice4-pw");
    let sent = wink_ok(
        &alice,
        &[
            "message",
            "--bind",
            "127.0.0.1:0",
            "--timeout",
            "15",
            "bob4@wink.test",
            "héllo bob ☎",
        ],
        "",
    );
    assert!(sent.contains("delivered to bob4@wink.test"), "{sent}");
    let seen = listener.finish();
    assert!(
        seen.contains("message from alice4@wink.test: héllo bob ☎"),
        "{seen}"
    );
}

#[test]
fn a_call_through_kamailio_is_answered_held_and_hung_up() {
    let (_bob, listener) = common::answering("bob5", "8");

    let alice = Sandbox::new();
    account(&alice, "alice5", "alice5-pw");
    let out = common::call(
        &alice,
        &["--hold-after", "1", "--hangup-after", "2", "bob5@wink.test"],
    );
    let stdout_alice = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout_alice}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout_alice.contains(": established"), "{stdout_alice}");
    assert!(stdout_alice.contains(": on hold"), "{stdout_alice}");
    assert!(
        stdout_alice.contains("ended: Answered after 2 s"),
        "{stdout_alice}"
    );

    let bob_saw = listener.finish();
    assert!(bob_saw.contains("from <alice5@wink.test>"), "{bob_saw}");
    assert!(bob_saw.contains(": established"), "{bob_saw}");
    assert!(
        bob_saw.contains("ended: Answered"),
        "bob saw the BYE: {bob_saw}"
    );
}

#[test]
fn decline_and_busy_reach_the_caller() {
    for (n, refusal, expected) in [(6, "decline", "Rejected"), (7, "busy", "Busy")] {
        let (bob_user, alice_user) = (format!("bob{n}"), format!("alice{n}"));
        let bob = Sandbox::new();
        account(&bob, &bob_user, &format!("{bob_user}-pw"));
        let listener = common::Listener::start(&bob, &["--refuse", refusal, "--duration", "4"]);
        let alice = Sandbox::new();
        account(&alice, &alice_user, &format!("{alice_user}-pw"));
        let target = format!("{bob_user}@wink.test");
        let out = common::call(&alice, &[&target]);
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("ended without an answer: {expected}")),
            "{refusal}: {stderr}"
        );
        let bob_saw = listener.finish();
        assert!(bob_saw.contains(&format!("ended: {expected}")), "{bob_saw}");
    }
}

#[test]
fn registers_over_tcp_and_over_tls_trusting_a_private_ca() {
    let proxy = wink_tests::require_kamailio();
    let tls_proxy =
        std::env::var("WINK_TEST_KAMAILIO_TLS").expect("make test sets WINK_TEST_KAMAILIO_TLS");
    let ca = std::env::var("WINK_TEST_KAMAILIO_CA").expect("make test sets WINK_TEST_KAMAILIO_CA");
    for (user, proxy_setting, extra) in [
        ("alice11", format!("{proxy};transport=tcp"), vec![]),
        (
            "alice12",
            format!("{tls_proxy};transport=tls"),
            vec!["--tls-ca-file", ca.as_str()],
        ),
    ] {
        let sandbox = Sandbox::new();
        use_file_secrets(&sandbox);
        let address = format!("{user}@wink.test");
        let mut args = vec![
            "account",
            "add",
            address.as_str(),
            "--password-stdin",
            "--outbound-proxy",
            proxy_setting.as_str(),
        ];
        args.extend(extra);
        wink_ok(&sandbox, &args, &format!("{user}-pw\n"));
        let out = register(&sandbox, "20");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let trace = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{proxy_setting}: {stdout}\n{trace}");
        assert!(
            stdout.contains(&format!("registered {address} for ")),
            "{stdout}"
        );
        let transport = if proxy_setting.ends_with("tcp") {
            "TCP"
        } else {
            "TLS"
        };
        assert!(
            trace.contains(&format!("Via: SIP/2.0/{transport} ")),
            "{transport} Via in the trace: {trace}"
        );
    }
}

#[test]
fn tls_refuses_a_server_whose_certificate_is_not_trusted() {
    let _ = wink_tests::require_kamailio();
    let tls_proxy =
        std::env::var("WINK_TEST_KAMAILIO_TLS").expect("make test sets WINK_TEST_KAMAILIO_TLS");
    let sandbox = Sandbox::new();
    use_file_secrets(&sandbox);
    let setting = format!("{tls_proxy};transport=tls");
    wink_ok(
        &sandbox,
        &[
            "account",
            "add",
            "alice13@wink.test",
            "--password-stdin",
            "--outbound-proxy",
            &setting,
        ],
        "alice13-pw\n",
    );
    let out = register(&sandbox, "3");
    assert!(
        !out.status.success(),
        "an untrusted certificate must not register"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("TLS handshake failed"), "{stderr}");
    assert!(
        stderr.contains("could not connect to the registrar"),
        "the account's failure names the connection, not silence: {stderr}"
    );
}

#[test]
fn finds_the_registrar_by_naptr_and_srv_and_fails_over_to_the_second_target() {
    let _ = wink_tests::require_kamailio();
    let dns =
        std::env::var("WINK_TEST_DNS").expect("make test starts dnsmasq and sets WINK_TEST_DNS");
    let sandbox = Sandbox::new();
    use_file_secrets(&sandbox);
    wink_ok(&sandbox, &["config", "dns-servers", &dns], "");
    // No outbound proxy: wink.test is resolved. Its first SRV target (port 5079) is dead;
    // the second is kamailio.
    wink_ok(
        &sandbox,
        &["account", "add", "alice14@wink.test", "--password-stdin"],
        "alice14-pw\n",
    );
    let out = register(&sandbox, "60");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let trace = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{trace}");
    assert!(
        stdout.contains("registered alice14@wink.test for "),
        "{stdout}"
    );
    assert!(
        trace.contains("to=127.0.0.1:5079"),
        "the first SRV target was tried first: {trace}"
    );
    assert!(trace.contains("trying the next server"), "{trace}");
}

#[test]
fn a_blind_transfer_among_three_parties() {
    let (_carol, carol_listener) = common::answering("carol15", "9");
    let (_bob, bob_listener) = common::answering("bob15", "9");

    let alice = Sandbox::new();
    account(&alice, "alice15", "alice15-pw");
    let out = common::call(
        &alice,
        &[
            "--transfer-to",
            "carol15@wink.test",
            "--transfer-after",
            "1",
            "bob15@wink.test",
        ],
    );
    let alice_saw = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{alice_saw}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        alice_saw.contains(": 200"),
        "bob reported carol answered: {alice_saw}"
    );
    assert!(
        alice_saw.contains("ended: Answered"),
        "the transfer ended alice's call: {alice_saw}"
    );

    let bob_saw = bob_listener.finish();
    assert!(
        bob_saw.contains("transferred us to <carol15@wink.test>"),
        "{bob_saw}"
    );
    assert_eq!(
        bob_saw.matches(": established").count(),
        2,
        "bob's call with alice, then with carol: {bob_saw}"
    );
    let carol_saw = carol_listener.finish();
    assert!(carol_saw.contains("from <bob15@wink.test>"), "{carol_saw}");
    assert!(carol_saw.contains(": established"), "{carol_saw}");
}

#[test]
fn an_attended_transfer_among_three_parties() {
    let (_carol, carol_listener) = common::answering("carol16", "10");
    let (_bob, bob_listener) = common::answering("bob16", "10");

    let alice = Sandbox::new();
    account(&alice, "alice16", "alice16-pw");
    let out = common::call(
        &alice,
        &[
            "--consult",
            "carol16@wink.test",
            "--consult-after",
            "1",
            "bob16@wink.test",
        ],
    );
    let alice_saw = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{alice_saw}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        alice_saw.contains("consulting carol16@wink.test"),
        "{alice_saw}"
    );
    assert!(
        alice_saw.contains(": 200"),
        "bob reported that carol took his call: {alice_saw}"
    );
    assert_eq!(
        alice_saw.matches("ended: Answered").count(),
        2,
        "both of alice's calls ended: {alice_saw}"
    );

    let bob_saw = bob_listener.finish();
    assert!(
        bob_saw.contains("transferred us to <carol16@wink.test>"),
        "{bob_saw}"
    );
    assert_eq!(
        bob_saw.matches(": established").count(),
        2,
        "with alice, then with carol: {bob_saw}"
    );
    let carol_saw = carol_listener.finish();
    assert!(
        carol_saw.contains("from <alice16@wink.test>")
            && carol_saw.contains("from <bob16@wink.test>"),
        "{carol_saw}"
    );
    assert!(
        carol_saw.matches(": established").count() >= 2,
        "{carol_saw}"
    );
}

#[test]
fn registers_when_the_server_challenges_with_sha_256() {
    let server = wink_tests::ExtraKamailio::start(common::workspace(), 15060, "SHA-256");
    let sandbox = Sandbox::new();
    use_file_secrets(&sandbox);
    let setting = format!("{};transport=udp", server.address);
    wink_ok(
        &sandbox,
        &[
            "account",
            "add",
            "alice17@wink.test",
            "--password-stdin",
            "--outbound-proxy",
            &setting,
        ],
        "alice17-pw\n",
    );
    let out = register(&sandbox, "20");
    let trace = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{}\n{trace}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        trace.contains("algorithm=SHA-256"),
        "the server asked for SHA-256: {trace}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("registered alice17@wink.test"));
}
