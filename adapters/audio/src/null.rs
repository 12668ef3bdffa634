//! The null device: silence as the microphone, a speaker that plays nothing.

use wink_ports::{AudioInput, AudioOutput, DeviceError};

use crate::FILE_OUTPUT_RATE;

/// A microphone that hears nothing.
#[derive(Debug, Default)]
pub struct NullInput;

impl AudioInput for NullInput {
    fn sample_rate(&self) -> u32 {
        FILE_OUTPUT_RATE
    }

    fn read(&mut self, frame: &mut [i16]) -> usize {
        frame.fill(0);
        0
    }
}

/// A speaker that drops what it gets.
#[derive(Debug, Default)]
pub struct NullOutput;

impl AudioOutput for NullOutput {
    fn sample_rate(&self) -> u32 {
        FILE_OUTPUT_RATE
    }

    fn write(&mut self, _samples: &[i16]) -> Result<(), DeviceError> {
        Ok(())
    }
}
