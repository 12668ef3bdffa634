//! DTMF as SIP INFO (`application/dtmf-relay`) for accounts set so: wink-cli to wink-cli
//! and wink-cli to baresip, through kamailio.

mod common;

use std::time::Duration;

use common::{Listener, Sandbox, sip_account, sip_account_with, workspace};
use wink_tests::Baresip;

fn info_account(user: &str) -> Sandbox {
    let sandbox = Sandbox::new();
    sip_account_with(
        &sandbox,
        user,
        &format!("{user}-pw"),
        &["--dtmf", "sip-info"],
    );
    sandbox
}

#[test]
fn keys_sent_as_sip_info_reach_another_wink() {
    let callee = Sandbox::new();
    sip_account(&callee, "bob54");
    let listener = Listener::start(&callee, &["--auto-answer", "--duration", "8"]);
    let caller = info_account("alice54");
    let out = common::call(
        &caller,
        &["--dtmf", "3*", "--hangup-after", "3", "bob54@wink.test"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let printed = listener.finish();
    let received: String = printed
        .lines()
        .filter_map(|l| l.split("DTMF received ").nth(1))
        .collect();
    assert_eq!(received, "3*", "{printed}");
}

#[test]
fn baresip_reads_our_sip_info_keys() {
    let baresip = Baresip::start(workspace(), "bob55", true);
    let caller = info_account("alice55");
    let out = common::call(
        &caller,
        &["--dtmf", "8", "--hangup-after", "3", "bob55@wink.test"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        baresip.wait_for_log("received DTMF: '8'", Duration::from_secs(5)),
        "{}",
        baresip.log()
    );
}
