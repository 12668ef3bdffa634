//! File transfers as the transfers window shows them, as Blink does: one row per transfer
//! with the file's name, the other party, how far it is, its speed and time left, and how
//! it ended (in plain words), with what can be done with it (cancel, open, show).

use std::path::{Path, PathBuf};

use wink_domain::{CallState, FileOutcome, FileProgress, PhoneEvent};
use wink_ports::{CallResult, SessionId};

use super::call_view::Party;

/// One transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TransferView {
    /// The session carrying it.
    pub(crate) session: SessionId,
    /// The file's name.
    pub(crate) name: String,
    /// The file we send, or where the one we received was saved.
    pub(crate) path: Option<PathBuf>,
    /// The other side.
    pub(crate) party: Party,
    /// We receive it.
    pub(crate) incoming: bool,
    /// Its size, when known.
    pub(crate) size: Option<u64>,
    /// The last progress.
    pub(crate) progress: Option<FileProgress>,
    /// How it ended.
    pub(crate) outcome: Option<FileOutcome>,
    /// It ended without an outcome (declined, cancelled, the session gone).
    pub(crate) ended: Option<CallResult>,
    /// The user cancelled it.
    pub(crate) cancelled: bool,
}

impl TransferView {
    /// An offer we make.
    pub(crate) fn outgoing(
        session: SessionId,
        path: &Path,
        party: Party,
        size: Option<u64>,
    ) -> Self {
        Self {
            session,
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string()),
            path: Some(path.to_owned()),
            party,
            incoming: false,
            size,
            progress: None,
            outcome: None,
            ended: None,
            cancelled: false,
        }
    }

    /// An offer we accepted.
    pub(crate) fn incoming(
        session: SessionId,
        name: &str,
        party: Party,
        size: Option<u64>,
    ) -> Self {
        Self {
            session,
            name: name.to_owned(),
            path: None,
            party,
            incoming: true,
            size,
            progress: None,
            outcome: None,
            ended: None,
            cancelled: false,
        }
    }

    /// `To Bob` / `From Bob`.
    pub(crate) fn party_text(&self) -> String {
        let direction = if self.incoming { "From" } else { "To" };
        format!("{direction} {}", self.party.title())
    }

    /// How far it is, from 0 to 1.
    pub(crate) fn fraction(&self) -> f64 {
        match (&self.outcome, &self.progress) {
            (Some(FileOutcome::Sent | FileOutcome::Saved(_)), _) => 1.0,
            (_, Some(progress)) if progress.total > 0 => {
                // Sizes fit an f64's 53 bits for any file there is.
                #[allow(clippy::cast_precision_loss)]
                let fraction = progress.transferred as f64 / progress.total as f64;
                fraction.clamp(0.0, 1.0)
            }
            _ => 0.0,
        }
    }

    /// Whether it is still going (Cancel makes sense).
    pub(crate) fn is_running(&self) -> bool {
        self.outcome.is_none() && self.ended.is_none() && !self.cancelled
    }

    /// Whether it failed, or ended without the file.
    pub(crate) fn failed(&self) -> bool {
        matches!(self.outcome, Some(FileOutcome::Failed(_)))
            || (self.outcome.is_none() && self.ended.is_some() && !self.cancelled)
    }

    /// The file to open, once it is there (the saved one, or the one we sent).
    pub(crate) fn file(&self) -> Option<&Path> {
        match &self.outcome {
            Some(FileOutcome::Saved(path)) => Some(path),
            Some(FileOutcome::Sent) => self.path.as_deref(),
            _ => None,
        }
    }

    /// The line under the bar: progress, speed and time left; or how it ended.
    pub(crate) fn status_text(&self) -> String {
        if self.cancelled && self.outcome.is_none() {
            return "Cancelled".into();
        }
        match &self.outcome {
            Some(FileOutcome::Sent) => {
                return format!(
                    "Sent: {} arrived whole",
                    self.size
                        .map(size_text)
                        .unwrap_or_else(|| "the file".into())
                );
            }
            Some(FileOutcome::Saved(path)) => {
                return format!("Saved to {}", path.display());
            }
            Some(FileOutcome::Failed(reason)) => {
                return format!("Failed: {}", crate::sentence::sentence(reason));
            }
            None => {}
        }
        if let Some(result) = self.ended {
            return match (result, self.incoming) {
                (CallResult::Rejected | CallResult::Busy, false) => {
                    format!("{} declined the file", self.party.title())
                }
                (CallResult::Cancelled, true) => {
                    format!("{} took the offer back", self.party.title())
                }
                (CallResult::Failed, false) => {
                    format!("The file could not be offered to {}", self.party.title())
                }
                _ => "Stopped before the whole file arrived".into(),
            };
        }
        match &self.progress {
            Some(progress) => progress_text(progress),
            None if self.incoming => "Starting…".into(),
            None => format!("Waiting for {} to accept…", self.party.title()),
        }
    }

    /// What a screen reader says for the row.
    pub(crate) fn spoken(&self) -> String {
        format!(
            "{}, {}, {}",
            self.name,
            self.party_text(),
            self.status_text()
        )
    }
}

/// `1.2 MB of 3.4 MB · 850 kB/s · 3 s left`.
pub(crate) fn progress_text(progress: &FileProgress) -> String {
    let mut text = format!(
        "{} of {}",
        size_text(progress.transferred),
        size_text(progress.total)
    );
    if progress.bytes_per_second > 0 {
        text.push_str(&format!(" · {}/s", size_text(progress.bytes_per_second)));
    }
    if let Some(left) = progress.seconds_left {
        text.push_str(&format!(" · {}", time_left_text(left)));
    }
    text
}

/// A size as GNOME writes one (powers of 1000): `512 bytes`, `1.5 kB`, `3.2 MB`, `1.1 GB`.
pub(crate) fn size_text(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["kB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return if bytes == 1 {
            "1 byte".into()
        } else {
            format!("{bytes} bytes")
        };
    }
    // Display only: a rounded figure.
    #[allow(clippy::cast_precision_loss)]
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 999.95 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// `3 s left`, `2 min left`, `1 h 5 min left`.
pub(crate) fn time_left_text(seconds: u64) -> String {
    match seconds {
        0..60 => format!("{seconds} s left"),
        60..3600 => format!("{} min left", seconds.div_ceil(60)),
        _ => format!("{} h {} min left", seconds / 3600, seconds % 3600 / 60),
    }
}

/// What changed, for the widgets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TransferChange {
    /// A row at this index.
    Added(usize),
    /// The row at this index changed.
    Changed(usize),
    /// Nothing shown.
    None,
}

/// Every transfer of this run, oldest first.
#[derive(Debug, Default)]
pub(crate) struct Transfers {
    rows: Vec<TransferView>,
}

impl Transfers {
    /// The rows.
    pub(crate) fn rows(&self) -> &[TransferView] {
        &self.rows
    }

    /// A transfer by session.
    pub(crate) fn get(&self, session: &SessionId) -> Option<&TransferView> {
        self.rows.iter().find(|t| &t.session == session)
    }

    fn index(&self, session: &SessionId) -> Option<usize> {
        self.rows.iter().position(|t| &t.session == session)
    }

    /// Adds a transfer (once per session).
    pub(crate) fn add(&mut self, transfer: TransferView) -> TransferChange {
        if let Some(index) = self.index(&transfer.session) {
            return TransferChange::Changed(index);
        }
        self.rows.push(transfer);
        TransferChange::Added(self.rows.len() - 1)
    }

    /// The user cancelled it.
    pub(crate) fn cancel(&mut self, session: &SessionId) -> TransferChange {
        self.update(session, |t| {
            if t.is_running() {
                t.cancelled = true;
            }
        })
    }

    /// Forgets the transfers that are over; returns the indexes removed, last first.
    pub(crate) fn clear_finished(&mut self) -> Vec<usize> {
        let gone: Vec<usize> = (0..self.rows.len())
            .rev()
            .filter(|&i| !self.rows[i].is_running())
            .collect();
        for &index in &gone {
            self.rows.remove(index);
        }
        gone
    }

    /// Takes one phone event.
    pub(crate) fn apply(&mut self, event: &PhoneEvent) -> TransferChange {
        match event {
            PhoneEvent::FileProgress { session, progress } => self.update(session, |t| {
                t.progress = Some(*progress);
                t.size = Some(progress.total);
            }),
            PhoneEvent::FileTransferEnded { session, outcome } => self.update(session, |t| {
                if let FileOutcome::Saved(path) = outcome {
                    t.path = Some(path.clone());
                }
                t.outcome = Some(outcome.clone());
            }),
            PhoneEvent::CallState {
                session,
                state: CallState::Terminated(result),
            }
            | PhoneEvent::CallEnded {
                session, result, ..
            } => self.update(session, |t| {
                if t.outcome.is_none() && t.ended.is_none() {
                    t.ended = Some(*result);
                }
            }),
            _ => TransferChange::None,
        }
    }

    fn update(
        &mut self,
        session: &SessionId,
        change: impl FnOnce(&mut TransferView),
    ) -> TransferChange {
        match self.index(session) {
            Some(index) => {
                change(&mut self.rows[index]);
                TransferChange::Changed(index)
            }
            None => TransferChange::None,
        }
    }
}

#[cfg(test)]
mod tests {
    use wink_ports::SipUri;

    use super::*;

    fn id(raw: &str) -> SessionId {
        SessionId::new(raw).unwrap()
    }

    fn bob() -> Party {
        Party::new(
            &SipUri::parse("sip:bob@wink.test").unwrap(),
            Some("Bob".into()),
        )
    }

    fn progress(transferred: u64, total: u64, speed: u64, left: Option<u64>) -> PhoneEvent {
        PhoneEvent::FileProgress {
            session: id("f1"),
            progress: FileProgress {
                transferred,
                total,
                bytes_per_second: speed,
                seconds_left: left,
            },
        }
    }

    #[test]
    fn sizes_speeds_and_time_left_read_as_people_write_them() {
        assert_eq!(size_text(1), "1 byte");
        assert_eq!(size_text(999), "999 bytes");
        assert_eq!(size_text(1_500), "1.5 kB");
        assert_eq!(size_text(3_200_000), "3.2 MB");
        assert_eq!(size_text(999_999), "1.0 MB");
        assert_eq!(size_text(1_100_000_000), "1.1 GB");
        assert_eq!(time_left_text(3), "3 s left");
        assert_eq!(time_left_text(61), "2 min left");
        assert_eq!(time_left_text(3_900), "1 h 5 min left");
    }

    #[test]
    fn a_file_we_send_waits_then_moves_then_arrives() {
        let mut transfers = Transfers::default();
        let row = TransferView::outgoing(
            id("f1"),
            Path::new("/tmp/holiday.mkv"),
            bob(),
            Some(3_400_000),
        );
        assert_eq!(transfers.add(row), TransferChange::Added(0));
        let row = &transfers.rows()[0];
        assert_eq!(row.name, "holiday.mkv");
        assert_eq!(row.party_text(), "To Bob");
        assert_eq!(row.status_text(), "Waiting for Bob to accept…");
        assert!(row.is_running() && row.file().is_none());
        assert_eq!(
            transfers.apply(&progress(1_200_000, 3_400_000, 850_000, Some(3))),
            TransferChange::Changed(0)
        );
        let row = &transfers.rows()[0];
        assert_eq!(
            row.status_text(),
            "1.2 MB of 3.4 MB · 850.0 kB/s · 3 s left"
        );
        assert!((row.fraction() - 1.2 / 3.4).abs() < 1e-9);
        transfers.apply(&PhoneEvent::FileTransferEnded {
            session: id("f1"),
            outcome: FileOutcome::Sent,
        });
        // The session's end afterwards changes nothing.
        transfers.apply(&PhoneEvent::CallEnded {
            session: id("f1"),
            result: CallResult::Answered,
            duration_secs: 1,
        });
        let row = &transfers.rows()[0];
        assert_eq!(row.status_text(), "Sent: 3.4 MB arrived whole");
        assert_eq!(row.fraction(), 1.0);
        assert!(!row.is_running() && !row.failed());
        assert_eq!(row.file(), Some(Path::new("/tmp/holiday.mkv")));
    }

    #[test]
    fn a_received_file_says_where_it_was_saved_and_a_failure_says_why() {
        let mut transfers = Transfers::default();
        transfers.add(TransferView::incoming(
            id("f1"),
            "notes.txt",
            bob(),
            Some(12),
        ));
        assert_eq!(transfers.rows()[0].party_text(), "From Bob");
        assert_eq!(transfers.rows()[0].status_text(), "Starting…");
        transfers.apply(&PhoneEvent::FileTransferEnded {
            session: id("f1"),
            outcome: FileOutcome::Saved("/home/me/Downloads/notes.txt".into()),
        });
        let row = &transfers.rows()[0];
        assert_eq!(row.status_text(), "Saved to /home/me/Downloads/notes.txt");
        assert_eq!(row.file(), Some(Path::new("/home/me/Downloads/notes.txt")));
        assert_eq!(
            row.spoken(),
            "notes.txt, From Bob, Saved to /home/me/Downloads/notes.txt"
        );

        transfers.add(TransferView::incoming(id("f2"), "big.iso", bob(), None));
        transfers.apply(&PhoneEvent::FileTransferEnded {
            session: id("f2"),
            outcome: FileOutcome::Failed("the file arrived damaged (its SHA-1 differs)".into()),
        });
        let row = &transfers.rows()[1];
        assert!(row.failed() && row.file().is_none());
        assert_eq!(
            row.status_text(),
            "Failed: The file arrived damaged (its SHA-1 differs)."
        );
    }

    #[test]
    fn declined_cancelled_and_cut_transfers_say_so() {
        let mut transfers = Transfers::default();
        transfers.add(TransferView::outgoing(
            id("a"),
            Path::new("/tmp/a"),
            bob(),
            None,
        ));
        transfers.apply(&PhoneEvent::CallEnded {
            session: id("a"),
            result: CallResult::Rejected,
            duration_secs: 0,
        });
        assert_eq!(transfers.rows()[0].status_text(), "Bob declined the file");
        assert!(transfers.rows()[0].failed());

        transfers.add(TransferView::outgoing(
            id("b"),
            Path::new("/tmp/b"),
            bob(),
            None,
        ));
        assert_eq!(transfers.cancel(&id("b")), TransferChange::Changed(1));
        transfers.apply(&PhoneEvent::CallEnded {
            session: id("b"),
            result: CallResult::Cancelled,
            duration_secs: 0,
        });
        assert_eq!(transfers.rows()[1].status_text(), "Cancelled");
        assert!(!transfers.rows()[1].failed());

        transfers.add(TransferView::incoming(id("c"), "c", bob(), Some(10)));
        transfers.apply(&PhoneEvent::CallEnded {
            session: id("c"),
            result: CallResult::Answered,
            duration_secs: 3,
        });
        assert_eq!(
            transfers.rows()[2].status_text(),
            "Stopped before the whole file arrived"
        );
        assert_eq!(transfers.clear_finished(), vec![2, 1, 0]);
        assert!(transfers.rows().is_empty());
    }
}
