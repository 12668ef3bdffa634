//! Files through the MessageStreamPort over real TCP on 127.0.0.1, as the domain drives
//! it: one side offers a file, the other answers into its downloads folder; progress
//! comes on both sides, the file arrives whole and checked. A transfer the receiver cuts
//! short fails on both sides and saves nothing; offered again, it resumes where the part
//! file ends (the answer's `a=file-range`) and arrives whole.

use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::StreamExt;
use wink_msrp::{MsrpStreams, StreamsConfig};
use wink_ports::stream::EventStream;
use wink_ports::{MessageStreamPort, SessionId, StreamEvent};
use wink_tests::files::varied_file;

fn config(downloads: &Path) -> StreamsConfig {
    StreamsConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        announce: None,
        relay: None,
        max_message_size: 1 << 20,
        downloads: downloads.to_owned(),
        tls: None,
    }
}

async fn next(
    events: &mut EventStream<StreamEvent>,
    matches: impl Fn(&StreamEvent) -> bool,
) -> StreamEvent {
    loop {
        let event = tokio::time::timeout(Duration::from_secs(20), events.next())
            .await
            .expect("an event within 20 s")
            .expect("the event stream goes on");
        if matches(&event) {
            return event;
        }
    }
}

/// A file of `len` bytes in `folder`, its content varied along its length.
fn make_file(folder: &Path, name: &str, len: usize) -> (PathBuf, Vec<u8>) {
    let path = folder.join(name);
    let content = varied_file(&path, len);
    (path, content)
}

fn session(name: &str) -> SessionId {
    SessionId::new(name).unwrap()
}

fn is_outcome(event: &StreamEvent) -> bool {
    matches!(
        event,
        StreamEvent::FileSent { .. }
            | StreamEvent::FileSaved { .. }
            | StreamEvent::FileFailed { .. }
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_arrives_whole_with_progress_on_both_sides() {
    let (outbox, downloads) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (path, content) = make_file(outbox.path(), "report.pdf", 3 << 20);
    let alice = MsrpStreams::new(config(outbox.path()), 1).await.unwrap();
    let bob = MsrpStreams::new(config(downloads.path()), 2).await.unwrap();
    let (mut alice_events, mut bob_events) = (alice.events(), bob.events());
    let (on_alice, on_bob) = (session("send-a"), session("send-b"));

    let offer = alice.offer_file(&on_alice, &path).await.unwrap();
    let file = offer.file.as_ref().expect("the offer describes the file");
    assert_eq!(file.selector.name.as_deref(), Some("report.pdf"));
    assert_eq!(file.selector.media_type.as_deref(), Some("application/pdf"));
    assert_eq!(file.selector.size, Some(content.len() as u64));
    let answer = bob.answer(&on_bob, &offer).await.unwrap();
    assert_eq!(
        answer.file.as_ref().unwrap().range,
        None,
        "nothing to resume"
    );
    alice.apply_answer(&on_alice, &answer).await.unwrap();

    let mut bob_progress = Vec::new();
    let saved = loop {
        match next(&mut bob_events, |_| true).await {
            StreamEvent::Progress { transferred, .. } => bob_progress.push(transferred),
            StreamEvent::FileSaved { path, .. } => break path,
            other if is_outcome(&other) => panic!("the receiver: {other:?}"),
            _ => {}
        }
    };
    assert_eq!(saved, downloads.path().join("report.pdf"));
    assert_eq!(std::fs::read(&saved).unwrap(), content);
    assert!(
        bob_progress.windows(2).all(|w| w[0] <= w[1]),
        "{bob_progress:?}"
    );
    assert_eq!(bob_progress.last(), Some(&(content.len() as u64)));
    assert!(
        bob_progress.len() >= 10,
        "every 1 % or so: {bob_progress:?}"
    );

    let mut alice_progress = Vec::new();
    loop {
        match next(&mut alice_events, |_| true).await {
            StreamEvent::Progress {
                transferred, total, ..
            } => {
                assert_eq!(total, content.len() as u64);
                alice_progress.push(transferred);
            }
            StreamEvent::FileSent { .. } => break,
            other if is_outcome(&other) => panic!("the sender: {other:?}"),
            _ => {}
        }
    }
    assert_eq!(alice_progress.last(), Some(&(content.len() as u64)));
    let leftovers: Vec<_> = std::fs::read_dir(downloads.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no part file left: {leftovers:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_transfer_saves_nothing_and_resumes_where_it_stopped() {
    let (outbox, downloads) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // Far more than the socket buffers hold: the receiver stops reading long before the end.
    let (path, content) = make_file(outbox.path(), "disk.img", 64 << 20);
    let alice = MsrpStreams::new(config(outbox.path()), 3).await.unwrap();
    let bob = MsrpStreams::new(config(downloads.path()), 4).await.unwrap();
    let (mut alice_events, mut bob_events) = (alice.events(), bob.events());

    let (first_a, first_b) = (session("first-a"), session("first-b"));
    let offer = alice.offer_file(&first_a, &path).await.unwrap();
    let answer = bob.answer(&first_b, &offer).await.unwrap();
    alice.apply_answer(&first_a, &answer).await.unwrap();
    next(&mut bob_events, |e| {
        matches!(e, StreamEvent::Progress { .. })
    })
    .await;
    bob.close(&first_b).await;
    let cut = next(&mut bob_events, is_outcome).await;
    assert!(
        matches!(&cut, StreamEvent::FileFailed { reason, .. } if reason.contains("closed after")),
        "{cut:?}"
    );
    let sender = next(&mut alice_events, is_outcome).await;
    assert!(
        matches!(sender, StreamEvent::FileFailed { .. }),
        "{sender:?}"
    );
    assert!(
        !downloads.path().join("disk.img").exists(),
        "a part of a file is never saved under its name"
    );

    let (again_a, again_b) = (session("again-a"), session("again-b"));
    let offer = alice.offer_file(&again_a, &path).await.unwrap();
    let answer = bob.answer(&again_b, &offer).await.unwrap();
    let (first, _) = answer
        .file
        .as_ref()
        .unwrap()
        .range
        .expect("the answer asks for the rest");
    assert!(
        first > 1 && first < content.len() as u64,
        "resumes at byte {first}"
    );
    alice.apply_answer(&again_a, &answer).await.unwrap();
    let StreamEvent::Progress { transferred, .. } = next(&mut alice_events, |e| {
        matches!(e, StreamEvent::Progress { .. })
    })
    .await
    else {
        unreachable!()
    };
    assert!(
        transferred >= first - 1,
        "the sender starts past what bob has"
    );
    let saved = next(&mut bob_events, is_outcome).await;
    let StreamEvent::FileSaved { path: saved, .. } = saved else {
        panic!("the resumed transfer: {saved:?}")
    };
    assert_eq!(
        std::fs::read(&saved).unwrap(),
        content,
        "whole and in order"
    );
    let sent = next(&mut alice_events, is_outcome).await;
    assert!(matches!(sent, StreamEvent::FileSent { .. }), "{sent:?}");
}
