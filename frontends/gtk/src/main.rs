//! `wink`: the desktop app. Everything a person does with Wink starts here: the window,
//! the first-start Add Account dialog, calls, contacts.
//!
//! The app is a thin GTK 4 + libadwaita layer over the same `Phone` service and composition
//! root (`wink-config`) as `wink-cli`. Widgets bind to view-models (`models/`) whose logic
//! is plain Rust, tested without a display; the core runs on one tokio runtime
//! (`runtime.rs`) and its events reach the GLib main loop through a channel.

mod a11y;
mod actions;
mod application;
mod bench;
mod core;
mod models;
mod runtime;
mod screenshot;
mod sentence;
mod widgets;

use std::process::ExitCode;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("WINK_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    if std::env::var_os("WAYLAND_DISPLAY").is_none() && std::env::var_os("DISPLAY").is_none() {
        eprintln!(
            "wink: there is no graphical display (neither WAYLAND_DISPLAY nor DISPLAY is set). \
             Wink's desktop app needs one; on a terminal or a server use wink-cli, which does \
             the same calls, messages and accounts from the command line."
        );
        return ExitCode::from(2);
    }
    if let Err(error) = gtk::init() {
        eprintln!(
            "wink: the graphical display cannot be opened ({error}); on a terminal or a \
             server use wink-cli instead."
        );
        return ExitCode::from(2);
    }
    let code = application::WinkApplication::run_app();
    ExitCode::from(code.get())
}
