//! Tone analysis for the self-test and the interop tests: is a known frequency present, in
//! how much of a recording, and where does it start.

/// The length of one analysis window, in ms.
pub const WINDOW_MS: u32 = 50;
/// A window this quiet (RMS) has no tone, whatever its shape.
const MIN_RMS: f64 = 100.0;
/// The share of a window's power that must sit at the frequency.
const MIN_SHARE: f64 = 0.5;

/// The power of `hz` in `samples` (Goertzel), scaled so that a pure sine of amplitude `A`
/// gives about `A²/2`, the same as its mean square.
pub fn power_at(samples: &[i16], rate: u32, hz: f32) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let coefficient = 2.0 * (2.0 * std::f64::consts::PI * f64::from(hz) / f64::from(rate)).cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &x in samples {
        let s0 = f64::from(x) + coefficient * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    let n = samples.len() as f64;
    2.0 * (s1 * s1 + s2 * s2 - coefficient * s1 * s2) / (n * n)
}

fn mean_square(samples: &[i16]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    samples.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / samples.len() as f64
}

/// Whether `hz` dominates this stretch of audio.
pub fn has_tone(samples: &[i16], rate: u32, hz: f32) -> bool {
    let total = mean_square(samples);
    total.sqrt() >= MIN_RMS && power_at(samples, rate, hz) >= MIN_SHARE * total
}

/// What a recording holds of one tone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TonePresence {
    /// Windows analysed.
    pub windows: usize,
    /// Windows where the tone dominates.
    pub with_tone: usize,
    /// Where the tone first appears, in ms from the start.
    pub first_ms: Option<u32>,
}

impl TonePresence {
    /// The share of windows with the tone, 0.0–1.0.
    pub fn share(&self) -> f32 {
        if self.windows == 0 {
            0.0
        } else {
            self.with_tone as f32 / self.windows as f32
        }
    }
}

/// Scans `samples` in 50 ms windows for `hz`.
pub fn tone_presence(samples: &[i16], rate: u32, hz: f32) -> TonePresence {
    let window = (rate * WINDOW_MS / 1000).max(1) as usize;
    let mut presence = TonePresence {
        windows: 0,
        with_tone: 0,
        first_ms: None,
    };
    for (i, chunk) in samples.chunks_exact(window).enumerate() {
        presence.windows += 1;
        if has_tone(chunk, rate, hz) {
            presence.with_tone += 1;
            presence.first_ms.get_or_insert(i as u32 * WINDOW_MS);
        }
    }
    presence
}

/// Where the tone starts (sample indices), scanning in 5 ms windows: each place where a
/// window has it and the one before did not.
pub fn tone_onsets(samples: &[i16], rate: u32, hz: f32) -> Vec<usize> {
    let window = (rate / 200).max(1) as usize;
    let mut onsets = Vec::new();
    let mut before = false;
    for (i, chunk) in samples.chunks_exact(window).enumerate() {
        let now = has_tone(chunk, rate, hz);
        if now && !before {
            onsets.push(i * window);
        }
        before = now;
    }
    onsets
}

/// A sine of `hz` at `amplitude`, `samples` long.
pub fn sine(rate: u32, hz: f32, amplitude: f32, samples: usize) -> Vec<i16> {
    (0..samples)
        .map(|i| {
            let phase = i as f64 * 2.0 * std::f64::consts::PI * f64::from(hz) / f64::from(rate);
            (phase.sin() * f64::from(amplitude)) as i16
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tone_is_found_where_it_is_and_only_there() {
        let mut audio = vec![0i16; 8000];
        audio.extend(sine(8000, 440.0, 8000.0, 16_000));
        let presence = tone_presence(&audio, 8000, 440.0);
        assert_eq!(presence.windows, 60);
        assert_eq!(presence.with_tone, 40);
        assert_eq!(presence.first_ms, Some(1000));
        assert_eq!(tone_presence(&audio, 8000, 1000.0).with_tone, 0);
        // Both tones mixed: neither dominates a window alone.
        let mixed: Vec<i16> = sine(8000, 440.0, 5000.0, 8000)
            .iter()
            .zip(sine(8000, 1000.0, 5000.0, 8000))
            .map(|(a, b)| a + b)
            .collect();
        assert_eq!(tone_presence(&mixed, 8000, 440.0).with_tone, 0);
    }

    #[test]
    fn onsets_are_found_within_a_window() {
        let mut audio = vec![0i16; 4000];
        audio.extend(sine(8000, 1000.0, 8000.0, 1600));
        audio.extend(vec![0i16; 2400]);
        audio.extend(sine(8000, 1000.0, 8000.0, 1600));
        let onsets = tone_onsets(&audio, 8000, 1000.0);
        assert_eq!(onsets.len(), 2, "{onsets:?}");
        assert!(
            onsets[0].abs_diff(4000) <= 40 && onsets[1].abs_diff(8000) <= 40,
            "{onsets:?}"
        );
    }
}
