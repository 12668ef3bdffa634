//! A `wink-cli listen` whose output goes to a file, read while it runs (a flood prints
//! thousands of lines, and a pipe nobody reads would stall it; an outage test watches the
//! lines arrive over minutes).

use std::fs::File;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::Sandbox;

/// The running listener; stopped (by its PID) when dropped.
pub(crate) struct LoggedListener {
    child: Child,
    out: PathBuf,
    err: PathBuf,
    /// Where it listens.
    pub(crate) at: &'static str,
}

impl LoggedListener {
    /// Listens at `at` for the sandbox's default account (for at most 300 s; without audio
    /// unless `extra` has `--audio`) with `extra` arguments, and waits (at most 15 s) until it is registered.
    pub(crate) fn start(sandbox: &Sandbox, at: &'static str, extra: &[&str]) -> Self {
        Self::start_through(sandbox, at, extra, &[])
    }

    /// The same, run through `prefix` (e.g. `nsenter --net=… --`, which execs it).
    pub(crate) fn start_through(
        sandbox: &Sandbox,
        at: &'static str,
        extra: &[&str],
        prefix: &[String],
    ) -> Self {
        Self::start_command(sandbox, &["listen"], at, extra, prefix)
    }

    /// `wink-cli accept-files DIR`, listening at `at`, run through `prefix` (as above).
    pub(crate) fn accept_files(
        sandbox: &Sandbox,
        at: &'static str,
        dir: &str,
        prefix: &[String],
    ) -> Self {
        Self::start_command(sandbox, &["accept-files", dir], at, &[], prefix)
    }

    /// `command` (a subcommand that listens: `listen`, `accept-files DIR`), as above.
    fn start_command(
        sandbox: &Sandbox,
        command: &[&str],
        at: &'static str,
        extra: &[&str],
        prefix: &[String],
    ) -> Self {
        let out = sandbox.root().join("listen.out");
        let err = sandbox.root().join("listen.err");
        let mut args = command.to_vec();
        args.extend(["--bind", at, "--duration", "300"]);
        if !extra.contains(&"--audio") {
            args.extend(["--audio", "none"]);
        }
        args.extend_from_slice(extra);
        let wink = env!("CARGO_BIN_EXE_wink-cli").to_owned();
        let mut words = prefix.iter().chain(std::iter::once(&wink));
        let program = words.next().expect("a program");
        let child = Command::new(program)
            .args(words)
            .args(&args)
            .env("XDG_CONFIG_HOME", sandbox.config_home())
            .env("XDG_DATA_HOME", sandbox.data_home())
            .env("HOME", sandbox.root())
            .stdin(Stdio::null())
            .stdout(File::create(&out).expect("an output file"))
            .stderr(File::create(&err).expect("an error file"))
            .spawn()
            .expect("wink-cli listen starts");
        let listener = Self {
            child,
            out,
            err,
            at,
        };
        assert!(
            listener.wait_for("listening", Duration::from_secs(15)),
            "the listener did not register: {}\n{}",
            listener.printed(),
            listener.errors()
        );
        listener
    }

    /// Everything it printed so far.
    pub(crate) fn printed(&self) -> String {
        std::fs::read_to_string(&self.out).unwrap_or_default()
    }

    /// What it wrote to stderr so far (its log, with `WINK_LOG`).
    pub(crate) fn errors(&self) -> String {
        std::fs::read_to_string(&self.err).unwrap_or_default()
    }

    /// Waits until it has printed `text` `limit` at most; whether it did.
    pub(crate) fn wait_for(&self, text: &str, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while !self.printed().contains(text) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        self.printed().contains(text)
    }

    /// Its resident memory, in MB.
    pub(crate) fn rss_mb(&self) -> f64 {
        self.memory_mb("VmRSS:")
    }

    /// One memory figure of `/proc/<pid>/status` (`VmRSS:`, `RssAnon:`, `RssFile:`), in MB.
    pub(crate) fn memory_mb(&self, field: &str) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the listener is running");
        let kb: f64 = status
            .lines()
            .find_map(|line| line.strip_prefix(field))
            .and_then(|value| value.split_whitespace().next()?.parse().ok())
            .unwrap_or_else(|| panic!("{field} in /proc/<pid>/status"));
        kb / 1024.0
    }
}

impl Drop for LoggedListener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
