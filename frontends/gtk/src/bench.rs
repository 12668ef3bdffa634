//! Figures for `benches/gui.sh`, printed on stderr when `WINK_BENCH` is set (and only
//! then): when the main window was mapped, when the contacts were shown, and how long each
//! keystroke in the search bar took until the list was painted.

use std::sync::OnceLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use gtk::prelude::*;

/// Whether the figures are wanted.
pub(crate) fn enabled() -> bool {
    static ENABLED: OnceLock<bool> = OnceLock::new();
    *ENABLED.get_or_init(|| std::env::var_os("WINK_BENCH").is_some())
}

fn unix_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default()
}

/// Prints the wall-clock time of `event` (the script subtracts its own start time).
pub(crate) fn mark(event: &str) {
    if enabled() {
        eprintln!("wink-bench: {event} unix-ms {}", unix_ms());
    }
}

/// Measures one keystroke: `update` changes the list; the time until `window` has painted
/// the result is printed with the query's length and the number of rows.
pub(crate) fn keystroke(
    window: &impl IsA<gtk::Widget>,
    query_len: usize,
    update: impl FnOnce() -> u32,
) {
    if !enabled() {
        update();
        return;
    }
    let started = Instant::now();
    let rows = update();
    let model_us = started.elapsed().as_micros();
    let Some(clock) = window.frame_clock() else {
        return;
    };
    let handler = std::rc::Rc::new(std::cell::Cell::new(None));
    let id = clock.connect_after_paint({
        let handler = handler.clone();
        move |clock| {
            eprintln!(
                "wink-bench: keystroke len {query_len} rows {rows} model-us {model_us} painted-us {}",
                started.elapsed().as_micros()
            );
            if let Some(id) = handler.take() {
                clock.disconnect(id);
            }
        }
    });
    handler.set(Some(id));
    window.queue_draw();
}
