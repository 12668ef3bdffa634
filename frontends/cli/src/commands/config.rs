//! `config path|audio|dns-servers|secrets|storage`.

use wink_config::SecretBackend;

use crate::cli::{ConfigCommand, SecretsChoice};
use crate::context::Context;

pub(super) async fn run(context: &mut Context, command: ConfigCommand) -> anyhow::Result<()> {
    match command {
        ConfigCommand::Path => println!("{}", context.file.path().display()),
        ConfigCommand::Audio {
            input,
            output,
            echo_cancellation,
            noise_suppression,
        } => {
            let on = |switch: crate::cli::Switch| switch == crate::cli::Switch::On;
            if let Some(switch) = echo_cancellation {
                context.settings.audio.echo_cancellation = on(switch);
            }
            if let Some(switch) = noise_suppression {
                context.settings.audio.noise_suppression = on(switch);
            }
            let choose = |value: String| (value != "default").then_some(value);
            if let Some(input) = input {
                context.settings.audio.input_device = choose(input);
            }
            if let Some(output) = output {
                context.settings.audio.output_device = choose(output);
            }
            context.save()?;
            let shown =
                |d: &Option<String>| d.clone().unwrap_or_else(|| "the system default".into());
            let state = |on: bool| if on { "on" } else { "off" };
            println!(
                "microphone: {}; speaker: {}; echo cancellation {}, noise suppression {}",
                shown(&context.settings.audio.input_device),
                shown(&context.settings.audio.output_device),
                state(context.settings.audio.echo_cancellation),
                state(context.settings.audio.noise_suppression)
            );
        }
        ConfigCommand::DnsServers { servers } => {
            context.settings.dns_servers = servers;
            context.save()?;
            if context.settings.dns_servers.is_empty() {
                println!("SIP servers are found with the system's DNS");
            } else {
                let list: Vec<String> = context
                    .settings
                    .dns_servers
                    .iter()
                    .map(ToString::to_string)
                    .collect();
                println!("SIP servers are found with DNS at {}", list.join(", "));
            }
        }
        ConfigCommand::Storage { url, default } => {
            use anyhow::Context as _;
            let before = context.settings.storage_url.clone();
            let url = if default { None } else { url };
            // Opened now: a URL that does not work is refused here, not at the next call.
            wink_config::set_store_url(&mut context.settings, &context.paths, url.as_deref())
                .await
                .context("the store setting was not changed")?;
            context.save()?;
            match &context.settings.storage_url {
                Some(url) => println!("history, chats and contacts are kept at {url}"),
                None => println!(
                    "history, chats and contacts are kept in {}",
                    context.paths.database_file().display()
                ),
            }
            if before != context.settings.storage_url {
                println!("(what the previous store holds stays there)");
            }
        }
        ConfigCommand::Secrets { store } => {
            context.settings.secrets = match store {
                SecretsChoice::Keyring => SecretBackend::Keyring,
                SecretsChoice::File => SecretBackend::File,
            };
            context.save()?;
            match store {
                SecretsChoice::Keyring => println!("passwords are kept in the desktop keyring"),
                SecretsChoice::File => println!(
                    "passwords are kept in {} (readable only by you)",
                    context.paths.secrets_file().display()
                ),
            }
        }
    }
    Ok(())
}
