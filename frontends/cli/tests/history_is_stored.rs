//! Calls land in the SQLite history and survive the process; a damaged database is kept
//! aside, the user is told, and a new one starts.

mod common;

use common::{Sandbox, answering, sip_account, wink_ok};

#[test]
fn a_call_is_in_the_history_of_both_sides_until_cleared() {
    let (callee, listener) = answering("bob60", "8");
    let caller = Sandbox::new();
    sip_account(&caller, "alice60");
    let out = common::call(&caller, &["--hangup-after", "1", "bob60@wink.test"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let sent = wink_ok(
        &caller,
        &[
            "message",
            "--bind",
            "127.0.0.1:0",
            "bob60@wink.test",
            "the Pelican, flies \"low\"",
        ],
        "",
    );
    assert!(sent.contains("delivered to"), "{sent}");
    listener.finish();

    let theirs = wink_ok(&callee, &["history"], "");
    assert!(
        theirs.contains("in   Answered  alice60@wink.test"),
        "{theirs}"
    );
    let ours = wink_ok(&caller, &["history"], "");
    assert!(ours.contains("out  Answered  bob60@wink.test"), "{ours}");
    assert!(wink_ok(&caller, &["history", "--missed"], "").contains("no calls"));
    assert!(wink_ok(&caller, &["history", "--incoming"], "").contains("no calls"));
    let filtered = wink_ok(
        &caller,
        &[
            "history",
            "--outgoing",
            "--with",
            "bob60@wink.test",
            "--media",
            "audio",
        ],
        "",
    );
    assert!(filtered.contains("bob60@wink.test"), "{filtered}");
    assert!(wink_ok(&caller, &["history", "--with", "nobody@wink.test"], "").contains("no calls"));

    // The message is stored on both sides and found by its text, whatever the case.
    for (name, side) in [("caller", &caller), ("callee", &callee)] {
        let found = wink_ok(side, &["history", "--search", "pelican"], "");
        assert!(found.contains("the Pelican, flies"), "{name}: {found}");
    }
    assert!(wink_ok(&caller, &["history", "--search", "heron"], "").contains("no message"));

    // Export: CSV with a header, and JSON.
    let csv = wink_ok(&caller, &["history", "export"], "");
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].starts_with("started_at,answered_at,ended_at,direction,result"),
        "{csv}"
    );
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(
        lines[1].contains(",out,Answered,alice60@wink.test,bob60@wink.test,"),
        "{csv}"
    );
    let json = wink_ok(&caller, &["history", "export", "--format", "json"], "");
    assert!(
        json.trim_start().starts_with('[') && json.contains("\"remote\": \"bob60@wink.test\""),
        "{json}"
    );

    wink_ok(&caller, &["history", "clear"], "");
    assert!(wink_ok(&caller, &["history"], "").contains("no calls"));
}

#[test]
fn a_damaged_database_is_kept_and_a_new_one_starts() {
    let sandbox = Sandbox::new();
    let folder = sandbox.data_home().join("wink");
    std::fs::create_dir_all(&folder).unwrap();
    let garbage = b"not SQLite at all, but the user's file all the same\n".repeat(50);
    std::fs::write(folder.join("wink.sqlite"), &garbage).unwrap();
    let out = common::wink(&sandbox, &["history"], "");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("the history database was damaged"),
        "{stderr}"
    );
    let kept: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().contains("wink.sqlite.corrupt-"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(std::fs::read(&kept[0]).unwrap(), garbage);
    assert!(String::from_utf8_lossy(&out.stdout).contains("no calls"));
}
