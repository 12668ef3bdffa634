//! `selftest`: the test call of wink-config, printed.

use std::time::Duration;

use anyhow::bail;
use wink_config::selftest::{Direction, selftest};

use super::network::{codec, srtp};
use crate::cli::{CodecChoice, SrtpChoice};
use crate::context::Context;

fn describe(name: &str, direction: &Direction) -> String {
    let stats = &direction.stats;
    let latency = direction
        .latency
        .map_or_else(|| "-".to_owned(), |l| format!("{} ms", l.as_millis()));
    format!(
        "{name}: {} (heard {} of {} beeps), latency {latency}, codec {}, {}, lost {} ({:.1}%), jitter {:.1} ms, buffer {} ms",
        if direction.works() {
            "audio OK"
        } else {
            "NO AUDIO"
        },
        direction.beeps_heard,
        direction.beeps_sent,
        stats.codec,
        if stats.encrypted { "SRTP" } else { "plain RTP" },
        stats.packets_lost,
        stats.loss_percent,
        stats.jitter_ms,
        stats.buffer_delay_ms,
    )
}

pub(super) async fn run(
    context: &Context,
    codecs: Option<Vec<CodecChoice>>,
    srtp_choice: Option<SrtpChoice>,
    seconds: u64,
) -> anyhow::Result<()> {
    let codecs: Option<Vec<_>> = codecs.map(|c| c.into_iter().map(codec).collect());
    let profile = wink_config::media_profile(
        &context.settings,
        None,
        codecs.as_deref(),
        srtp_choice.map(srtp),
    );
    println!("self-test call over loopback for {seconds} s ...");
    let report = selftest(profile, Duration::from_secs(seconds.max(2))).await?;
    println!("{}", describe("caller -> callee", &report.outbound));
    println!("{}", describe("callee -> caller", &report.inbound));
    if !report.passed() {
        bail!("the self-test failed: audio did not go both ways");
    }
    println!("self-test passed: audio goes both ways");
    Ok(())
}
