//! Contacts live in the store: those an earlier version kept in the settings file move in
//! once, whole; and a PostgreSQL store named in the settings holds contacts and history.

mod common;

use common::{Sandbox, use_file_secrets, wink, wink_err, wink_ok};
use wink_tests::store_target::Target;

/// A settings file as the versions before the store wrote it: contacts in `[contacts]`.
const OLD_SETTINGS: &str = r#"
[[contacts.groups]]
id = "1"
name = "Work"
position = 0
collapsed = false

[[contacts.groups]]
id = "2"
name = "Family"
position = 1
collapsed = true

[[contacts.contacts]]
id = "1"
name = "Ann Lee"
sip_addresses = ["ann@example.com"]
phone_numbers = ["+44 20 7946 0001"]
group = "1"

[[contacts.contacts]]
id = "2"
name = "Bob"
aliases = ["bobby"]
group = "2"
position = 0
favorite = true
"#;

#[test]
fn contacts_in_an_old_settings_file_move_into_the_store_once() {
    let sandbox = Sandbox::new();
    std::fs::create_dir_all(sandbox.config_file().parent().unwrap()).unwrap();
    std::fs::write(sandbox.config_file(), OLD_SETTINGS).unwrap();

    let first = wink(&sandbox, &["contacts", "list"], "");
    assert!(first.status.success());
    let told = String::from_utf8_lossy(&first.stderr);
    assert!(
        told.contains("moved 2 contacts and 2 groups from the settings file into the store"),
        "{told}"
    );
    let listing = String::from_utf8_lossy(&first.stdout);
    let lines: Vec<&str> = listing.lines().map(str::trim).collect();
    assert_eq!(lines[0], "Work", "{listing}");
    assert!(lines[1].contains("Ann Lee"), "{listing}");
    assert_eq!(lines[2], "Family (collapsed)", "{listing}");
    assert!(
        lines[3].contains("Bob") && lines[3].contains("alias bobby"),
        "{listing}"
    );

    let settings = std::fs::read_to_string(sandbox.config_file()).unwrap();
    assert!(
        !settings.contains("Ann Lee"),
        "the contacts left the settings file:\n{settings}"
    );
    let second = wink(&sandbox, &["contacts", "list", "--search", "0044 20"], "");
    assert!(String::from_utf8_lossy(&second.stderr).is_empty());
    assert!(String::from_utf8_lossy(&second.stdout).contains("Ann Lee"));
}

#[test]
fn a_postgres_store_named_in_the_settings_holds_contacts_and_history() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let database = runtime.block_on(Target::postgres());
    // The test server trusts loopback, so any password works; what matters is where it goes.
    let url = database.url().replacen("://wink@", "://wink:topsecret@", 1);
    let sandbox = Sandbox::new();
    use_file_secrets(&sandbox);
    let chosen = wink_ok(&sandbox, &["config", "storage", "--url", &url], "");
    assert!(
        chosen.contains("kept at postgres://wink@127.0.0.1"),
        "{chosen}"
    );
    let settings = std::fs::read_to_string(sandbox.config_file()).unwrap();
    assert!(
        settings.contains("storage_url = \"postgres://wink@127.0.0.1")
            && !settings.contains("topsecret"),
        "the password is not in the settings file:\n{settings}"
    );
    let secrets = std::fs::read_to_string(sandbox.data_home().join("wink/secrets.toml")).unwrap();
    assert!(secrets.contains("topsecret"), "it is in the secret store");
    wink_ok(
        &sandbox,
        &["contacts", "add", "Dana", "--phone", "+1 (555) 010-9999"],
        "",
    );
    assert!(wink_ok(&sandbox, &["contacts", "list", "--search", "5550109"], "").contains("Dana"));
    assert!(wink_ok(&sandbox, &["history"], "").contains("no calls"));

    let refused = wink_err(
        &sandbox,
        &[
            "config",
            "storage",
            "--url",
            "postgres://wink:hunter2@127.0.0.1:1/nowhere",
        ],
        "",
    );
    assert!(
        refused.contains("cannot reach the store at postgres://wink:***@127.0.0.1:1/nowhere"),
        "{refused}"
    );
    assert!(refused.contains("not changed"), "{refused}");
    assert!(
        !refused.contains("hunter2"),
        "never the password: {refused}"
    );
    assert!(
        wink_ok(&sandbox, &["contacts", "list"], "").contains("Dana"),
        "still on the working store"
    );
    let not_a_store = wink_err(
        &sandbox,
        &["config", "storage", "--url", "mysql://db/wink"],
        "",
    );
    assert!(
        not_a_store.contains("mysql://db/wink is not a store URL: use postgres://"),
        "{not_a_store}"
    );

    // No keyring to ask for the stored password: the store is tried without it (the test
    // server trusts loopback, as a server with ~/.pgpass or peer authentication would).
    wink_ok(&sandbox, &["config", "secrets", "keyring"], "");
    let without_keyring = std::process::Command::new(env!("CARGO_BIN_EXE_wink-cli"))
        .args(["contacts", "list"])
        .env("XDG_CONFIG_HOME", sandbox.config_home())
        .env("XDG_DATA_HOME", sandbox.data_home())
        .env("HOME", sandbox.root())
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .output()
        .unwrap();
    assert!(
        without_keyring.status.success()
            && String::from_utf8_lossy(&without_keyring.stdout).contains("Dana"),
        "{}",
        String::from_utf8_lossy(&without_keyring.stderr)
    );
    wink_ok(&sandbox, &["config", "secrets", "file"], "");

    wink_ok(&sandbox, &["config", "storage", "--default"], "");
    assert!(
        !wink_ok(&sandbox, &["contacts", "list"], "").contains("Dana"),
        "back on the local SQLite store"
    );
}
