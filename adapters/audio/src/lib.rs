//! The [`AudioDevices`](wink_ports::AudioDevices) adapter.
//!
//! Device ids, as stored in settings and given on the command line:
//! - `file:IN.wav` as an input plays a WAV file as the microphone (then silence);
//!   `file:OUT.wav` as an output writes what the call hears to a WAV file;
//! - `null`: silence in, nothing out;
//! - anything else names a sound card (`cpal`: its id such as `alsa:default`, or its
//!   name), `None` the system default.
//!
//! File and null devices have no clock: the media adapter pulls and pushes one 20 ms
//! frame per tick, so they run at call pace and calls run headless.

mod card;
mod file;
mod hotplug;
mod null;
pub mod probe;
mod ringer;
mod system;

pub use card::{CardInput, CardOutput};
pub use file::{WavFileInput, WavFileOutput};
pub use null::{NullInput, NullOutput};
pub use ringer::{RingTone, Ringer};
pub use system::SystemAudio;

/// The rate file and null outputs are written at: the rate of Opus and of most sound cards.
pub const FILE_OUTPUT_RATE: u32 = 48_000;
