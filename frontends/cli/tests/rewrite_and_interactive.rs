//! `rewrite` shows what the number rules dial; interactive mode runs the same commands.

mod common;

use common::{Sandbox, use_file_secrets, wink, wink_ok};

#[test]
fn rewrite_applies_the_account_rules() {
    let sandbox = Sandbox::new();
    use_file_secrets(&sandbox);
    let add = [
        "account",
        "add",
        "me@pbx.example.org",
        "--password-stdin",
        "--plus-replacement",
        "001",
        "--line-prefix",
        "9",
    ];
    wink_ok(&sandbox, &add, "pw\n");
    assert_eq!(
        wink_ok(&sandbox, &["rewrite", "+44 20 1234"], ""),
        "sip:9001442012 34@pbx.example.org\n".replace(' ', "")
    );
    assert_eq!(
        wink_ok(
            &sandbox,
            &[
                "rewrite",
                "--account",
                "me@pbx.example.org",
                "1-800-FLOWERS#12,3"
            ],
            ""
        ),
        "sip:918003569377@pbx.example.org\ndtmf after connect: 12,3\n"
    );
    assert_eq!(
        wink_ok(&sandbox, &["rewrite", "alice"], ""),
        "sip:alice@pbx.example.org\n"
    );
    assert_eq!(
        wink_ok(
            &sandbox,
            &["rewrite", "sip:bob@other.org;transport=tcp"],
            ""
        ),
        "sip:bob@other.org;transport=tcp\n"
    );
}

#[test]
fn interactive_mode_reads_commands_until_quit() {
    let sandbox = Sandbox::new();
    let script = "contacts group add \"Close Friends\"\nbogus-command\ncontacts list\nquit\ncontacts group add Never\n";
    let out = wink(&sandbox, &["interactive"], script);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("added group Close Friends"), "{stdout}");
    assert!(stdout.lines().any(|l| l == "Close Friends"), "{stdout}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("unrecognized subcommand 'bogus-command'")
    );
    assert!(
        !wink_ok(&sandbox, &["contacts", "list"], "").contains("Never"),
        "nothing runs after quit"
    );
}

#[test]
fn config_path_follows_xdg() {
    let sandbox = Sandbox::new();
    assert_eq!(
        wink_ok(&sandbox, &["config", "path"], "").trim(),
        sandbox.config_file().to_string_lossy()
    );
}
