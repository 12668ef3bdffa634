//! Running the wink-cli binary in a sandbox.
// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::process::Output;

pub(crate) use wink_tests::Sandbox;

/// Runs `wink-cli args` in `sandbox` with `stdin`.
pub(crate) fn wink(sandbox: &Sandbox, args: &[&str], stdin: &str) -> Output {
    sandbox.run(env!("CARGO_BIN_EXE_wink-cli"), args, stdin)
}

/// Runs and expects success; returns stdout.
pub(crate) fn wink_ok(sandbox: &Sandbox, args: &[&str], stdin: &str) -> String {
    let out = wink(sandbox, args, stdin);
    assert!(
        out.status.success(),
        "wink-cli {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Runs and expects failure; returns stderr.
pub(crate) fn wink_err(sandbox: &Sandbox, args: &[&str], stdin: &str) -> String {
    let out = wink(sandbox, args, stdin);
    assert!(
        !out.status.success(),
        "wink-cli {args:?} should have failed"
    );
    String::from_utf8(out.stderr).expect("UTF-8 output")
}

/// Switches the sandbox to the file secret store.
pub(crate) fn use_file_secrets(sandbox: &Sandbox) {
    wink_ok(sandbox, &["config", "secrets", "file"], "");
}
