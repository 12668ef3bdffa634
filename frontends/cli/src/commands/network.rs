//! `register`, `listen`, `call`, `chat`, `message`: the commands that talk SIP, through the
//! Phone.

use std::time::Duration;

use anyhow::{Context as _, bail};
use tokio::sync::broadcast;
use tokio::time::timeout;
use wink_config::{AssembleOptions, Assembled, AudioSelection, Codec, SrtpPolicy, assemble};
use wink_domain::{Command, CommandOutcome, PhoneEvent};
use wink_ports::{AccountId, DeliveryState, RegistrationState};

use crate::cli::{AudioChoice, CodecChoice, Network, Refusal, SrtpChoice};
use crate::context::Context;

mod chat_session;
mod console;
mod file_session;
mod media_commands;
mod progress;
mod schedule;

pub(crate) use console::IncomingPolicy;

fn account_id(context: &Context, options: &Network) -> anyhow::Result<AccountId> {
    let id = match &options.account {
        Some(raw) => AccountId::new(raw.as_str()).context("invalid account name")?,
        None => context
            .settings
            .default_account
            .clone()
            .or_else(|| context.settings.accounts.first().map(|a| a.id()))
            .context("no account is configured: add one with 'account add'")?,
    };
    context
        .settings
        .account(&id)
        .with_context(|| format!("there is no account {id}"))?;
    Ok(id)
}

fn audio_selection(choice: &AudioChoice) -> AudioSelection {
    match choice {
        AudioChoice::Device => AudioSelection::Settings,
        AudioChoice::None => AudioSelection::None,
        AudioChoice::Files(input, output) => AudioSelection::Devices {
            input: format!("file:{}", input.display()),
            output: output
                .as_ref()
                .map_or_else(|| "null".to_owned(), |o| format!("file:{}", o.display())),
        },
    }
}

pub(crate) fn codec(choice: CodecChoice) -> Codec {
    match choice {
        CodecChoice::Opus => Codec::Opus,
        CodecChoice::G722 => Codec::G722,
        CodecChoice::Pcma => Codec::Pcma,
        CodecChoice::Pcmu => Codec::Pcmu,
    }
}

pub(crate) fn srtp(choice: SrtpChoice) -> SrtpPolicy {
    match choice {
        SrtpChoice::Off => SrtpPolicy::Off,
        SrtpChoice::Optional => SrtpPolicy::Optional,
        SrtpChoice::Mandatory => SrtpPolicy::Mandatory,
    }
}

async fn start(context: &Context, options: &Network) -> anyhow::Result<Assembled> {
    let options = AssembleOptions {
        bind: options.bind,
        audio: audio_selection(&options.audio),
        codecs: options
            .codec
            .as_ref()
            .map(|codecs| codecs.iter().map(|&c| codec(c)).collect()),
        srtp: options.srtp.map(srtp),
        downloads: None,
    };
    let assembled = assemble(&context.settings, &context.paths, options)
        .await
        .context("cannot start the phone")?;
    if let Some(kept) = &assembled.kept_damaged_database {
        eprintln!(
            "warning: the history database was damaged; it was kept as {} and a new one started",
            kept.display()
        );
    }
    Ok(assembled)
}

/// Registers and waits for the registrar's verdict.
async fn register_and_wait(
    assembled: &Assembled,
    events: &mut broadcast::Receiver<PhoneEvent>,
    account: &AccountId,
    wait: Duration,
) -> anyhow::Result<u32> {
    assembled
        .phone
        .execute(Command::Register(account.clone()))
        .await?;
    let verdict = timeout(wait, async {
        loop {
            match events.recv().await {
                Ok(PhoneEvent::Registration { account: a, state }) if &a == account => {
                    match state {
                        RegistrationState::Registered { expires_secs } => return Ok(expires_secs),
                        RegistrationState::Failed { code, reason } => {
                            let code = code.map_or(String::new(), |c| format!(" ({c})"));
                            bail!("registration of {account} failed{code}: {reason}");
                        }
                        _ => {}
                    }
                }
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => bail!("the phone stopped"),
            }
        }
    })
    .await;
    verdict.unwrap_or_else(|_| {
        bail!(
            "no answer from the registrar of {account} within {} s",
            wait.as_secs()
        )
    })
}

pub(super) async fn register(context: &Context, options: &Network) -> anyhow::Result<()> {
    let account = account_id(context, options)?;
    let assembled = start(context, options).await?;
    let mut events = assembled.phone.subscribe();
    let result = register_and_wait(
        &assembled,
        &mut events,
        &account,
        Duration::from_secs(options.timeout),
    )
    .await;
    if let Ok(expires) = &result {
        println!("registered {account} for {expires} s");
    }
    assembled.agent.shutdown().await;
    if result.is_ok() {
        println!("unregistered {account}");
    }
    result.map(|_| ())
}

pub(super) async fn listen(
    context: &Context,
    options: &Network,
    duration: Option<u64>,
    policy: IncomingPolicy,
    record: bool,
    take_files: bool,
) -> anyhow::Result<()> {
    let account = account_id(context, options)?;
    let assembled = start(context, options).await?;
    let mut events = assembled.phone.subscribe();
    let expires = register_and_wait(
        &assembled,
        &mut events,
        &account,
        Duration::from_secs(options.timeout),
    )
    .await?;
    println!("registered {account} for {expires} s; listening");
    let mut console = console::Console::new(&assembled.phone, policy, None);
    console.take_files = take_files;
    let timing = CallTiming {
        hangup_after: None,
        hold_after: None,
        transfer: None,
        consult: None,
        dtmf: None,
        conference: None,
        record,
    };
    console
        .run(&mut events, duration.map(Duration::from_secs), &timing)
        .await;
    assembled.agent.shutdown().await;
    println!("unregistered {account}");
    Ok(())
}

/// When `call` acts on its own once the call is answered.
pub(crate) struct CallTiming {
    /// Hang up after these seconds.
    pub(crate) hangup_after: Option<u64>,
    /// Hold after these seconds.
    pub(crate) hold_after: Option<u64>,
    /// Transfer to a target after these seconds.
    pub(crate) transfer: Option<(String, u64)>,
    /// Consult a target after these seconds, then connect the two calls (attended transfer).
    pub(crate) consult: Option<(String, u64)>,
    /// DTMF keys to send a second after the call connects.
    pub(crate) dtmf: Option<String>,
    /// Call this target a second after the call connects, then join both calls in a
    /// local conference.
    pub(crate) conference: Option<String>,
    /// Record calls from the moment they connect.
    pub(crate) record: bool,
}

/// What `call` and `chat` share: registered, the session started by `command` (given the
/// account), then unregistered whatever happens.
struct Started {
    assembled: Assembled,
    events: broadcast::Receiver<PhoneEvent>,
}

impl Started {
    /// Registers the account and starts the session `command` makes.
    async fn session(
        context: &Context,
        options: &Network,
        command: impl FnOnce(AccountId) -> Command,
    ) -> anyhow::Result<(Self, anyhow::Result<wink_ports::SessionId>)> {
        let account = account_id(context, options)?;
        let assembled = start(context, options).await?;
        let mut events = assembled.phone.subscribe();
        let wait = Duration::from_secs(options.timeout);
        let session = async {
            register_and_wait(&assembled, &mut events, &account, wait).await?;
            match assembled.phone.execute(command(account.clone())).await? {
                CommandOutcome::Session(session) => Ok(session),
                _ => bail!("the session did not start"),
            }
        }
        .await;
        Ok((Self { assembled, events }, session))
    }
}

pub(super) async fn call(
    context: &Context,
    options: &Network,
    target: &str,
    timing: CallTiming,
) -> anyhow::Result<()> {
    let (mut started, session) = Started::session(context, options, |account| Command::Call {
        target: target.to_owned(),
        account: Some(account),
    })
    .await?;
    let result = async {
        let session = session?;
        println!("calling {target} ({session})");
        let console = console::Console::new(
            &started.assembled.phone,
            IncomingPolicy::Refuse(Refusal::Busy),
            Some(session),
        );
        let ended = console.run(&mut started.events, None, &timing).await;
        match ended {
            Some(wink_ports::CallResult::Answered) => Ok(()),
            Some(result) => bail!("the call to {target} ended without an answer: {result:?}"),
            None => Ok(()),
        }
    }
    .await;
    started.assembled.agent.shutdown().await;
    result
}

pub(super) async fn chat(context: &Context, options: &Network, target: &str) -> anyhow::Result<()> {
    let (mut started, session) = Started::session(context, options, |account| Command::Chat {
        target: target.to_owned(),
        account: Some(account),
    })
    .await?;
    let result = async {
        let session = session?;
        println!("chat with {target} ({session}): type lines to send; an empty line ends it");
        chat_session::run(
            &started.assembled.phone,
            &mut started.events,
            session,
            target,
        )
        .await
    }
    .await;
    started.assembled.agent.shutdown().await;
    result
}

pub(super) async fn send_file(
    context: &Context,
    options: &Network,
    target: &str,
    path: &std::path::Path,
) -> anyhow::Result<()> {
    let (mut started, session) = Started::session(context, options, |account| Command::SendFile {
        target: target.to_owned(),
        path: path.to_owned(),
        account: Some(account),
    })
    .await?;
    let result = async {
        let session = session?;
        println!("sending {} to {target} ({session})", path.display());
        file_session::run(&mut started.events, &session, target).await
    }
    .await;
    started.assembled.agent.shutdown().await;
    result
}

pub(super) async fn message(
    context: &Context,
    options: &Network,
    target: &str,
    text: &str,
) -> anyhow::Result<()> {
    let account = account_id(context, options)?;
    let assembled = start(context, options).await?;
    let mut events = assembled.phone.subscribe();
    let wait = Duration::from_secs(options.timeout);
    let result = async {
        register_and_wait(&assembled, &mut events, &account, wait).await?;
        let outcome = assembled
            .phone
            .execute(Command::SendMessage {
                target: target.to_owned(),
                text: text.to_owned(),
                account: Some(account.clone()),
            })
            .await?;
        let CommandOutcome::Message(id) = outcome else {
            bail!("the message was not sent")
        };
        let delivered = timeout(wait, async {
            loop {
                match events.recv().await {
                    Ok(PhoneEvent::MessageState {
                        id: m,
                        state,
                        reason,
                    }) if m == id => match state {
                        DeliveryState::Delivered => return Ok(()),
                        DeliveryState::Failed => match reason {
                            Some(reason) => {
                                bail!("the message to {target} was not delivered: {reason}")
                            }
                            None => bail!("the message to {target} was not delivered"),
                        },
                        _ => {}
                    },
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => bail!("the phone stopped"),
                }
            }
        })
        .await;
        delivered.unwrap_or_else(|_| bail!("no delivery report within {} s", wait.as_secs()))
    }
    .await;
    assembled.agent.shutdown().await;
    result?;
    println!("delivered to {target}");
    Ok(())
}
