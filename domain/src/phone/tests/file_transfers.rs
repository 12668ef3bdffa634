//! File transfer sessions: the offer is the stream's file offer (never audio), progress
//! gains speed and time left from the clock, the sender ends the session once the file is
//! confirmed, the receiver ends it if the sender has not two seconds after the file is
//! saved; an incoming file offer says what the file is.

use std::path::PathBuf;

use super::*;
use wink_ports::{FileAttributes, FileSelector, MediaKind, MessageSection, Setup, StreamEvent};

fn file_section(path: &str, direction: wink_ports::sdp::Direction) -> MessageSection {
    MessageSection {
        secure: false,
        port: 4000,
        address: Some("10.0.0.1".parse().unwrap()),
        path: vec![path.to_owned()],
        accept_types: vec!["application/pdf".into()],
        accept_wrapped_types: vec![],
        max_size: None,
        setup: Some(Setup::ActPass),
        direction,
        file: Some(FileAttributes {
            selector: FileSelector {
                name: Some("report.pdf".into()),
                media_type: Some("application/pdf".into()),
                size: Some(200_000_000),
                sha1: None,
            },
            ..FileAttributes::default()
        }),
    }
}

const THEIR_ANSWER: &str = "v=0\r\no=- 1 1 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n\
    m=message 5000 TCP/MSRP *\r\na=accept-types:application/pdf\r\na=recvonly\r\n\
    a=file-selector:name:\"report.pdf\" type:application/pdf size:200000000\r\n\
    a=path:msrp://10.0.0.2:5000/b;tcp\r\n";

const THEIR_FILE: &str = "v=0\r\no=- 1 1 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n\
    m=message 5000 TCP/MSRP *\r\na=accept-types:image/png\r\na=sendonly\r\n\
    a=file-selector:name:\"cat.png\" type:image/png size:1234\r\n\
    a=path:msrp://10.0.0.2:5000/b;tcp\r\n";

#[tokio::test]
async fn a_file_is_offered_reported_with_speed_and_the_session_ended_once_it_arrived() {
    let mut mocks = Mocks::new();
    mocks
        .streams
        .expect_offer_file()
        .withf(|_, path| path == std::path::Path::new("/home/me/report.pdf"))
        .times(1)
        .returning(|_, _| {
            Ok(file_section(
                "msrp://10.0.0.1:4000/a;tcp",
                wink_ports::sdp::Direction::SendOnly,
            ))
        });
    mocks
        .signaling
        .expect_invite()
        .withf(|request| {
            let offer = request.offer.as_ref().unwrap().as_str();
            offer.contains("a=sendonly")
                && offer.contains("a=file-selector:name:\"report.pdf\"")
                && !offer.contains("m=audio")
        })
        .times(1)
        .returning(|_| Ok(()));
    mocks
        .streams
        .expect_apply_answer()
        .withf(|_, answer| answer.file.is_some())
        .times(1)
        .returning(|_, _| Ok(()));
    expect_stream_session_end(&mut mocks, MediaKind::FileTransfer);
    let (mut phone, mut events, clock) = phone(mocks);

    let Ok(CommandOutcome::Session(id)) = phone
        .execute(Command::SendFile {
            target: "bob@example.com".into(),
            path: PathBuf::from("/home/me/report.pdf"),
            account: None,
        })
        .await
    else {
        panic!("the transfer starts");
    };
    phone
        .on_signaling(SignalingEvent::Answered {
            session: id.clone(),
            sdp: Some(Sdp::new(THEIR_ANSWER)),
        })
        .await;
    for (at, transferred) in [(0, 0), (2_000, 50_000_000)] {
        clock.0.store(1_000_000 + at, Ordering::SeqCst);
        phone
            .on_stream(StreamEvent::Progress {
                session: id.clone(),
                transferred,
                total: 200_000_000,
            })
            .await;
    }
    let progress: Vec<_> = drain(&mut events)
        .into_iter()
        .filter_map(|e| match e {
            PhoneEvent::FileProgress { progress, .. } => Some(progress),
            _ => None,
        })
        .collect();
    assert_eq!(progress.len(), 2);
    assert_eq!(progress[1].bytes_per_second, 25_000_000);
    assert_eq!(progress[1].seconds_left, Some(6));

    phone
        .on_stream(StreamEvent::FileSent {
            session: id.clone(),
        })
        .await;
    let after = drain(&mut events);
    assert!(after.contains(&PhoneEvent::FileTransferEnded {
        session: id.clone(),
        outcome: FileOutcome::Sent
    }));
    assert!(
        after
            .iter()
            .any(|e| matches!(e, PhoneEvent::CallEnded { session, .. } if session == &id)),
        "the sender ends the session: {after:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn an_incoming_file_says_what_it_is_and_the_receiver_ends_the_session_if_the_sender_does_not()
{
    let mut mocks = Mocks::new();
    expect_incoming_ring(&mut mocks);
    mocks
        .streams
        .expect_answer()
        .withf(|_, offer| {
            offer
                .file
                .as_ref()
                .is_some_and(|f| f.selector.name.as_deref() == Some("cat.png"))
        })
        .times(1)
        .returning(|_, _| {
            Ok(file_section(
                "msrp://10.0.0.1:4000/ours;tcp",
                wink_ports::sdp::Direction::RecvOnly,
            ))
        });
    mocks
        .signaling
        .expect_answer()
        .withf(|_, sdp| {
            sdp.as_ref()
                .is_some_and(|s| s.as_str().contains("a=recvonly"))
        })
        .times(1)
        .returning(|_, _| Ok(()));
    expect_stream_session_end(&mut mocks, MediaKind::FileTransfer);
    let (mut phone, mut events, _) = phone(mocks);

    phone
        .on_signaling(incoming("file-1", Some(THEIR_FILE)))
        .await;
    let alert = drain(&mut events);
    assert!(alert.contains(&PhoneEvent::IncomingFile {
        session: sid("file-1"),
        name: "cat.png".into(),
        size: Some(1234),
    }));
    phone.execute(Command::Answer(sid("file-1"))).await.unwrap();
    let saved = PathBuf::from("/home/me/Downloads/cat.png");
    phone
        .on_stream(StreamEvent::FileSaved {
            session: sid("file-1"),
            path: saved.clone(),
        })
        .await;
    assert!(drain(&mut events).contains(&PhoneEvent::FileTransferEnded {
        session: sid("file-1"),
        outcome: FileOutcome::Saved(saved),
    }));
    phone.on_timers(tokio::time::Instant::now()).await;
    assert!(
        phone.session(&sid("file-1")).is_some(),
        "the sender has its time"
    );
    tokio::time::advance(Duration::from_secs(3)).await;
    phone.on_timers(tokio::time::Instant::now()).await;
    assert!(phone.session(&sid("file-1")).is_none(), "then we end it");
}

#[tokio::test]
async fn a_file_saved_after_the_senders_bye_is_still_reported() {
    let mut mocks = Mocks::new();
    expect_incoming_ring(&mut mocks);
    mocks.streams.expect_answer().returning(|_, _| {
        Ok(file_section(
            "msrp://10.0.0.1:4000/ours;tcp",
            wink_ports::sdp::Direction::RecvOnly,
        ))
    });
    mocks.signaling.expect_answer().returning(|_, _| Ok(()));
    mocks.signaling.expect_hang_up().never();
    mocks.streams.expect_close().times(1).returning(|_| ());
    mocks
        .storage
        .expect_add_history()
        .times(1)
        .returning(|_| Ok(()));
    let (mut phone, mut events, _) = phone(mocks);

    phone
        .on_signaling(incoming("file-2", Some(THEIR_FILE)))
        .await;
    phone.execute(Command::Answer(sid("file-2"))).await.unwrap();
    // The sender hangs up on the success report, while we still check the hash.
    phone
        .on_signaling(SignalingEvent::HungUp {
            session: sid("file-2"),
        })
        .await;
    let saved = PathBuf::from("/home/me/Downloads/cat.png");
    phone
        .on_stream(StreamEvent::FileSaved {
            session: sid("file-2"),
            path: saved.clone(),
        })
        .await;
    assert!(drain(&mut events).contains(&PhoneEvent::FileTransferEnded {
        session: sid("file-2"),
        outcome: FileOutcome::Saved(saved),
    }));
}
