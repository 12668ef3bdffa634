//! Passwords go to the secret store (keyring or the explicit file store), never to config.toml.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;

use common::{Sandbox, use_file_secrets, wink_ok};

const PASSWORD: &str = "Tr0ub4dor&3-unique-marker";

fn assert_not_in_settings(sandbox: &Sandbox) {
    let settings = fs::read_to_string(sandbox.config_file()).unwrap();
    assert!(
        settings.contains("alice@example.com"),
        "the account was saved"
    );
    assert!(
        !settings.contains(PASSWORD),
        "the password leaked into config.toml:\n{settings}"
    );
    assert!(
        !settings.to_lowercase().contains("password"),
        "no password field at all:\n{settings}"
    );
}

#[test]
fn with_the_desktop_keyring() {
    wink_tests::require_secret_service();
    let sandbox = Sandbox::new();
    wink_ok(
        &sandbox,
        &["account", "add", "alice@example.com", "--password-stdin"],
        &format!("{PASSWORD}\n"),
    );
    assert_not_in_settings(&sandbox);
    assert!(
        wink_ok(&sandbox, &["account", "show", "alice@example.com"], "")
            .contains("password:       stored (Keyring store)")
    );
    assert!(
        !sandbox.data_home().join("wink/secrets.toml").exists(),
        "no file store was used"
    );
    wink_ok(&sandbox, &["account", "remove", "alice@example.com"], "");
}

#[test]
fn with_the_file_store_chosen_explicitly() {
    let sandbox = Sandbox::new();
    use_file_secrets(&sandbox);
    wink_ok(
        &sandbox,
        &["account", "add", "alice@example.com", "--password-stdin"],
        &format!("{PASSWORD}\r\n"),
    );
    assert_not_in_settings(&sandbox);
    let secrets = sandbox.data_home().join("wink/secrets.toml");
    let stored = fs::read_to_string(&secrets).unwrap();
    assert!(
        stored.contains(&format!("\"{PASSWORD}\"")),
        "the line ending is stripped: {stored}"
    );
    assert_eq!(
        fs::metadata(&secrets).unwrap().permissions().mode() & 0o777,
        0o600
    );

    wink_ok(&sandbox, &["account", "remove", "alice@example.com"], "");
    assert!(
        !fs::read_to_string(&secrets).unwrap().contains(PASSWORD),
        "removing the account deletes its password"
    );
}
