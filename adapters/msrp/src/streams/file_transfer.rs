//! A file stream once connected: sending the file (from where the other side asked) and
//! waiting for its success report, or writing the pieces that arrive to the downloads
//! folder and checking the whole; both report progress, at most every 1 % (or 256 KiB).

use std::path::PathBuf;

use tokio::sync::mpsc;
use tracing::{info, warn};
use wink_ports::{SessionId, StreamEvent};

use crate::connection::SessionHandle;
use crate::incoming_file::IncomingFile;
use crate::session::{Event, Reports};

use super::link::failure_words;

/// Progress is said at most this often, in bytes, however small the file.
const SMALLEST_STEP: u64 = 256 * 1024;

/// A file we send.
#[derive(Debug, Clone)]
pub(super) struct Outgoing {
    /// Where it is.
    pub path: PathBuf,
    /// Its content type.
    pub content_type: String,
    /// Its size.
    pub size: u64,
    /// The first byte to send (0-based): past what the other side holds already.
    pub start: u64,
}

/// A file we receive.
#[derive(Debug)]
pub(super) struct Incoming {
    /// Where its bytes go.
    pub file: IncomingFile,
    /// Its size, as the sender said.
    pub size: u64,
}

/// When progress is worth saying.
struct Throttle {
    step: u64,
    next: u64,
}

impl Throttle {
    fn new(total: u64) -> Self {
        Self {
            step: (total / 100).max(SMALLEST_STEP),
            next: 0,
        }
    }

    fn due(&mut self, done: u64, total: u64) -> bool {
        if done >= self.next || done == total {
            self.next = done + self.step;
            return true;
        }
        false
    }
}

/// Sends the file and reports until the other side says it arrived, or it fails.
pub(super) async fn send(
    session: &SessionId,
    handle: &SessionHandle,
    file: Outgoing,
    msrp_events: &mut mpsc::Receiver<Event>,
    events: &mpsc::UnboundedSender<StreamEvent>,
) {
    let say = |event| {
        let _ = events.send(event);
    };
    let failed = |reason: String| StreamEvent::FileFailed {
        session: session.clone(),
        reason,
    };
    let reports = Reports {
        success: true,
        ..Reports::default()
    };
    if let Err(error) = handle
        .send_file(file.path.clone(), &file.content_type, file.start, reports)
        .await
    {
        return say(failed(format!(
            "cannot read {}: {error}",
            file.path.display()
        )));
    }
    if file.start > 0 {
        info!(target: "msrp", %session, start = file.start, "resuming the file where the other side stopped");
    }
    let mut throttle = Throttle::new(file.size);
    let mut acknowledged = file.start;
    let mut all_sent = false;
    while let Some(event) = msrp_events.recv().await {
        match event {
            Event::Progress {
                acknowledged: done,
                total,
                ..
            } => {
                acknowledged = done;
                if throttle.due(done, total) {
                    say(progress(session, done, total));
                }
            }
            Event::Sent { .. } => all_sent = true,
            Event::Delivered { .. } => {
                say(progress(session, file.size, file.size));
                return say(StreamEvent::FileSent {
                    session: session.clone(),
                });
            }
            Event::Failed { code, reason, .. } => {
                let reason = match code {
                    0 => interrupted(acknowledged, file.size),
                    _ => failure_words(code, &reason),
                };
                return say(failed(reason));
            }
            _ => {}
        }
    }
    say(failed(if all_sent {
        "the file was sent, but the other side never confirmed that it arrived".to_owned()
    } else {
        interrupted(acknowledged, file.size)
    }));
}

/// Writes what arrives, and once it is whole, checks and names the file.
pub(super) async fn receive(
    session: &SessionId,
    incoming: Incoming,
    msrp_events: &mut mpsc::Receiver<Event>,
    events: &mpsc::UnboundedSender<StreamEvent>,
) {
    let Incoming { mut file, size } = incoming;
    let say = |event| {
        let _ = events.send(event);
    };
    let failed = |reason: String| StreamEvent::FileFailed {
        session: session.clone(),
        reason,
    };
    let mut throttle = Throttle::new(size);
    while let Some(event) = msrp_events.recv().await {
        let written = match event {
            Event::Message { body, .. } => file.write_at(0, &body).map(|()| true),
            Event::Data { offset, data, .. } => file.write_at(offset, &data).map(|()| false),
            Event::Finished { .. } => Ok(true),
            Event::Abandoned { .. } => {
                return say(failed("the sender stopped sending the file".to_owned()));
            }
            _ => continue,
        };
        let whole = match written {
            Ok(whole) => whole,
            Err(error) => {
                warn!(target: "msrp", %session, %error, "cannot write the file");
                return say(failed(format!("cannot save the file: {error}")));
            }
        };
        let done = file.already_received();
        if throttle.due(done, size) {
            say(progress(session, done, size));
        }
        if whole {
            return say(
                match tokio::task::spawn_blocking(move || file.finish()).await {
                    Ok(Ok(path)) => StreamEvent::FileSaved {
                        session: session.clone(),
                        path,
                    },
                    Ok(Err(error)) => failed(error.to_string()),
                    Err(error) => failed(format!("checking the file stopped: {error}")),
                },
            );
        }
    }
    say(failed(interrupted(file.already_received(), size)));
}

fn progress(session: &SessionId, transferred: u64, total: u64) -> StreamEvent {
    StreamEvent::Progress {
        session: session.clone(),
        transferred,
        total,
    }
}

/// A transfer cut short, in words.
fn interrupted(done: u64, total: u64) -> String {
    format!(
        "the connection closed after {done} of {total} bytes; sending the file again resumes it"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_said_every_percent_and_at_the_end() {
        let total = 100 * SMALLEST_STEP;
        let mut throttle = Throttle::new(total);
        let said = (0..=total)
            .step_by(4096)
            .chain([total])
            .filter(|&done| throttle.due(done, total))
            .count();
        assert_eq!(said, 102, "0 %, every 1 %, and the end again");
    }
}
