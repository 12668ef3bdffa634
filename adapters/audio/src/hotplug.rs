//! Hot-plug: the list of sound cards, compared every few seconds on a thread of its own;
//! what appeared or went away becomes a [`DeviceEvent`].

use std::time::Duration;

use tokio::sync::mpsc;
use wink_ports::{AudioDevice, DeviceEvent, EventStream};

/// What changed between two lists.
pub(crate) fn changes(before: &[AudioDevice], after: &[AudioDevice]) -> Vec<DeviceEvent> {
    let added = after
        .iter()
        .filter(|d| !before.contains(d))
        .cloned()
        .map(DeviceEvent::Added);
    let removed = before
        .iter()
        .filter(|d| !after.contains(d))
        .cloned()
        .map(DeviceEvent::Removed);
    added.chain(removed).collect()
}

/// Starts watching; the thread ends when the stream is dropped.
pub(crate) fn watch(every: Duration) -> EventStream<DeviceEvent> {
    let (sender, mut receiver) = mpsc::unbounded_channel();
    let spawned = std::thread::Builder::new()
        .name("wink-audio-hotplug".into())
        .spawn(move || {
            let mut known = crate::card::list().unwrap_or_default();
            loop {
                std::thread::sleep(every);
                if sender.is_closed() {
                    return;
                }
                let Ok(now) = crate::card::list() else {
                    continue;
                };
                for event in changes(&known, &now) {
                    if sender.send(event).is_err() {
                        return;
                    }
                }
                known = now;
            }
        });
    if let Err(error) = spawned {
        tracing::warn!(target: "audio", %error, "no hot-plug watcher");
    }
    Box::pin(futures_util::stream::poll_fn(move |cx| {
        receiver.poll_recv(cx)
    }))
}

#[cfg(test)]
mod tests {
    use wink_ports::DeviceDirection;

    use super::*;

    fn device(id: &str) -> AudioDevice {
        AudioDevice {
            id: id.into(),
            name: id.into(),
            direction: DeviceDirection::Output,
        }
    }

    #[test]
    fn a_new_headset_is_added_and_an_unplugged_one_removed() {
        let before = [device("alsa:hw:0"), device("alsa:hw:1")];
        let after = [device("alsa:hw:0"), device("alsa:hw:2")];
        assert_eq!(
            changes(&before, &after),
            [
                DeviceEvent::Added(device("alsa:hw:2")),
                DeviceEvent::Removed(device("alsa:hw:1"))
            ]
        );
    }
}
