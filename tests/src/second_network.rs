//! A second network namespace, joined to the test's own by veth pairs: a phone in it can
//! lose its interface and get another one, as a laptop that moves from one network to the
//! next. For tests run in the test namespace (`unshare --net`, see
//! `scripts/in-test-namespace.sh`): the namespace, its links and the server address live
//! and die with the value, and nothing reaches beyond the test's namespace.
//!
//! Link `n` is `wink-tN` here (10.77.N.1/24) and `wink-cN` there (10.77.N.2/24); the
//! server address 10.77.0.1 is added to the test namespace's loopback and routed to
//! through the link that is up.

use std::net::Ipv4Addr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where the phone's routes lead: an address of the test namespace.
pub const SERVER: Ipv4Addr = Ipv4Addr::new(10, 77, 0, 1);

/// The namespace, kept alive by a `sleep` in it (stopped, by its PID, on drop).
pub struct SecondNetwork {
    holder: Child,
}

/// Runs `ip` with `args` (here, or through `prefix` in the namespace); fails the test
/// with what it said.
fn ip(prefix: &[String], args: &[&str]) {
    let (program, rest) = match prefix.split_first() {
        Some((program, rest)) => (program.as_str(), rest.to_vec()),
        None => ("ip", Vec::new()),
    };
    let mut command = Command::new(program);
    command.args(rest);
    if !prefix.is_empty() {
        command.arg("ip");
    }
    let output = command
        .args(args)
        .output()
        .expect("ip (package iproute2) runs");
    assert!(
        output.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn namespace_of(pid: u32) -> Option<std::path::PathBuf> {
    std::fs::read_link(format!("/proc/{pid}/ns/net")).ok()
}

impl SecondNetwork {
    /// A new namespace with only loopback up, and [`SERVER`] on this namespace's loopback.
    /// Fails the test, saying why, when it cannot be made (not run as root in a namespace
    /// of its own).
    pub fn new() -> Self {
        let holder = Command::new("unshare")
            .args(["--net", "--", "sleep", "600"])
            .stdin(Stdio::null())
            .spawn()
            .expect("unshare (package util-linux) starts");
        let network = Self { holder };
        let ours = namespace_of(std::process::id());
        let deadline = Instant::now() + Duration::from_secs(5);
        while namespace_of(network.holder.id()) == ours {
            assert!(
                Instant::now() < deadline,
                "unshare --net did not make a namespace within 5 s (needs root)"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        ip(&network.prefix(), &["link", "set", "lo", "up"]);
        ip(
            &[],
            &["addr", "replace", &format!("{SERVER}/32"), "dev", "lo"],
        );
        network
    }

    /// The words that run a program in the namespace (`nsenter` execs it: its PID is the
    /// program's).
    pub fn prefix(&self) -> Vec<String> {
        vec![
            "nsenter".into(),
            format!("--net=/proc/{}/ns/net", self.holder.id()),
            "--".into(),
        ]
    }

    /// The phone's address on link `n`.
    pub fn address(n: u8) -> Ipv4Addr {
        Ipv4Addr::new(10, 77, n, 2)
    }

    /// Makes link `n` and brings it up, the route to [`SERVER`] through it; the phone's
    /// address on it.
    pub fn connect(&self, n: u8) -> Ipv4Addr {
        let (here, there) = (format!("wink-t{n}"), format!("wink-c{n}"));
        let holder = self.holder.id().to_string();
        ip(
            &[],
            &[
                "link", "add", &here, "type", "veth", "peer", "name", &there, "netns", &holder,
            ],
        );
        ip(
            &[],
            &["addr", "add", &format!("10.77.{n}.1/24"), "dev", &here],
        );
        ip(&[], &["link", "set", &here, "up"]);
        let inside = self.prefix();
        let phone = Self::address(n);
        ip(
            &inside,
            &["addr", "add", &format!("{phone}/24"), "dev", &there],
        );
        ip(&inside, &["link", "set", &there, "up"]);
        ip(
            &inside,
            &[
                "route",
                "replace",
                &format!("{SERVER}/32"),
                "via",
                &format!("10.77.{n}.1"),
            ],
        );
        phone
    }

    /// Takes link `n` down on the phone's side (its address stays, its route goes).
    pub fn disconnect(&self, n: u8) {
        ip(
            &self.prefix(),
            &["link", "set", &format!("wink-c{n}"), "down"],
        );
    }
}

impl Default for SecondNetwork {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for SecondNetwork {
    fn drop(&mut self) {
        // The links die with the namespace (once the programs in it have ended too).
        let _ = self.holder.kill();
        let _ = self.holder.wait();
        let _ = Command::new("ip")
            .args(["addr", "del", &format!("{SERVER}/32"), "dev", "lo"])
            .output();
    }
}
