//! The [`MediaPort`](wink_ports::MediaPort) adapter: the audio of calls.
//!
//! Sans-IO parts (offer/answer, jitter buffer, DTMF, statistics) are plain structs tested
//! in virtual time; [`engine`] is the thin tokio driver that moves packets and frames.

pub mod analysis;
pub mod codec;
pub mod conference;
pub mod control;
mod devices;
mod driver;
pub mod dtmf;
pub mod engine;
pub mod jitter;
pub mod negotiate;
pub mod pipeline;
pub mod processing;
pub mod reception;
pub mod recorder;
pub mod resample;
pub mod sdes;
pub mod srtp;
pub mod transcode;

pub use codec::CodecKind;
pub use engine::{MediaConfig, MediaEngine};
pub use negotiate::{MediaProfile, SrtpPolicy};
