//! File transfer (MSRP, RFC 5547) between two wink-cli through kamailio, inside the
//! loopback-only namespace `make test` creates: `send-file` pushes a 200 MB file with a
//! progress bar to `accept-files`, which saves it whole (its SHA-1 checked against the
//! offer); a transfer cut by the receiver's death fails on the sender's side, leaves no
//! file under the file's name, and the same file sent again resumes where it stopped.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::logged_listener::LoggedListener;
use common::{Sandbox, wink};
use wink_tests::files::varied_file;

fn send_file_args<'a>(target: &'a str, file: &'a str) -> [&'a str; 7] {
    [
        "send-file",
        "--bind",
        "127.0.0.1:0",
        "--timeout",
        "10",
        target,
        file,
    ]
}

/// The progress lines `send-file` printed (its output is not a terminal: one per step).
fn progress_lines(said: &str) -> Vec<&str> {
    said.lines().filter(|l| l.starts_with('[')).collect()
}

/// The percentage of a progress line.
fn percent(line: &str) -> u8 {
    line.split(']')
        .nth(1)
        .and_then(|rest| rest.split('%').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("a percentage in {line:?}"))
}

/// The files in `dir`, by name.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn a_200_mb_file_arrives_whole_with_a_progress_bar() {
    let bob = Sandbox::new();
    common::sip_account(&bob, "bob71");
    let downloads = bob.root().join("incoming");
    let receiver =
        LoggedListener::accept_files(&bob, "127.0.0.1:0", downloads.to_str().unwrap(), &[]);
    let alice = Sandbox::new();
    common::sip_account(&alice, "alice71");
    let file = alice.root().join("holiday.mkv");
    let content = varied_file(&file, 200 << 20);

    let out = wink(
        &alice,
        &send_file_args("bob71@wink.test", file.to_str().unwrap()),
        "",
    );
    let said = String::from_utf8_lossy(&out.stdout);
    let errors = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{said}\n{errors}\nbob: {}",
        receiver.printed()
    );
    assert!(
        said.contains("the file arrived at bob71@wink.test"),
        "{said}"
    );
    let steps = progress_lines(&said);
    assert!(steps.len() >= 20, "a bar that moves: {steps:?}");
    assert!(
        steps.windows(2).all(|w| percent(w[0]) <= percent(w[1])),
        "{steps:?}"
    );
    assert_eq!(steps.last().map(|l| percent(l)), Some(100), "{steps:?}");
    assert!(
        steps.iter().any(|l| l.contains("/s") && l.contains("left")),
        "speed and time left: {steps:?}"
    );

    assert!(
        receiver.wait_for("saved to", Duration::from_secs(30)),
        "{}",
        receiver.printed()
    );
    let saved = downloads.join("holiday.mkv");
    assert!(
        receiver
            .printed()
            .contains(&format!("saved to {}", saved.display())),
        "{}",
        receiver.printed()
    );
    assert!(
        std::fs::read(&saved).expect("the file is saved") == content,
        "the saved file differs from the one sent"
    );
    assert_eq!(names_in(&downloads), ["holiday.mkv"], "no part file left");
}

/// `wink-cli send-file`, running in the background; its output goes to files.
struct Sending {
    child: std::process::Child,
    out: PathBuf,
    err: PathBuf,
}

impl Sending {
    fn start(sandbox: &Sandbox, target: &str, file: &Path) -> Self {
        let (out, err) = (
            sandbox.root().join("send.out"),
            sandbox.root().join("send.err"),
        );
        let child = Command::new(env!("CARGO_BIN_EXE_wink-cli"))
            .args(send_file_args(target, file.to_str().unwrap()))
            .env("XDG_CONFIG_HOME", sandbox.config_home())
            .env("XDG_DATA_HOME", sandbox.data_home())
            .env("HOME", sandbox.root())
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&out).unwrap())
            .stderr(std::fs::File::create(&err).unwrap())
            .spawn()
            .expect("wink-cli send-file starts");
        Self { child, out, err }
    }

    /// Waits (at most 60 s) for it to end: whether it succeeded, and what it said.
    fn finish(mut self) -> (bool, String) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "send-file did not end in 60 s");
            std::thread::sleep(Duration::from_millis(50));
        };
        let said = std::fs::read_to_string(&self.out).unwrap_or_default()
            + &std::fs::read_to_string(&self.err).unwrap_or_default();
        (status.success(), said)
    }
}

impl Drop for Sending {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_transfer_cut_by_the_receiver_fails_saves_nothing_and_resumes_when_sent_again() {
    let bob = Sandbox::new();
    common::sip_account(&bob, "bob72");
    let downloads = bob.root().join("incoming");
    let dir = downloads.to_str().unwrap();
    let alice = Sandbox::new();
    common::sip_account(&alice, "alice72");
    let file = alice.root().join("backup.tar");
    let content = varied_file(&file, 200 << 20);

    // The receiver dies part way, at the same byte every run: the kernel kills it
    // (SIGXFSZ) when its part file reaches 64 MiB, with no BYE and no MSRP goodbye.
    let file_limit = [
        "prlimit".to_owned(),
        format!("--fsize={}", 64 << 20),
        "--".to_owned(),
    ];
    let receiver = LoggedListener::accept_files(&bob, "127.0.0.1:0", dir, &file_limit);
    let sending = Sending::start(&alice, "bob72@wink.test", &file);
    let (succeeded, said) = sending.finish();
    let bob_said = receiver.printed();
    drop(receiver);
    assert!(
        !succeeded,
        "the sender must not report success: {said}\nbob: {bob_said}"
    );
    assert!(
        said.contains("did not arrive") || said.contains("ended before the file arrived"),
        "the sender says the file did not arrive: {said}"
    );
    assert!(
        !downloads.join("backup.tar").exists(),
        "a part of a file is never saved under its name: {:?}",
        names_in(&downloads)
    );
    let parts = names_in(&downloads);
    assert!(
        parts.len() == 1 && parts[0].ends_with(".part"),
        "what arrived is kept aside: {parts:?}"
    );
    let kept = std::fs::metadata(downloads.join(&parts[0])).unwrap().len();
    assert_eq!(kept, 64 << 20, "the part file ends where the receiver died");

    let receiver = LoggedListener::accept_files(&bob, "127.0.0.1:0", dir, &[]);
    let out = wink(
        &alice,
        &send_file_args("bob72@wink.test", file.to_str().unwrap()),
        "",
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}\n{}\nbob: {}",
        String::from_utf8_lossy(&out.stderr),
        receiver.printed()
    );
    let first = progress_lines(&said)
        .first()
        .map(|l| percent(l))
        .expect("progress");
    let kept_percent = u8::try_from(kept * 100 / content.len() as u64).unwrap();
    assert!(
        first >= kept_percent.saturating_sub(1),
        "the second transfer starts where the first stopped ({kept} bytes, {kept_percent} %), not at {first} %"
    );
    assert!(
        receiver.wait_for("saved to", Duration::from_secs(30)),
        "{}",
        receiver.printed()
    );
    assert!(
        std::fs::read(downloads.join("backup.tar")).unwrap() == content,
        "the resumed file is whole and in order"
    );
    assert_eq!(names_in(&downloads), ["backup.tar"]);
}
