//! Running one command. Interactive mode sits above this (it runs commands, one per line),
//! so `main` starts it and nothing here calls back into it.

mod account;
mod config;
mod contacts;
mod devices;
mod history;
mod network;
mod rewrite;
mod selftest;

use crate::cli::Command;
use crate::context::Context;

/// Runs a command against the loaded settings.
pub(crate) async fn run(context: &mut Context, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Account(command) => account::run(context, command).await,
        Command::Contacts(command) => contacts::run(context, command).await,
        Command::Rewrite { account, target } => rewrite::run(context, account.as_deref(), &target),
        Command::Config(command) => config::run(context, command).await,
        // `main` starts interactive mode; asked for again from within, it is refused.
        Command::Interactive => Err(anyhow::anyhow!("already in interactive mode")),
        Command::Devices { watch } => devices::run(watch).await,
        Command::History {
            missed,
            incoming,
            outgoing,
            with_remote,
            media,
            limit,
            search,
            format,
            action,
        } => {
            let direction = match (incoming, outgoing) {
                (true, _) => Some(wink_ports::CallDirection::Incoming),
                (_, true) => Some(wink_ports::CallDirection::Outgoing),
                _ => None,
            };
            let request = history::Request {
                filter: wink_ports::HistoryQuery {
                    direction,
                    missed_only: missed,
                    remote: with_remote,
                    media: media.map(history::media_kind),
                    since: None,
                    limit: Some(limit),
                },
                limit,
                search,
                format,
                action,
            };
            history::run(context, request).await
        }
        Command::Selftest {
            codec,
            srtp,
            seconds,
        } => selftest::run(context, codec, srtp, seconds).await,
        Command::Register(options) => network::register(context, &options).await,
        Command::Listen {
            network: options,
            duration,
            auto_answer,
            refuse,
            record,
            answering_machine,
            greeting,
            max_message,
        } => {
            if let Some(delay_secs) = answering_machine {
                let machine = &mut context.settings.answering_machine;
                machine.enabled = true;
                machine.delay_secs = delay_secs;
                if greeting.is_some() {
                    machine.greeting = greeting;
                }
                if let Some(limit) = max_message {
                    machine.max_message_secs = limit;
                }
            }
            let policy = match (auto_answer, refuse) {
                (true, _) => network::IncomingPolicy::Answer,
                (false, Some(refusal)) => network::IncomingPolicy::Refuse(refusal),
                (false, None) => network::IncomingPolicy::Ask,
            };
            network::listen(context, &options, duration, policy, record, false).await
        }
        Command::Call {
            network: options,
            target,
            hangup_after,
            hold_after,
            transfer_to,
            transfer_after,
            consult,
            consult_after,
            dtmf,
            conference_with,
            record,
        } => {
            let timing = network::CallTiming {
                hangup_after,
                hold_after,
                transfer: transfer_to.map(|to| (to, transfer_after)),
                consult: consult.map(|to| (to, consult_after)),
                dtmf,
                conference: conference_with,
                record,
            };
            network::call(context, &options, &target, timing).await
        }
        Command::Message {
            network: options,
            target,
            text,
        } => network::message(context, &options, &target, &text).await,
        Command::Chat {
            network: options,
            target,
        } => network::chat(context, &options, &target).await,
        Command::SendFile {
            network: options,
            target,
            path,
        } => network::send_file(context, &options, &target, &path).await,
        Command::AcceptFiles {
            network: options,
            dir,
            duration,
        } => {
            context.settings.downloads_dir = Some(dir);
            let policy = network::IncomingPolicy::Ask;
            network::listen(context, &options, duration, policy, false, true).await
        }
    }
}
