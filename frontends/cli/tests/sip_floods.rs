//! Floods at a listening wink-cli (issue 12): 200 INVITEs/s for 10 s from sipp, 200
//! MESSAGEs/s for 10 s, and 10 s of garbage datagrams. During each, an OPTIONS sent every
//! 100 ms is answered within a second; every INVITE gets a final answer (a few ring, the
//! rest are refused with 486, or 503 with Retry-After); every MESSAGE answered 200 is stored
//! exactly once; the listener's RSS grows by less than 20 MB and comes back near where it
//! started once the transactions have ended. The floods run one at a time (each measures
//! the memory of its own listener) and print their figures.

mod common;

use std::net::UdpSocket;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::logged_listener::LoggedListener as Phone;
use common::sip_udp::options_answered;
use common::{Sandbox, sip_account as account, wink_ok, workspace};

/// One flood at a time: each measures its own listener's memory and latency.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// How long a flood lasts, and how many requests a second it sends.
const SECONDS: u64 = 10;
const RATE: u64 = 200;

/// The longest a transaction outlives its final answer over UDP (Timer J, 64 × T1), then
/// the period after which the listener gives freed memory back, and a little more: after
/// it, the listener should be back near its starting memory.
const SETTLE: Duration = Duration::from_secs(32 + wink_config::memory::TRIM_PERIOD.as_secs() + 2);

/// What the OPTIONS probes and the memory samples saw during a flood.
struct Watched {
    probes: usize,
    unanswered: usize,
    worst_ms: u128,
    start_mb: f64,
    peak_mb: f64,
}

/// Runs `flood` while an OPTIONS goes to `phone` every 100 ms (each must be answered within
/// a second) and its RSS is sampled.
fn watched<T>(phone: &Phone, first_round: usize, flood: impl FnOnce() -> T) -> (T, Watched) {
    let start_mb = phone.rss_mb();
    println!(
        "before: {:.1} MB anonymous, {:.1} MB mapped from files",
        phone.memory_mb("RssAnon:"),
        phone.memory_mb("RssFile:")
    );
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let prober = scope.spawn(|| {
            let mut seen = Watched {
                probes: 0,
                unanswered: 0,
                worst_ms: 0,
                start_mb,
                peak_mb: start_mb,
            };
            // Bounded: the floods last SECONDS; a stuck one ends at this many probes.
            while !done.load(Ordering::Relaxed) && seen.probes < 3_000 {
                let sent = Instant::now();
                if !options_answered(phone.at, first_round + seen.probes) {
                    seen.unanswered += 1;
                }
                seen.worst_ms = seen.worst_ms.max(sent.elapsed().as_millis());
                seen.probes += 1;
                seen.peak_mb = seen.peak_mb.max(phone.rss_mb());
                std::thread::sleep(Duration::from_millis(100));
            }
            seen
        });
        // Stops the prober when the flood ends, also when it fails (a panic unwinds it).
        let stop_probing = StopOnDrop(&done);
        let result = flood();
        drop(stop_probing);
        (result, prober.join().expect("the prober ends"))
    })
}

/// Raises its flag when dropped.
struct StopOnDrop<'a>(&'a AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Checks what every flood must keep: OPTIONS answered, memory bounded during it and back
/// near its start after `SETTLE`. Prints the figures.
fn check_and_report(what: &str, phone: &Phone, seen: &Watched) {
    std::thread::sleep(SETTLE);
    let after_mb = phone.rss_mb();
    println!(
        "{what}: after, {:.1} MB anonymous, {:.1} MB mapped from files",
        phone.memory_mb("RssAnon:"),
        phone.memory_mb("RssFile:")
    );
    println!(
        "{what}: {} OPTIONS probes, {} unanswered, worst {} ms; RSS {:.1} MB before, \
         {:.1} MB at most during, {:.1} MB {} s after",
        seen.probes,
        seen.unanswered,
        seen.worst_ms,
        seen.start_mb,
        seen.peak_mb,
        after_mb,
        SETTLE.as_secs()
    );
    assert!(seen.probes > 0, "{what}: the prober ran");
    assert_eq!(
        seen.unanswered, 0,
        "{what}: an OPTIONS went unanswered for 1 s"
    );
    assert!(
        seen.peak_mb - seen.start_mb < 20.0,
        "{what}: RSS grew by {:.1} MB",
        seen.peak_mb - seen.start_mb
    );
    assert!(
        after_mb - seen.start_mb < 5.0,
        "{what}: RSS stayed {:.1} MB above its start",
        after_mb - seen.start_mb
    );
}

/// Runs a sipp flood scenario at `phone` for `user` from `port`; returns the SIP messages
/// sipp logged (every response it got), failing the test when sipp failed.
fn sipp_flood(scenario: &str, phone: &Phone, user: &str, port: &str) -> String {
    let calls = (SECONDS * RATE).to_string();
    let rate = RATE.to_string();
    let out = wink_tests::sipp(
        workspace(),
        scenario,
        &[
            phone.at, "-s", user, "-p", port, "-r", &rate, "-m", &calls, "-l", &calls, "-timeout",
            "60s",
        ],
    );
    let said =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "sipp {scenario}: {said}");
    let log = said
        .split("logs: ")
        .nth(1)
        .and_then(|rest| rest.split(".*)").next())
        .map(|prefix| format!("{prefix}.messages.log"))
        .unwrap_or_else(|| panic!("sipp.sh names its logs: {said}"));
    std::fs::read_to_string(&log).unwrap_or_else(|e| panic!("{log}: {e}"))
}

/// A new sandbox where `user` (kamailio account) listens at `at`.
fn listening(user: &str, at: &'static str) -> (Sandbox, Phone) {
    let sandbox = Sandbox::new();
    account(&sandbox, user);
    let phone = Phone::start(&sandbox, at, &[]);
    (sandbox, phone)
}

/// How many responses with this status line start sipp received.
fn received(log: &str, status: &str) -> usize {
    log.lines().filter(|line| line.starts_with(status)).count()
}

#[test]
fn an_invite_flood_is_answered_and_leaves_the_phone_responsive() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let (_sandbox, phone) = listening("bob36", "127.0.0.1:5400");
    let (log, seen) = watched(&phone, 0, || {
        sipp_flood("uac-flood-invite", &phone, "bob36", "5100")
    });
    let (busy, unavailable) = (received(&log, "SIP/2.0 486"), received(&log, "SIP/2.0 503"));
    let cancelled = received(&log, "SIP/2.0 487");
    println!(
        "INVITE flood: {busy} × 486, {unavailable} × 503, {cancelled} rang and were cancelled"
    );
    assert_eq!(
        busy + unavailable + cancelled,
        (SECONDS * RATE) as usize,
        "one final answer per INVITE (retransmitted answers are not logged twice by sipp)"
    );
    if unavailable > 0 {
        assert!(log.contains("Retry-After:"), "a 503 says when to come back");
    }
    check_and_report("INVITE flood", &phone, &seen);
}

#[test]
fn a_message_flood_is_stored_once_each_and_leaves_the_phone_responsive() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let (sandbox, phone) = listening("bob37", "127.0.0.1:5401");
    let (log, seen) = watched(&phone, 10_000, || {
        sipp_flood("uac-flood-message", &phone, "bob37", "5101")
    });
    let (taken, refused) = (received(&log, "SIP/2.0 200"), received(&log, "SIP/2.0 503"));
    println!("MESSAGE flood: {taken} taken (200), {refused} refused (503)");
    assert_eq!(
        taken + refused,
        (SECONDS * RATE) as usize,
        "every MESSAGE answered once"
    );
    check_and_report("MESSAGE flood", &phone, &seen);
    let stored = wink_ok(
        &sandbox,
        &["history", "--search", "flood message", "--limit", "100000"],
        "",
    );
    let mut numbers: Vec<&str> = stored
        .lines()
        .filter_map(|line| line.split("flood message ").nth(1))
        .filter_map(|rest| rest.split(' ').next())
        .collect();
    let found = numbers.len();
    numbers.sort_unstable();
    numbers.dedup();
    assert_eq!(numbers.len(), found, "no message stored twice");
    assert_eq!(
        found, taken,
        "every message answered 200 is stored: {stored}"
    );
}

#[test]
fn a_garbage_flood_leaves_the_phone_responsive() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let (_sandbox, phone) = listening("bob38", "127.0.0.1:5402");
    let template = std::fs::read(workspace().join("scripts/peers/torture/4475-wsinv.sip"))
        .expect("a torture message to mangle");
    let (sent, seen) = watched(&phone, 20_000, || {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("a local UDP socket");
        // xorshift, seeded: the same garbage every run.
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let started = Instant::now();
        let mut sent = 0u64;
        // Ten times the request rate: random bytes, and a real request cut and flipped.
        while started.elapsed() < Duration::from_secs(SECONDS) {
            let datagram: Vec<u8> = if sent.is_multiple_of(2) {
                (0..(next() % 1400) as usize)
                    .map(|_| next() as u8)
                    .collect()
            } else {
                let mut mangled = template.clone();
                mangled.truncate((next() as usize) % template.len() + 1);
                for _ in 0..4 {
                    let at = (next() as usize) % mangled.len();
                    mangled[at] = next() as u8;
                }
                mangled
            };
            let _ = socket.send_to(&datagram, phone.at);
            sent += 1;
            if sent.is_multiple_of(RATE / 10) {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        sent
    });
    println!("garbage flood: {sent} datagrams");
    check_and_report("garbage flood", &phone, &seen);
}
