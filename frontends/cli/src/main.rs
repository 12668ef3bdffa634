//! `wink-cli`: Wink's command-line user agent.
//!
//! One-shot commands (`account add`, `contacts list`, `rewrite`, ...) and an interactive
//! mode that reads the same commands line by line. It reaches the core only through
//! `wink-config` (settings, composition root, audio devices) and `wink-domain`, never an
//! adapter (`scripts/check-architecture.sh` holds it to that). Modules depend one way:
//! `main` → `interactive` → `commands` → `context`, `cli`.

mod cli;
mod commands;
mod context;
mod interactive;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::context::Context;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let default_filter = if cli.trace {
        "error,sip=debug"
    } else {
        "error"
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("WINK_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter)),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let mut context = match Context::load() {
        Ok(context) => context,
        Err(error) => {
            eprintln!("error: {error:#}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(error) = context.move_contacts_into_store().await {
        eprintln!("warning: the contacts stay in the settings file for now: {error:#}");
    }
    let outcome = match cli.command {
        Command::Interactive => interactive::run(&mut context).await,
        command => commands::run(&mut context, command).await,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
