//! Plain records that the storage port keeps: history, chat messages, contacts, groups.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::{AccountId, ContactId, GroupId, MessageId, SessionId, UnixMillis};

/// A kind of media in a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum MediaKind {
    /// An audio call.
    #[default]
    Audio,
    /// A chat session (MSRP).
    Chat,
    /// A file transfer.
    FileTransfer,
    /// Screen sharing.
    ScreenSharing,
    /// Short messages (SIP MESSAGE).
    Sms,
}

/// Who started a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallDirection {
    /// We called.
    Outgoing,
    /// They called.
    Incoming,
}

/// How a session ended, as history shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallResult {
    /// The call was answered (here, or by the remote party for outgoing calls).
    Answered,
    /// An incoming call nobody here answered.
    Missed,
    /// An incoming call that another device of ours answered (CANCEL with `Reason`).
    AnsweredElsewhere,
    /// Declined: 603 (sent by us for incoming, received for outgoing).
    Rejected,
    /// Busy: 486 (sent by us for incoming, received for outgoing).
    Busy,
    /// We cancelled an outgoing call before it was answered.
    Cancelled,
    /// The call failed (any other error).
    Failed,
}

impl CallResult {
    /// Whether this result counts towards the missed-call count.
    pub fn is_missed(self) -> bool {
        self == CallResult::Missed
    }
}

/// One entry of call history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryRecord {
    /// The session it records.
    pub session: SessionId,
    /// The account used.
    pub account: AccountId,
    /// Who started it.
    pub direction: CallDirection,
    /// The remote party's address (`user@host`).
    pub remote: String,
    /// The remote party's display name, if known.
    pub remote_display: Option<String>,
    /// The media the session carried.
    pub media: Vec<MediaKind>,
    /// When it started.
    pub started_at: UnixMillis,
    /// When it was answered, if it was.
    pub answered_at: Option<UnixMillis>,
    /// When it ended.
    pub ended_at: UnixMillis,
    /// How it ended.
    pub result: CallResult,
    /// A recording of the call, if one was made.
    pub recording: Option<PathBuf>,
}

impl HistoryRecord {
    /// How long the call was connected, in whole seconds (0 if never answered).
    pub fn duration_secs(&self) -> u64 {
        self.answered_at
            .map(|answered| self.ended_at.millis_since(answered) / 1000)
            .unwrap_or(0)
    }
}

/// A filter on call history; `Default` means everything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HistoryQuery {
    /// Only this direction.
    pub direction: Option<CallDirection>,
    /// Only missed calls.
    pub missed_only: bool,
    /// Only calls with this remote address.
    pub remote: Option<String>,
    /// Only sessions that used this media (a chat, a file transfer, ...).
    pub media: Option<MediaKind>,
    /// Only entries started at or after this time.
    pub since: Option<UnixMillis>,
    /// At most this many entries, newest first (`None`: all).
    pub limit: Option<usize>,
}

/// Where a message we wrote is on its way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeliveryState {
    /// Waiting for the session to be established, or to be sent.
    Queued,
    /// Sent; no delivery report yet.
    Sent,
    /// The remote side confirmed delivery.
    Delivered,
    /// Sending failed; kept to be resent.
    Failed,
    /// A message we received.
    Received,
}

/// One chat or short message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessageRecord {
    /// Its id.
    pub id: MessageId,
    /// The account it belongs to.
    pub account: AccountId,
    /// The remote party's address.
    pub remote: String,
    /// Who wrote it.
    pub direction: CallDirection,
    /// MIME type of the body, e.g. `text/plain`.
    pub content_type: String,
    /// The text.
    pub body: String,
    /// When it was written or received.
    pub at: UnixMillis,
    /// Delivery state.
    pub state: DeliveryState,
}

/// A contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactRecord {
    /// Its id.
    pub id: ContactId,
    /// The name shown.
    pub name: String,
    /// SIP addresses (`user@domain`), the first is the default.
    #[serde(default)]
    pub sip_addresses: Vec<String>,
    /// Telephone numbers.
    #[serde(default)]
    pub phone_numbers: Vec<String>,
    /// Chat aliases (nicknames).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// What a double click starts.
    #[serde(default)]
    pub preferred_media: MediaKind,
    /// A picture.
    #[serde(default)]
    pub icon: Option<PathBuf>,
    /// The group it belongs to.
    pub group: GroupId,
    /// Its place within the group.
    #[serde(default)]
    pub position: u32,
    /// Whether it is a favorite.
    #[serde(default)]
    pub favorite: bool,
}

/// A group of contacts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRecord {
    /// Its id.
    pub id: GroupId,
    /// The name shown.
    pub name: String,
    /// Its place in the list.
    pub position: u32,
    /// Whether it is shown collapsed.
    #[serde(default)]
    pub collapsed: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_counts_from_answer() {
        let record = HistoryRecord {
            session: SessionId::new("s").unwrap(),
            account: AccountId::new("a@b").unwrap(),
            direction: CallDirection::Outgoing,
            remote: "bob@b".into(),
            remote_display: None,
            media: vec![MediaKind::Audio],
            started_at: UnixMillis(1_000),
            answered_at: Some(UnixMillis(5_000)),
            ended_at: UnixMillis(65_999),
            result: CallResult::Answered,
            recording: None,
        };
        assert_eq!(record.duration_secs(), 60);
        let unanswered = HistoryRecord {
            answered_at: None,
            ..record
        };
        assert_eq!(unanswered.duration_secs(), 0);
    }
}
