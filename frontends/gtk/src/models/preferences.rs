//! The Preferences window's switches: what each one reads from and writes to the
//! settings, and what the running phone must be told when it changes.

use wink_config::Settings;
use wink_domain::Command;

/// A setting the Preferences window switches on and off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PreferenceSwitch {
    /// The Favorites group, first in the contact list.
    Favorites,
    /// The Missed Calls group.
    MissedCalls,
    /// The answering machine.
    AnsweringMachine,
}

impl PreferenceSwitch {
    /// Every switch, in the window's order.
    pub(crate) const ALL: [PreferenceSwitch; 3] = [
        PreferenceSwitch::Favorites,
        PreferenceSwitch::MissedCalls,
        PreferenceSwitch::AnsweringMachine,
    ];

    /// Whether it is on in `settings`.
    pub(crate) fn read(self, settings: &Settings) -> bool {
        match self {
            PreferenceSwitch::Favorites => settings.special_groups.favorites,
            PreferenceSwitch::MissedCalls => settings.special_groups.missed_calls,
            PreferenceSwitch::AnsweringMachine => settings.answering_machine.enabled,
        }
    }

    /// Turns it on or off in `settings`.
    pub(crate) fn write(self, settings: &mut Settings, on: bool) {
        match self {
            PreferenceSwitch::Favorites => settings.special_groups.favorites = on,
            PreferenceSwitch::MissedCalls => settings.special_groups.missed_calls = on,
            PreferenceSwitch::AnsweringMachine => settings.answering_machine.enabled = on,
        }
    }

    /// What the running phone must be told (`None`: only the window changes).
    pub(crate) fn command(self, on: bool) -> Option<Command> {
        match self {
            PreferenceSwitch::AnsweringMachine => Some(Command::SetAnsweringMachine(on)),
            PreferenceSwitch::Favorites | PreferenceSwitch::MissedCalls => None,
        }
    }

    /// Whether the contact list shows it (its special groups).
    pub(crate) fn shapes_the_contact_list(self) -> bool {
        matches!(
            self,
            PreferenceSwitch::Favorites | PreferenceSwitch::MissedCalls
        )
    }

    /// The row's title (also the switch's accessible name).
    pub(crate) fn title(self) -> &'static str {
        match self {
            PreferenceSwitch::Favorites => "Favorites group",
            PreferenceSwitch::MissedCalls => "Missed Calls group",
            PreferenceSwitch::AnsweringMachine => "Answering machine",
        }
    }

    /// The row's subtitle: what it does, with the settings' figures.
    pub(crate) fn explanation(self, settings: &Settings) -> String {
        match self {
            PreferenceSwitch::Favorites => {
                "Favorite contacts in a group of their own, first".into()
            }
            PreferenceSwitch::MissedCalls => {
                "The last ten callers you missed, newest first; a double click calls back".into()
            }
            PreferenceSwitch::AnsweringMachine => format!(
                "Answers a call you have not taken after {} seconds and records a message of \
                 up to {} seconds",
                settings.answering_machine.delay_secs, settings.answering_machine.max_message_secs
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_switch_writes_what_it_reads() {
        for switch in PreferenceSwitch::ALL {
            let mut settings = Settings::default();
            for on in [true, false, true] {
                switch.write(&mut settings, on);
                assert_eq!(switch.read(&settings), on, "{switch:?}");
            }
            let others: Vec<bool> = PreferenceSwitch::ALL
                .into_iter()
                .filter(|other| *other != switch)
                .map(|other| other.read(&settings) == other.read(&Settings::default()))
                .collect();
            assert!(
                others.iter().all(|same| *same),
                "{switch:?} touched another setting"
            );
        }
    }

    #[test]
    fn only_the_answering_machine_goes_to_the_phone() {
        assert_eq!(
            PreferenceSwitch::AnsweringMachine.command(true),
            Some(Command::SetAnsweringMachine(true))
        );
        assert_eq!(PreferenceSwitch::Favorites.command(false), None);
        assert!(PreferenceSwitch::MissedCalls.shapes_the_contact_list());
        assert!(!PreferenceSwitch::AnsweringMachine.shapes_the_contact_list());
    }

    #[test]
    fn the_answering_machine_says_its_delay() {
        let mut settings = Settings::default();
        settings.answering_machine.delay_secs = 25;
        assert!(
            PreferenceSwitch::AnsweringMachine
                .explanation(&settings)
                .contains("after 25 seconds")
        );
    }
}
