//! The crate's errors.

use thiserror::Error;

/// What is wrong with an MSRP URI.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum UriError {
    /// No `scheme://`.
    #[error("not an MSRP URI (no msrp:// or msrps://)")]
    NoScheme,
    /// A scheme other than `msrp` and `msrps`.
    #[error("unknown URI scheme {0:?} (only msrp and msrps)")]
    UnknownScheme(String),
    /// No `;tcp` (or other transport) after the address.
    #[error("no transport parameter (;tcp)")]
    NoTransport,
    /// The host is neither a name nor an IP address.
    #[error("bad host")]
    BadHost,
    /// The port is not a number below 65536.
    #[error("bad port")]
    BadPort,
    /// The session id holds a character it may not.
    #[error("bad session id")]
    BadSessionId,
    /// A path with no URI in it.
    #[error("empty path")]
    EmptyPath,
}

/// Why a stream of bytes cannot be read as MSRP any further: the connection is closed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum FramingError {
    /// The first line is not `MSRP <transaction> <method or status>`.
    #[error("not an MSRP start line: {0:?}")]
    BadStartLine(String),
    /// The start line or the headers run past the limit without ending.
    #[error("the headers of a frame exceed {0} bytes")]
    HeadersTooLong(usize),
}

/// Why authenticating to an MSRP relay failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum RelayError {
    /// The relay refused (401 twice: the user name or password is wrong).
    #[error("the relay refused: {code} {reason}")]
    Refused {
        /// Its status.
        code: u16,
        /// In words.
        reason: String,
    },
    /// The relay did not answer in time.
    #[error("the relay did not answer")]
    NoAnswer,
    /// The relay's bytes are not MSRP.
    #[error("the relay's answer is not MSRP: {0}")]
    Garbled(String),
    /// The connection failed.
    #[error("the connection to the relay failed: {0}")]
    Io(#[source] std::io::Error),
}
