//! The loop of `wink-cli send-file`: the transfer's progress bar (redrawn in place on a
//! terminal, one line per step otherwise), then its outcome; a transfer that fails, or a
//! session that ends before the file is confirmed, is an error.

use std::io::{IsTerminal, Write};

use anyhow::bail;
use tokio::sync::broadcast;
use wink_domain::{FileOutcome, PhoneEvent};
use wink_ports::SessionId;

use super::progress;

/// Follows the transfer of `session` until it ends.
pub(crate) async fn run(
    events: &mut broadcast::Receiver<PhoneEvent>,
    session: &SessionId,
    target: &str,
) -> anyhow::Result<()> {
    let terminal = std::io::stdout().is_terminal();
    let mut outcome = None;
    loop {
        match events.recv().await {
            Ok(PhoneEvent::FileProgress {
                session: s,
                progress,
            }) if &s == session => {
                let line = progress::line(&progress);
                if terminal {
                    print!("\r{line}");
                    let _ = std::io::stdout().flush();
                } else {
                    println!("{line}");
                }
            }
            Ok(PhoneEvent::FileTransferEnded {
                session: s,
                outcome: o,
            }) if &s == session => {
                if terminal {
                    println!();
                }
                match &o {
                    FileOutcome::Sent => println!("the file arrived at {target}"),
                    FileOutcome::Saved(path) => println!("saved to {}", path.display()),
                    FileOutcome::Failed(reason) => eprintln!("the transfer failed: {reason}"),
                }
                outcome = Some(o);
            }
            Ok(PhoneEvent::Problem(problem)) => eprintln!("{problem}"),
            Ok(PhoneEvent::CallEnded {
                session: s, result, ..
            }) if &s == session => {
                return match outcome {
                    Some(FileOutcome::Sent | FileOutcome::Saved(_)) => Ok(()),
                    Some(FileOutcome::Failed(reason)) => bail!("the file did not arrive: {reason}"),
                    None => {
                        bail!("the transfer to {target} ended before the file arrived: {result:?}")
                    }
                };
            }
            Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
            Err(broadcast::error::RecvError::Closed) => bail!("the phone stopped"),
        }
    }
}
