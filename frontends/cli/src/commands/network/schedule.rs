//! The scripted steps of `wink-cli call` (`--hangup-after`, `--dtmf`, `--transfer-to`, ...):
//! each due at a time, one timer for all of them.

use tokio::time::{Duration, Instant};

/// A step the console takes by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Hang up (every call, in a conference).
    HangUp,
    /// Send the `--dtmf` keys.
    SendDtmf,
    /// Blind transfer to `--transfer-to`.
    Transfer,
    /// Call the party to consult or to conference with.
    CallSecond,
    /// Connect the held call and the consulted one (attended transfer).
    CompleteTransfer,
    /// Put the call on hold.
    Hold,
}

/// Steps due at set times.
#[derive(Debug, Default)]
pub(crate) struct Schedule {
    due: Vec<(Instant, Step)>,
}

impl Schedule {
    /// Takes `step` `after` from now, instead of whenever it was due before.
    pub(crate) fn after(&mut self, after: Duration, step: Step) {
        self.due.retain(|(_, s)| *s != step);
        self.due.push((Instant::now() + after, step));
    }

    /// When the next step is due (far away when none is).
    pub(crate) fn next_due(&self) -> Instant {
        self.due
            .iter()
            .map(|(at, _)| *at)
            .min()
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(365 * 24 * 3600))
    }

    /// The step due soonest, if it is due by `now`; it is taken off the schedule.
    pub(crate) fn take_due(&mut self, now: Instant) -> Option<Step> {
        let (index, _) = self
            .due
            .iter()
            .enumerate()
            .filter(|(_, (at, _))| *at <= now)
            .min_by_key(|(_, (at, _))| *at)?;
        Some(self.due.remove(index).1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn steps_come_due_in_time_order_and_a_new_time_replaces_the_old() {
        let mut schedule = Schedule::default();
        assert!(schedule.next_due() > Instant::now() + Duration::from_secs(3600));
        schedule.after(Duration::from_secs(5), Step::HangUp);
        schedule.after(Duration::from_secs(1), Step::SendDtmf);
        schedule.after(Duration::from_secs(3), Step::CallSecond);
        schedule.after(Duration::from_secs(2), Step::CallSecond);
        assert_eq!(schedule.take_due(Instant::now()), None, "nothing due yet");
        tokio::time::sleep_until(schedule.next_due()).await;
        assert_eq!(schedule.take_due(Instant::now()), Some(Step::SendDtmf));
        tokio::time::advance(Duration::from_secs(10)).await;
        let now = Instant::now();
        assert_eq!(
            schedule.take_due(now),
            Some(Step::CallSecond),
            "moved to 2 s"
        );
        assert_eq!(schedule.take_due(now), Some(Step::HangUp));
        assert_eq!(schedule.take_due(now), None, "each step once");
    }
}
