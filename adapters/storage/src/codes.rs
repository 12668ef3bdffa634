//! How enums are written in the database: short stable names, read back strictly.

use sea_orm::DbErr;
use wink_ports::{CallDirection, MediaKind};

/// A stored value we do not know (a newer Wink wrote it, or the file was edited).
pub(crate) fn bad_row(what: &str, value: &str) -> DbErr {
    DbErr::Custom(format!("a stored {what} is not one we know: {value:?}"))
}

/// Any other error as a database error.
pub(crate) fn query_error(error: impl std::fmt::Display) -> DbErr {
    DbErr::Custom(error.to_string())
}

/// Text as the database can hold it: PostgreSQL refuses a NUL in text (a SIP display name
/// or a message body can carry one), so there it is kept as "␀" (U+2400) rather than
/// losing the record; SQLite keeps it as it came.
pub(crate) fn stored_text(backend: sea_orm::DbBackend, text: &str) -> std::borrow::Cow<'_, str> {
    if backend == sea_orm::DbBackend::Postgres && text.contains('\0') {
        text.replace('\0', "\u{2400}").into()
    } else {
        text.into()
    }
}

/// A direction's stored name.
pub(crate) fn direction_name(direction: CallDirection) -> &'static str {
    match direction {
        CallDirection::Outgoing => "outgoing",
        CallDirection::Incoming => "incoming",
    }
}

/// A direction from its stored name.
pub(crate) fn direction_from(name: &str) -> Result<CallDirection, DbErr> {
    match name {
        "outgoing" => Ok(CallDirection::Outgoing),
        "incoming" => Ok(CallDirection::Incoming),
        other => Err(bad_row("direction", other)),
    }
}

/// A media kind's stored name.
pub(crate) fn media_name(media: MediaKind) -> &'static str {
    match media {
        MediaKind::Audio => "audio",
        MediaKind::Chat => "chat",
        MediaKind::FileTransfer => "file-transfer",
        MediaKind::ScreenSharing => "screen-sharing",
        MediaKind::Sms => "sms",
    }
}

/// Every media kind.
pub(crate) const MEDIA: [MediaKind; 5] = [
    MediaKind::Audio,
    MediaKind::Chat,
    MediaKind::FileTransfer,
    MediaKind::ScreenSharing,
    MediaKind::Sms,
];

/// A media kind from its stored name.
pub(crate) fn media_from(name: &str) -> Result<MediaKind, DbErr> {
    MEDIA
        .into_iter()
        .find(|m| media_name(*m) == name)
        .ok_or_else(|| bad_row("media kind", name))
}
