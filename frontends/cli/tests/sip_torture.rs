//! The torture messages of RFC 4475 §3 and RFC 5118 §4, byte for byte as the RFCs' archives
//! hold them (`scripts/peers/torture`), each sent in one UDP datagram to a listening
//! wink-cli: each gets the answer the RFC expects of a user agent (`manifest.tsv`: the first
//! of its answers is ours where it allows several), and after each the listener still answers
//! OPTIONS. The listeners' account is `user`, the user most of the messages are for; they
//! refuse calls as busy (486), so an INVITE for `user` that is taken in gets 486 and one
//! for another user 404 ("normal"). Some messages share a transaction key (branch, sent-by
//! and method): to a user agent the second is a retransmission of the first, so each goes
//! to a listener that has not seen its key.
//! The table of messages and answers is written to `$CARGO_TARGET_TMPDIR/sip-torture.md`
//! (it is the one in `docs/sip.md`).

mod common;

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;

use common::sip_udp::{Answer, options_answered, send};
use common::{Listener, Sandbox, sip_account as account, workspace};

/// Where the listeners take requests: as many as messages share a transaction key.
const LISTENERS: [&str; 4] = [
    "127.0.0.1:5396",
    "127.0.0.1:5397",
    "127.0.0.1:5398",
    "127.0.0.1:5399",
];

/// One message of the manifest and what the RFC wants a user agent to answer.
struct Torture {
    file: String,
    section: String,
    title: String,
    /// The codes the RFC allows, ours first; `normal` is how the listener answers that
    /// method when nothing is wrong; `none`: no answer at all.
    expected: Vec<String>,
}

fn torture_dir() -> PathBuf {
    workspace().join("scripts/peers/torture")
}

fn manifest() -> Vec<Torture> {
    let text = std::fs::read_to_string(torture_dir().join("manifest.tsv"))
        .expect("scripts/peers/torture/manifest.tsv is readable");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("a header").split('\t').collect();
    let column = |name: &str| {
        header
            .iter()
            .position(|c| *c == name)
            .unwrap_or_else(|| panic!("the manifest has a column {name}"))
    };
    let (file, section, title, expected) = (
        column("file"),
        column("rfc_section"),
        column("title"),
        column("expected_response"),
    );
    lines
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let cells: Vec<&str> = line.split('\t').collect();
            Torture {
                file: cells[file].to_owned(),
                section: cells[section].to_owned(),
                title: cells[title].to_owned(),
                expected: cells[expected].split('|').map(str::to_owned).collect(),
            }
        })
        .collect()
}

/// The code the listeners answer a message with when nothing is wrong with it.
fn normal_code(request_line: &str) -> &'static str {
    let mut parts = request_line.split(' ');
    let (method, uri) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let user = uri
        .strip_prefix("sip:")
        .and_then(|rest| rest.split_once('@'))
        .map(|(user, _)| user);
    match (method, user) {
        ("INVITE", Some("user")) => "486",
        ("INVITE", _) => "404",
        _ => "200",
    }
}

/// What tells a request's server transaction apart: its method and its top Via (branch
/// and sent-by), without whitespace; `None` for a response.
fn transaction_key(text: &str) -> Option<String> {
    let mut lines = text.split("\r\n");
    let method = lines.next()?.split(' ').next()?;
    if method.starts_with("SIP/") {
        return None;
    }
    let via = lines
        .take_while(|line| !line.is_empty())
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            matches!(name.trim().to_ascii_lowercase().as_str(), "via" | "v").then_some(value)
        })
        .unwrap_or_default();
    let top = via.split(',').next().unwrap_or_default();
    Some(format!(
        "{method} {}",
        top.split_whitespace().collect::<String>()
    ))
}

/// What is wrong with `answer` beyond its code: a header its code needs is missing, or a
/// 400 does not say what the fault is.
fn answer_faults(answer: &Answer) -> Option<String> {
    let needs = match answer.code {
        405 | 501 => Some("Allow"),
        415 => Some("Accept"),
        406 | 488 => Some("Warning"),
        420 => Some("Unsupported"),
        _ => None,
    };
    if let Some(header) = needs.filter(|h| !answer.has_header(h)) {
        return Some(format!("{} without {header}", answer.code));
    }
    (answer.code == 400 && answer.status_line.ends_with(" Bad Request"))
        .then(|| "a 400 that does not name the fault".to_owned())
}

#[test]
fn every_torture_message_gets_the_answer_the_rfcs_expect_and_the_ua_goes_on() {
    let sandbox = Sandbox::new();
    account(&sandbox, "user");
    let listeners: Vec<Listener> = LISTENERS
        .iter()
        .map(|at| {
            Listener::start(
                &sandbox,
                &["--bind", at, "--refuse", "busy", "--duration", "300"],
            )
        })
        .collect();
    for at in LISTENERS {
        assert!(
            options_answered(at, 0),
            "the listener at {at} answers OPTIONS"
        );
    }
    let messages = manifest();
    assert_eq!(
        messages.len(),
        61,
        "49 messages of RFC 4475 and 12 of RFC 5118"
    );
    let mut keys_seen: Vec<HashSet<String>> = vec![HashSet::new(); LISTENERS.len()];
    let mut table =
        String::from("| Message | RFC | Expected | Wink answers |\n|---|---|---|---|\n");
    let mut wrong = Vec::new();
    for (round, message) in messages.iter().enumerate() {
        let bytes = std::fs::read(torture_dir().join(&message.file)).expect("a torture file");
        let text = String::from_utf8_lossy(&bytes);
        let request_line = text.lines().next().unwrap_or_default();
        let to = match transaction_key(&text) {
            Some(key) => {
                let free = keys_seen
                    .iter()
                    .position(|keys| !keys.contains(&key))
                    .expect("enough listeners for the messages that share a key");
                keys_seen[free].insert(key);
                LISTENERS[free]
            }
            None => LISTENERS[0],
        };
        let silent = message.expected.iter().any(|e| e == "none");
        let wait = Duration::from_millis(if silent { 500 } else { 2_000 });
        let answer = send(&bytes, to, wait);
        let ours = message.expected[0].replace("normal", normal_code(request_line));
        let (got, shown) = match &answer {
            Some(answer) => (answer.code.to_string(), answer.status_line.clone()),
            None => ("none".to_owned(), "nothing".to_owned()),
        };
        table.push_str(&format!(
            "| `{}` ({}) | {} | {} | {} |\n",
            message.file.trim_end_matches(".sip"),
            message.title,
            message.section,
            message.expected.join(" or "),
            shown.replace('|', "\\|"),
        ));
        if got != ours {
            wrong.push(format!("{}: expected {ours}, got {shown}", message.file));
        }
        if let Some(fault) = answer.as_ref().and_then(answer_faults) {
            wrong.push(format!("{}: {fault}", message.file));
        }
        if !options_answered(to, round + 1) {
            wrong.push(format!("{}: OPTIONS unanswered after it", message.file));
        }
    }
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sip-torture.md");
    std::fs::write(&out, &table).expect("the table is written");
    println!("torture table: {}", out.display());
    for listener in listeners {
        let printed = listener.stop();
        assert!(!printed.contains("panicked"), "{printed}");
    }
    assert!(wrong.is_empty(), "{}\n\n{table}", wrong.join("\n"));
}
