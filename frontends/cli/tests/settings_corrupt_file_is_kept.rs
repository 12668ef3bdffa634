//! A settings file that does not parse is kept aside and the app starts on defaults.

mod common;

use std::fs;

use common::{Sandbox, use_file_secrets, wink, wink_ok};

#[test]
fn damaged_settings_are_preserved_and_the_cli_still_starts() {
    let sandbox = Sandbox::new();
    use_file_secrets(&sandbox);
    wink_ok(
        &sandbox,
        &["account", "add", "alice@example.com", "--password-stdin"],
        "pw\n",
    );
    let config = sandbox.config_file();

    // Damage the file the way a crash of another editor or a bad hand edit would.
    let original = fs::read(&config).unwrap();
    let damaged = [&original[..original.len() / 2], b"\n[[[ broken"].concat();
    fs::write(&config, &damaged).unwrap();

    let out = wink(&sandbox, &["account", "list"], "");
    assert!(out.status.success(), "the CLI starts on defaults");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("could not be read") && stderr.contains("config.toml.corrupt-"),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("no accounts"));

    let kept: Vec<_> = fs::read_dir(config.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("config.toml.corrupt-")
        })
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(fs::read(&kept[0]).unwrap(), damaged, "kept byte for byte");

    // Working on defaults writes a fresh file and never touches the kept one.
    use_file_secrets(&sandbox);
    assert!(config.exists());
    assert_eq!(fs::read(&kept[0]).unwrap(), damaged);
}
