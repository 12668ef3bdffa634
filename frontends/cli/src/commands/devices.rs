//! `devices`: the audio devices and their ids; hot-plug events with `--watch`.

use std::time::Duration;

use futures_util::StreamExt as _;
use wink_config::DeviceListing;
use wink_ports::{DeviceDirection, DeviceEvent};

fn direction(direction: DeviceDirection) -> &'static str {
    match direction {
        DeviceDirection::Input => "input ",
        DeviceDirection::Output => "output",
    }
}

pub(super) async fn run(watch: Option<u64>) -> anyhow::Result<()> {
    let audio = wink_config::audio_devices();
    // Subscribed before listing, so nothing plugged in meanwhile goes unseen.
    let events = watch.map(|_| audio.events());
    let listing = DeviceListing::read(audio.as_ref()).await?;
    for device in [&listing.default_input, &listing.default_output]
        .into_iter()
        .flatten()
    {
        println!(
            "default {}  {}  ({})",
            direction(device.direction),
            device.id,
            device.name
        );
    }
    for device in &listing.devices {
        println!(
            "{}  {}  ({})",
            direction(device.direction),
            device.id,
            device.name
        );
    }
    if let (Some(seconds), Some(mut events)) = (watch, events) {
        let deadline = tokio::time::sleep(Duration::from_secs(seconds));
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                event = events.next() => match event {
                    Some(DeviceEvent::Added(d)) => println!("plugged in: {} {} ({})", direction(d.direction), d.id, d.name),
                    Some(DeviceEvent::Removed(d)) => println!("unplugged: {} {} ({})", direction(d.direction), d.id, d.name),
                    None => break,
                },
                () = &mut deadline => break,
            }
        }
    }
    Ok(())
}
