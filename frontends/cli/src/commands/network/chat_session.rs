//! The chat loop of `wink-cli chat`: typed lines go out, each one's delivery state and the
//! other side's lines come back. An empty line, `quit` or the end of the input ends the
//! session — once every line typed is delivered or failed (at most [`SETTLING`]), so lines
//! piped in are not cut off by the end of the pipe.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::bail;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::broadcast;
use tokio::time::Instant;
use wink_domain::{Command, CommandOutcome, PhoneEvent, PhoneHandle};
use wink_ports::{CallResult, DeliveryState, MessageId, SessionId};

/// How long the lines typed may take to settle once the user is done.
const SETTLING: Duration = Duration::from_secs(15);
/// How long the end of the session may take once we hang up.
const ENDING: Duration = Duration::from_secs(5);

pub(crate) async fn run(
    phone: &PhoneHandle,
    events: &mut broadcast::Receiver<PhoneEvent>,
    session: SessionId,
    target: &str,
) -> anyhow::Result<()> {
    let mut stdin = BufReader::new(tokio::io::stdin()).lines();
    // Lines typed, by message id: their number, and whether they are settled.
    let mut lines: HashMap<MessageId, (usize, bool)> = HashMap::new();
    let mut done_at: Option<Instant> = None;
    let mut answered = false;
    loop {
        let settled = lines.values().all(|(_, settled)| *settled);
        if let Some(at) = done_at
            && (settled || Instant::now() >= at)
        {
            if let Err(error) = phone.execute(Command::HangUp(session.clone())).await {
                eprintln!("error: {error}");
                return Ok(());
            }
            return wait_for_end(events, &session).await;
        }
        tokio::select! {
            event = events.recv() => match event {
                Ok(PhoneEvent::ChatConnected { session: s }) if s == session => {
                    answered = true;
                    println!("connected");
                }
                Ok(PhoneEvent::Composing { session: s, active }) if s == session => {
                    println!("{target} {}", if active { "is typing" } else { "stopped typing" });
                }
                Ok(PhoneEvent::MessageReceived { from, body, .. }) => {
                    println!("{}: {body}", from.address());
                }
                Ok(PhoneEvent::MessageState { id, state, reason }) => {
                    show_state(&mut lines, &id, state, reason.as_deref());
                }
                Ok(PhoneEvent::Problem(problem)) => eprintln!("{problem}"),
                Ok(PhoneEvent::CallEnded { session: s, result, .. }) if s == session => {
                    // The lines in flight when the chat ended are settled by the stream's
                    // close just after: say how each went before leaving.
                    settle(events, &mut lines).await;
                    println!("chat ended");
                    if result != CallResult::Answered && !answered {
                        bail!("the chat with {target} ended without an answer: {result:?}");
                    }
                    return Ok(());
                }
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => bail!("the phone stopped"),
            },
            line = stdin.next_line(), if done_at.is_none() => match line {
                Ok(Some(line)) if !line.trim().is_empty() && line.trim() != "quit" => {
                    match phone.execute(Command::SendChat(session.clone(), line)).await {
                        Ok(CommandOutcome::Message(id)) => {
                            let n = lines.len() + 1;
                            lines.insert(id, (n, false));
                            println!("line {n}: queued");
                        }
                        Ok(_) => {}
                        Err(error) => eprintln!("error: {error}"),
                    }
                }
                _ => done_at = Some(Instant::now() + SETTLING),
            },
            () = tokio::time::sleep_until(done_at.unwrap_or_else(Instant::now)), if done_at.is_some() => {}
        }
    }
}

/// Prints a line's new delivery state (with why it failed), and whether it is settled.
fn show_state(
    lines: &mut HashMap<MessageId, (usize, bool)>,
    id: &MessageId,
    state: DeliveryState,
    reason: Option<&str>,
) {
    if let Some((n, settled)) = lines.get_mut(id) {
        *settled = matches!(state, DeliveryState::Delivered | DeliveryState::Failed);
        let why = reason.map(|r| format!(" ({r})")).unwrap_or_default();
        println!("line {n}: {}{why}", format!("{state:?}").to_lowercase());
    }
}

/// Once the session has ended: the delivery states still to come (bounded by [`ENDING`]).
async fn settle(
    events: &mut broadcast::Receiver<PhoneEvent>,
    lines: &mut HashMap<MessageId, (usize, bool)>,
) {
    let _ = tokio::time::timeout(ENDING, async {
        while !lines.values().all(|(_, settled)| *settled) {
            match events.recv().await {
                Ok(PhoneEvent::MessageState { id, state, reason }) => {
                    show_state(lines, &id, state, reason.as_deref());
                }
                Err(broadcast::error::RecvError::Closed) => return,
                _ => {}
            }
        }
    })
    .await;
}

/// After our hang-up: the end of the session (bounded).
async fn wait_for_end(
    events: &mut broadcast::Receiver<PhoneEvent>,
    session: &SessionId,
) -> anyhow::Result<()> {
    let ended = tokio::time::timeout(ENDING, async {
        loop {
            match events.recv().await {
                Ok(PhoneEvent::CallEnded { session: s, .. }) if &s == session => return,
                Err(broadcast::error::RecvError::Closed) => return,
                _ => {}
            }
        }
    })
    .await;
    if ended.is_err() {
        eprintln!("the chat did not end within {} s", ENDING.as_secs());
    }
    println!("chat ended");
    Ok(())
}
