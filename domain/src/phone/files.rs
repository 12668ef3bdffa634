//! File transfer sessions (MSRP, RFC 5547): an INVITE whose one `m=message` stream offers
//! a file, made by the [`MessageStreamPort`](wink_ports::MessageStreamPort); its progress
//! (with speed and time left) and its outcome. The sender ends the session once the file
//! is confirmed; the receiver gives it [`SENDER_ENDS_WITHIN`] to, then ends it itself.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::time::Instant;
use tracing::{info, warn};
use wink_ports::{MediaKind, Sdp, SessionId, StreamEvent};

use super::timers::Timer;
use super::{CommandOutcome, FileOutcome, Phone, PhoneError, PhoneEvent};

/// How long the receiver of a whole file waits for the sender's BYE.
const SENDER_ENDS_WITHIN: Duration = Duration::from_secs(2);

/// What a session we place offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Offering {
    /// An audio call.
    Audio,
    /// A chat.
    Chat,
    /// This file.
    File(PathBuf),
}

impl Offering {
    /// The session's media.
    pub(super) fn media(&self) -> MediaKind {
        match self {
            Offering::Audio => MediaKind::Audio,
            Offering::Chat => MediaKind::Chat,
            Offering::File(_) => MediaKind::FileTransfer,
        }
    }

    /// Whether it goes over a message stream (MSRP) rather than RTP.
    pub(super) fn on_message_stream(&self) -> bool {
        is_message_stream(self.media())
    }
}

/// Whether a kind of media goes over a message stream (MSRP).
pub(super) fn is_message_stream(kind: MediaKind) -> bool {
    matches!(kind, MediaKind::Chat | MediaKind::FileTransfer)
}

impl Phone {
    /// Starts a session that sends the file at `path`.
    pub(super) async fn send_file(
        &mut self,
        typed: &str,
        path: PathBuf,
        requested: Option<&wink_ports::AccountId>,
    ) -> Result<CommandOutcome, PhoneError> {
        self.place_session(typed, requested, None, Offering::File(path))
            .await
    }

    /// Our offer of a file.
    pub(super) async fn file_offer(&self, id: &SessionId, path: &Path) -> Result<Sdp, PhoneError> {
        let section = self.ports.streams.offer_file(id, path).await?;
        Ok(super::chats::chat_sdp(
            &section,
            self.ports.clock.now().0.unsigned_abs(),
        ))
    }

    /// A file stream's progress or outcome.
    pub(super) async fn on_file_event(&mut self, event: StreamEvent) {
        match event {
            StreamEvent::Progress {
                session,
                transferred,
                total,
            } => {
                let now = self.ports.clock.now();
                let Some(call) = self.calls.get_mut(&session) else {
                    return;
                };
                let progress = call.file_progress.observe(now, transferred, total);
                self.emit(PhoneEvent::FileProgress { session, progress });
            }
            StreamEvent::FileSent { session } => {
                info!(target: "msrp", %session, "the file arrived");
                self.end_transfer(&session, FileOutcome::Sent);
                let _ = self.hang_up(&session).await;
            }
            StreamEvent::FileSaved { session, path } => {
                info!(target: "msrp", %session, path = %path.display(), "file saved");
                self.end_transfer(&session, FileOutcome::Saved(path));
                if self.calls.contains_key(&session) {
                    self.timers.schedule(
                        Instant::now() + SENDER_ENDS_WITHIN,
                        Timer::FileReceived(session),
                    );
                }
            }
            StreamEvent::FileFailed { session, reason } => {
                warn!(target: "msrp", %session, %reason, "file transfer failed");
                self.end_transfer(&session, FileOutcome::Failed(reason));
                if self.calls.contains_key(&session) {
                    let _ = self.hang_up(&session).await;
                }
            }
            _ => {}
        }
    }

    /// Says how a transfer ended, even when its session has already ended: the sender
    /// hangs up once the file is confirmed, which is often while the receiver is still
    /// checking its hash.
    fn end_transfer(&mut self, session: &SessionId, outcome: FileOutcome) {
        self.emit(PhoneEvent::FileTransferEnded {
            session: session.clone(),
            outcome,
        });
    }
}
