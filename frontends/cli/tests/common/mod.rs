//! Running the wink-cli binary in a sandbox.
// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::process::Output;

pub(crate) mod logged_listener;
pub(crate) mod sip_udp;

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

/// The workspace root (for the peer scripts).
pub(crate) fn workspace() -> &'static std::path::Path {
    std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// Adds `user@wink.test` (password `password`) with the test kamailio as outbound proxy,
/// passwords in the file store, and `extra` account options.
pub(crate) fn sip_account_with(sandbox: &Sandbox, user: &str, password: &str, extra: &[&str]) {
    let proxy = wink_tests::require_kamailio();
    use_file_secrets(sandbox);
    let address = format!("{user}@wink.test");
    let setting = format!("{proxy};transport=udp");
    let mut args = vec![
        "account",
        "add",
        &address,
        "--password-stdin",
        "--outbound-proxy",
        &setting,
    ];
    args.extend_from_slice(extra);
    wink_ok(sandbox, &args, &format!("{password}\n"));
}

/// Adds `user@wink.test` (password `password`) with the test kamailio as outbound proxy,
/// passwords in the file store.
pub(crate) fn sip_account_with_password(sandbox: &Sandbox, user: &str, password: &str) {
    sip_account_with(sandbox, user, password, &[]);
}

/// Adds `user@wink.test` with its test password `<user>-pw`.
pub(crate) fn sip_account(sandbox: &Sandbox, user: &str) {
    sip_account_with_password(sandbox, user, &format!("{user}-pw"));
}

/// A running `wink-cli listen` (`--audio none` unless `extra` says otherwise), registered.
pub(crate) struct Listener {
    child: std::process::Child,
    stdout: std::process::ChildStdout,
    seen: Vec<u8>,
}

impl Listener {
    /// Starts it with `extra` arguments (`--bind 127.0.0.1:0` unless they say where) and
    /// waits (at most 15 s) until it is registered.
    pub(crate) fn start(sandbox: &Sandbox, extra: &[&str]) -> Self {
        use std::io::Read;
        let mut args = vec!["listen", "--timeout", "10"];
        if !extra.contains(&"--bind") {
            args.extend(["--bind", "127.0.0.1:0"]);
        }
        if !extra.contains(&"--audio") {
            args.extend(["--audio", "none"]);
        }
        args.extend_from_slice(extra);
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_wink-cli"))
            .args(&args)
            .env("XDG_CONFIG_HOME", sandbox.config_home())
            .env("XDG_DATA_HOME", sandbox.data_home())
            .env("HOME", sandbox.root())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("wink-cli listen starts");
        let mut stdout = child.stdout.take().expect("piped stdout");
        let mut seen = Vec::new();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        let mut byte = [0u8; 1];
        while !String::from_utf8_lossy(&seen).contains("listening")
            && std::time::Instant::now() < deadline
        {
            match stdout.read(&mut byte) {
                Ok(1) => seen.push(byte[0]),
                _ => break,
            }
        }
        assert!(
            String::from_utf8_lossy(&seen).contains("listening"),
            "the listener did not register: {}",
            String::from_utf8_lossy(&seen)
        );
        Self {
            child,
            stdout,
            seen,
        }
    }

    /// Stops it (by its PID) and returns everything it printed.
    pub(crate) fn stop(mut self) -> String {
        let _ = self.child.kill();
        self.finish()
    }

    /// Everything it printed, once it has stopped by itself (after its `--duration`).
    pub(crate) fn finish(mut self) -> String {
        use std::io::Read;
        let mut rest = Vec::new();
        let _ = self.stdout.read_to_end(&mut rest);
        let _ = self.child.wait();
        self.seen.extend(rest);
        String::from_utf8_lossy(&self.seen).into_owned()
    }
}

/// `wink-cli call` on 127.0.0.1 (10 s server timeout; `--audio none` unless `args` say
/// otherwise) with more arguments.
pub(crate) fn call(sandbox: &Sandbox, args: &[&str]) -> Output {
    let mut all = vec!["call", "--bind", "127.0.0.1:0", "--timeout", "10"];
    if !args.contains(&"--audio") {
        all.extend(["--audio", "none"]);
    }
    all.extend_from_slice(args);
    wink(sandbox, &all, "")
}

/// A new sandbox for `user` (kamailio account) with a listener that answers every call and
/// stops after `seconds`.
pub(crate) fn answering(user: &str, seconds: &str) -> (Sandbox, Listener) {
    let sandbox = Sandbox::new();
    sip_account(&sandbox, user);
    let listener = Listener::start(&sandbox, &["--auto-answer", "--duration", seconds]);
    (sandbox, listener)
}
