//! `wink-sip`: the [`SignalingPort`](wink_ports::SignalingPort) adapter.
//!
//! Layers, inner to outer (see `docs/sip.md`):
//! - [`message`]: SIP messages — parsing with precise errors (so a malformed request gets a
//!   400 whose reason phrase says what is wrong), typed views of the headers we use,
//!   printing, and stream framing by Content-Length with a size limit.
//! - [`digest`]: HTTP digest authentication (RFC 7616/8760): MD5 and SHA-256, `qop=auth`,
//!   8-hex-digit nonce counts, stale nonces.
//! - [`transaction`]: the RFC 3261 §17 transaction layer as sans-IO state machines fed with
//!   `(now, input)`, returning what to send and when to wake (timers A–K), tested with a
//!   virtual clock.
//!
//! No module here reads a clock or touches a socket; the tokio driver does.
#![warn(missing_docs)]

pub mod agent;
pub mod dialog;
pub use wink_digest as digest;
pub mod dns;
pub mod endpoint;
pub mod ids;
mod local_address;
pub mod message;
pub mod registration;
pub mod streams;
pub mod transaction;

/// The methods we accept, for `Allow` headers and 501 responses.
pub const ALLOW: &str = "INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, REFER, NOTIFY, INFO, UPDATE";
