//! Is-composing in a chat tab (RFC 3994), both ways, as plain state driven by the time the
//! caller passes in (no clock, no timer here: the chat window runs one GLib timeout at the
//! earliest [`OurTyping::deadline`] or [`TheirTyping::deadline`]).
//!
//! Ours: the first keystroke says *typing*; while keystrokes go on it is said again at
//! most every [`RENEW_AFTER`] (before the other side lets it lapse at
//! [`wink_domain::composing::REFRESH_SECS`]); *stopped* goes [`IDLE_AFTER`] after the last
//! keystroke, when the entry is emptied, or right after a line is sent. Theirs: shown from
//! their *typing* until their *stopped*, a line from them, or [`THEIR_LAPSE`] without a
//! new *typing*.

use std::time::{Duration, Instant};

/// How long after the last keystroke we say we stopped.
pub(crate) const IDLE_AFTER: Duration = Duration::from_secs(10);

/// How often at most *typing* is said again while the user keeps typing: ten seconds
/// before the state we sent lapses on the other side.
pub(crate) const RENEW_AFTER: Duration =
    Duration::from_secs(wink_domain::composing::REFRESH_SECS as u64 - 10);

/// How long their *typing* holds without another.
pub(crate) const THEIR_LAPSE: Duration = Duration::from_secs(120);

/// What we have told the other side about our typing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct OurTyping {
    /// When *typing* was last said; `None`: stopped (or never said).
    said_at: Option<Instant>,
    /// The last keystroke while typing.
    last_key: Option<Instant>,
}

impl OurTyping {
    /// Whether the other side was last told we are typing.
    #[cfg(test)]
    pub(crate) fn active(&self) -> bool {
        self.said_at.is_some()
    }

    /// What is typed changed at `now` (`empty`: the entry is empty now). Returns the state
    /// to tell the other side, if any.
    pub(crate) fn keystroke(&mut self, now: Instant, empty: bool) -> Option<bool> {
        if empty {
            return self.stop();
        }
        self.last_key = Some(now);
        match self.said_at {
            Some(said) if now.saturating_duration_since(said) < RENEW_AFTER => None,
            _ => {
                self.said_at = Some(now);
                Some(true)
            }
        }
    }

    /// A line was sent: *stopped*, if *typing* was said.
    pub(crate) fn line_sent(&mut self) -> Option<bool> {
        self.stop()
    }

    /// The time is `now`: *stopped* once no key came for [`IDLE_AFTER`].
    pub(crate) fn tick(&mut self, now: Instant) -> Option<bool> {
        match self.deadline() {
            Some(due) if now >= due => self.stop(),
            _ => None,
        }
    }

    /// When [`Self::tick`] has something to say.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.said_at?;
        self.last_key.map(|key| key + IDLE_AFTER)
    }

    /// The chat ended (or is not connected): nothing to tell, nothing to wait for.
    pub(crate) fn forget(&mut self) {
        *self = Self::default();
    }

    fn stop(&mut self) -> Option<bool> {
        self.last_key = None;
        self.said_at.take().map(|_| false)
    }
}

/// Whether the other side is typing, as they said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TheirTyping {
    /// Their last *typing*.
    since: Option<Instant>,
}

impl TheirTyping {
    /// Whether to show them typing.
    pub(crate) fn active(&self) -> bool {
        self.since.is_some()
    }

    /// They said typing (`active`) or stopped, at `now`. Returns whether what is shown
    /// changes.
    pub(crate) fn said(&mut self, now: Instant, active: bool) -> bool {
        let was = self.active();
        self.since = active.then_some(now);
        was != active
    }

    /// A line from them: they stopped. Returns whether what is shown changes.
    pub(crate) fn line_arrived(&mut self) -> bool {
        self.since.take().is_some()
    }

    /// The time is `now`: their state lapses [`THEIR_LAPSE`] after the last one. Returns
    /// whether what is shown changes.
    pub(crate) fn tick(&mut self, now: Instant) -> bool {
        match self.deadline() {
            Some(due) if now >= due => self.line_arrived(),
            _ => false,
        }
    }

    /// When [`Self::tick`] has something to do.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.since.map(|since| since + THEIR_LAPSE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn the_first_keystroke_says_typing_and_the_next_ones_do_not_until_fifty_seconds() {
        let start = Instant::now();
        let mut ours = OurTyping::default();
        assert_eq!(ours.keystroke(start, false), Some(true));
        // A key every five seconds: said again at 50 s, not before.
        let mut said = vec![];
        for n in 1..=12 {
            let now = start + secs(5 * n);
            if let Some(state) = ours.keystroke(now, false) {
                said.push((5 * n, state));
            }
            assert_eq!(ours.tick(now), None, "still typing at {} s", 5 * n);
        }
        assert_eq!(said, [(50, true)]);
        assert_eq!(RENEW_AFTER, secs(50));
    }

    #[test]
    fn stopped_goes_ten_seconds_after_the_last_keystroke_and_once() {
        let start = Instant::now();
        let mut ours = OurTyping::default();
        assert_eq!(ours.deadline(), None);
        ours.keystroke(start, false);
        ours.keystroke(start + secs(3), false);
        assert_eq!(ours.deadline(), Some(start + secs(13)));
        assert_eq!(ours.tick(start + secs(12)), None);
        assert_eq!(ours.tick(start + secs(13)), Some(false));
        assert!(!ours.active());
        assert_eq!(ours.tick(start + secs(30)), None);
        assert_eq!(ours.deadline(), None);
        // Typing again says typing again at once.
        assert_eq!(ours.keystroke(start + secs(31), false), Some(true));
    }

    #[test]
    fn emptying_the_entry_or_sending_the_line_says_stopped_once() {
        let start = Instant::now();
        let mut ours = OurTyping::default();
        // Emptying an entry we never said we typed in says nothing.
        assert_eq!(ours.keystroke(start, true), None);
        ours.keystroke(start, false);
        assert_eq!(ours.keystroke(start + secs(1), true), Some(false));
        assert_eq!(ours.keystroke(start + secs(1), true), None);
        ours.keystroke(start + secs(2), false);
        assert_eq!(ours.line_sent(), Some(false));
        // The entry cleared after the line: nothing more.
        assert_eq!(ours.keystroke(start + secs(2), true), None);
        assert_eq!(ours.line_sent(), None);
        assert_eq!(ours.deadline(), None);
    }

    #[test]
    fn a_forgotten_state_says_nothing_afterwards() {
        let start = Instant::now();
        let mut ours = OurTyping::default();
        ours.keystroke(start, false);
        ours.forget();
        assert!(!ours.active());
        assert_eq!(ours.tick(start + secs(60)), None);
        assert_eq!(ours.keystroke(start + secs(61), false), Some(true));
    }

    #[test]
    fn theirs_shows_until_they_stop_write_a_line_or_two_minutes_pass() {
        let start = Instant::now();
        let mut theirs = TheirTyping::default();
        assert!(theirs.said(start, true));
        assert!(theirs.active());
        // Said again: shown already, the lapse starts over.
        assert!(!theirs.said(start + secs(100), true));
        assert!(!theirs.tick(start + secs(219)));
        assert!(theirs.tick(start + secs(220)));
        assert!(!theirs.active());
        assert_eq!(theirs.deadline(), None);

        theirs.said(start, true);
        assert!(theirs.said(start + secs(1), false));
        assert!(!theirs.said(start + secs(2), false));

        theirs.said(start, true);
        assert!(theirs.line_arrived());
        assert!(!theirs.line_arrived());
    }
}
