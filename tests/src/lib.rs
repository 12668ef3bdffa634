//! `wink-tests`: workspace-level tests against real peers, and the helpers they share.
//!
//! Tests that span crates live in `tests/tests/*.rs`, named by the behaviour they prove;
//! the CLI's end-to-end tests live beside its binary (`frontends/cli/tests/`) and use the
//! [`Sandbox`] from here. Peers are
//! started by the project's own scripts (`scripts/with-keyring.sh` for the Secret Service);
//! a test whose peer is missing fails and says why, it never skips.
#![warn(missing_docs)]

pub mod baresip;
pub mod files;
pub mod msrp_relay;
pub mod profile;
pub mod relay;
pub mod second_network;
pub mod store_target;
pub mod tones;

pub use baresip::{Baresip, BaresipOptions, EventWatch};

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Fails the test with an explanation unless `scripts/with-keyring.sh` started a real
/// Secret Service (gnome-keyring) on a private session bus for this run.
pub fn require_secret_service() {
    assert!(
        std::env::var_os("WINK_TEST_SECRET_SERVICE").is_some(),
        "this test needs a real Secret Service: run it through `make test` or \
         `scripts/with-keyring.sh cargo test`, which start gnome-keyring on a private D-Bus"
    );
}

/// A throw-away home for one CLI run: its own XDG config and data folders.
pub struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    /// A new, empty sandbox.
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("a temporary folder"),
        }
    }

    /// `$XDG_CONFIG_HOME` inside the sandbox.
    pub fn config_home(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    /// `$XDG_DATA_HOME` inside the sandbox.
    pub fn data_home(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The settings file the CLI uses here.
    pub fn config_file(&self) -> PathBuf {
        self.config_home().join("wink").join("config.toml")
    }

    /// The sandbox's root.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Runs the `wink-cli` binary at `program` with `args`, feeding `stdin`.
    pub fn run(&self, program: &str, args: &[&str], stdin: &str) -> Output {
        let mut child = Command::new(program)
            .args(args)
            .env("XDG_CONFIG_HOME", self.config_home())
            .env("XDG_DATA_HOME", self.data_home())
            .env("XDG_STATE_HOME", self.dir.path().join("state"))
            .env("HOME", self.dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("wink-cli starts");
        child
            .stdin
            .take()
            .expect("piped stdin")
            .write_all(stdin.as_bytes())
            .expect("stdin accepts the input");
        child.wait_with_output().expect("wink-cli ends")
    }
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

/// The address of the kamailio registrar/proxy that `scripts/peers/kamailio.sh` started for
/// this run (users alice, bob, carol at `wink.test`, passwords `<user>-pw`). Fails the test
/// with an explanation when it is not running.
pub fn require_kamailio() -> String {
    std::env::var("WINK_TEST_KAMAILIO").unwrap_or_else(|_| {
        panic!(
            "this test needs the kamailio test registrar: run it through `make test`, which starts \
             scripts/peers/kamailio.sh inside a loopback-only network namespace"
        )
    })
}

/// Runs one sipp scenario of `scripts/peers/sipp/` through `scripts/peers/sipp.sh` (bounded
/// in time, loopback only); returns its output, status included.
pub fn sipp(workspace: &Path, scenario: &str, args: &[&str]) -> Output {
    require_kamailio();
    Command::new("bash")
        .arg(workspace.join("scripts/peers/sipp.sh"))
        .args(["run", scenario])
        .args(args)
        .output()
        .expect("bash runs scripts/peers/sipp.sh")
}

/// A second kamailio, started by `scripts/peers/kamailio.sh` with its own ports and run
/// folder (e.g. to challenge with SHA-256, or to be stopped and started again); stopped, by
/// its PID, when dropped.
pub struct ExtraKamailio {
    script: PathBuf,
    dir: tempfile::TempDir,
    host: String,
    /// Routes calls by the source address a REGISTER came from (`1`) or by its Contact.
    nat: &'static str,
    port: u16,
    algorithm: String,
    /// Its UDP/TCP address.
    pub address: String,
}

impl ExtraKamailio {
    /// Starts it on `port` (UDP and TCP) and `port + 1` (TLS) with `algorithm` for digest
    /// (`MD5` or `SHA-256`). Fails the test, with its log, if it does not start.
    pub fn start(workspace: &Path, port: u16, algorithm: &str) -> Self {
        let mut server = Self::on(workspace, "127.0.0.1", port, algorithm);
        server.nat = "1";
        server.start_again();
        server
    }

    /// The same on another local address of the test's namespace (`host`, an IPv4 address);
    /// it relays to the `/16` around it besides loopback, and routes calls by the Contact
    /// alone (no help from the source address), so a phone's Contact must be right.
    pub fn start_on(workspace: &Path, host: &str, port: u16, algorithm: &str) -> Self {
        let server = Self::on(workspace, host, port, algorithm);
        server.start_again();
        server
    }

    fn on(workspace: &Path, host: &str, port: u16, algorithm: &str) -> Self {
        require_kamailio();
        Self {
            script: workspace.join("scripts/peers/kamailio.sh"),
            dir: tempfile::tempdir().expect("a temporary folder"),
            host: host.to_owned(),
            port,
            algorithm: algorithm.to_owned(),
            address: format!("{host}:{port}"),
            nat: "0",
        }
    }

    /// Starts it again after [`ExtraKamailio::stop`], on the same ports (its registrations
    /// are gone: kamailio keeps them in memory).
    pub fn start_again(&self) {
        assert!(
            self.script("start").success(),
            "the extra kamailio ({}) did not start",
            self.algorithm
        );
    }

    /// Its log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("kamailio/kamailio.log")).unwrap_or_default()
    }

    /// Stops it (by the PID its script recorded).
    pub fn stop(&self) {
        assert!(
            self.script("stop").success(),
            "the extra kamailio did not stop"
        );
    }

    fn script(&self, action: &str) -> std::process::ExitStatus {
        Command::new("bash")
            .arg(&self.script)
            .arg(action)
            .env("WINK_PEERS_DIR", self.dir.path())
            .env("WINK_KAMAILIO_ADDRESS", &self.host)
            .env("WINK_KAMAILIO_NAT", self.nat)
            .env("WINK_KAMAILIO_NEXT_HOPS", format!("{}/16", self.host))
            .env("WINK_KAMAILIO_UDP_PORT", self.port.to_string())
            .env("WINK_KAMAILIO_TCP_PORT", self.port.to_string())
            .env("WINK_KAMAILIO_TLS_PORT", (self.port + 1).to_string())
            .env("WINK_KAMAILIO_AUTH_ALGORITHM", &self.algorithm)
            .status()
            .expect("bash runs scripts/peers/kamailio.sh")
    }
}

impl Drop for ExtraKamailio {
    fn drop(&mut self) {
        let _ = self.script("stop");
    }
}
