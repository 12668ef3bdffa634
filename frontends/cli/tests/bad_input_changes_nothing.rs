//! Bad input gets a clear message on stderr and a non-zero exit, and nothing is lost.

mod common;

use std::fs;

use common::{Sandbox, use_file_secrets, wink_err, wink_ok};

#[test]
fn bad_account_values_are_refused_and_the_settings_stay_as_they_were() {
    let sandbox = Sandbox::new();
    use_file_secrets(&sandbox);
    wink_ok(
        &sandbox,
        &["account", "add", "alice@example.com", "--password-stdin"],
        "pw\n",
    );
    let before = fs::read(sandbox.config_file()).unwrap();

    let cases: [(&[&str], &str); 6] = [
        (
            &["account", "add", "not-an-address", "--password-stdin"],
            "must look like user@domain",
        ),
        (
            &[
                "account",
                "add",
                "bob@example.com",
                "--outbound-proxy",
                "proxy;transport=sctp",
                "--password-stdin",
            ],
            "unknown transport",
        ),
        (
            &[
                "account",
                "add",
                "bob@example.com",
                "--plus-replacement",
                "0x",
                "--password-stdin",
            ],
            "may only hold digits",
        ),
        (
            &["account", "add", "alice@example.com", "--password-stdin"],
            "already exists",
        ),
        (
            &["account", "add", "bob@example.com", "--password-stdin"],
            "the password is empty",
        ),
        (
            &["account", "show", "carol@example.com"],
            "there is no account carol@example.com",
        ),
    ];
    for (args, expected) in cases {
        let stderr = wink_err(&sandbox, args, "");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert_eq!(
            fs::read(sandbox.config_file()).unwrap(),
            before,
            "{args:?} changed the settings"
        );
    }
}

#[test]
fn a_password_prompt_without_a_terminal_says_what_to_do() {
    let sandbox = Sandbox::new();
    use_file_secrets(&sandbox);
    let stderr = wink_err(&sandbox, &["account", "add", "bob@example.com"], "");
    assert!(stderr.contains("--password-stdin"), "{stderr}");
}

#[test]
fn bad_targets_and_contacts_are_refused() {
    let sandbox = Sandbox::new();
    use_file_secrets(&sandbox);
    wink_ok(
        &sandbox,
        &["account", "add", "me@example.com", "--password-stdin"],
        "pw\n",
    );
    assert!(wink_err(&sandbox, &["rewrite", "al ice"], "").contains("it contains spaces"));
    assert!(wink_err(&sandbox, &["rewrite", "http://x"], "").contains("unsupported URI scheme"));
    assert!(
        wink_err(&sandbox, &["rewrite", "--account", "x@y.org", "bob"], "")
            .contains("there is no account x@y.org")
    );
    let before = fs::read(sandbox.config_file()).unwrap();
    assert!(
        wink_err(
            &sandbox,
            &["contacts", "add", "Bad", "--address", "a b@c"],
            ""
        )
        .contains("not a valid SIP address")
    );
    assert!(wink_err(&sandbox, &["contacts", "add", "  "], "").contains("must not be empty"));
    assert!(
        wink_err(&sandbox, &["contacts", "remove", "nobody"], "").contains("there is no contact")
    );
    assert_eq!(fs::read(sandbox.config_file()).unwrap(), before);
}

#[test]
fn without_any_account_rewrite_explains() {
    let sandbox = Sandbox::new();
    assert!(wink_err(&sandbox, &["rewrite", "bob"], "").contains("no account is configured"));
}
