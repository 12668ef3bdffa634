//! MSRP, the Message Session Relay Protocol (RFC 4975), and its relays (RFC 4976): the
//! framing and the session as sans-IO state machines fed with `(now, input)`, in the style
//! of `quinn-proto`; a thin tokio driver moves the bytes.
//!
//! No maintained MSRP crate exists (STACK.md), so this one is ours.

pub mod connection;
pub mod decoder;
pub mod error;
pub mod frame;
pub mod ids;
pub mod incoming_file;
pub mod listener;
pub mod relay;
pub mod session;
pub mod streams;
pub mod uri;

pub use connection::{Connection, SessionHandle};
pub use decoder::{Decoded, Decoder};
pub use error::{FramingError, RelayError, UriError};
pub use frame::{ByteRange, Continuation, FailureReport, Frame, Head, Kind, Method};
pub use listener::{Expected, Listener};
pub use streams::{MsrpStreams, RelaySettings, StreamsConfig};
pub use uri::MsrpUri;
