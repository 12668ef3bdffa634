//! `wink-cli selftest`: two user agents of our own call each other over loopback and the
//! report says audio went both ways, with latency and loss; no account, no server.

mod common;

use common::{Sandbox, wink_ok};

fn assert_both_ways(printed: &str, codec: &str, encryption: &str) {
    let lines: Vec<&str> = printed.lines().filter(|l| l.contains(" -> ")).collect();
    assert_eq!(lines.len(), 2, "{printed}");
    for line in lines {
        assert!(line.contains(": audio OK (heard "), "{printed}");
        assert!(
            line.contains(&format!("codec {codec}, {encryption}")),
            "{printed}"
        );
        let latency = line
            .split("latency ")
            .nth(1)
            .and_then(|rest| rest.split(" ms").next())
            .and_then(|ms| ms.parse::<u64>().ok());
        assert!(latency.is_some(), "no latency figure: {printed}");
    }
    assert!(printed.contains("self-test passed"), "{printed}");
}

#[test]
fn selftest_hears_audio_both_ways_with_the_default_codec_and_srtp() {
    let sandbox = Sandbox::new();
    let printed = wink_ok(&sandbox, &["selftest", "--seconds", "3"], "");
    assert_both_ways(&printed, "opus", "SRTP");
}

#[test]
fn selftest_runs_each_codec_in_the_clear() {
    let sandbox = Sandbox::new();
    for (choice, codec) in [("g722", "G722"), ("pcma", "PCMA"), ("pcmu", "PCMU")] {
        let printed = wink_ok(
            &sandbox,
            &[
                "selftest",
                "--seconds",
                "2",
                "--codec",
                choice,
                "--srtp",
                "off",
            ],
            "",
        );
        assert_both_ways(&printed, codec, "plain RTP");
    }
}
