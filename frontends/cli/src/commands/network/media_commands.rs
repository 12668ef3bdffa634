//! Call audio commands of the console: recording and statistics.

use wink_domain::{Command, CommandOutcome, PhoneHandle};
use wink_ports::{CallStats, SessionId};

/// One line, in a form scripts can grep.
pub(crate) fn stats_line(session: &SessionId, stats: &CallStats) -> String {
    let encryption = if stats.encrypted { "SRTP" } else { "plain RTP" };
    let round_trip = stats
        .round_trip_ms
        .map_or_else(|| "-".to_owned(), |ms| format!("{ms} ms"));
    let remote_loss = stats
        .remote_loss_percent
        .map_or_else(|| "-".to_owned(), |p| format!("{p:.1}%"));
    format!(
        "call {session} stats: codec {}, {encryption}, sent {}, received {}, lost {} ({:.1}%), \
         jitter {:.1} ms, buffer {} ms (target {} ms), round trip {round_trip}, loss reported by the other side {remote_loss}",
        stats.codec,
        stats.packets_sent,
        stats.packets_received,
        stats.packets_lost,
        stats.loss_percent,
        stats.jitter_ms,
        stats.buffer_delay_ms,
        stats.buffer_target_ms,
    )
}

/// Prints the call's audio statistics.
pub(crate) async fn print_stats(phone: &PhoneHandle, session: &SessionId) {
    match phone.execute(Command::Stats(session.clone())).await {
        Ok(CommandOutcome::Stats(stats)) => println!("{}", stats_line(session, &stats)),
        Ok(_) => {}
        Err(error) => eprintln!("error: no statistics: {error}"),
    }
}

/// Starts or stops recording the call.
pub(crate) async fn record(phone: &PhoneHandle, session: &SessionId, on: bool) {
    match phone.execute(Command::Record(session.clone(), on)).await {
        Ok(CommandOutcome::Recording(path)) => {
            println!("call {session}: recording to {}", path.display())
        }
        Ok(_) => println!("call {session}: recording stopped"),
        Err(error) => eprintln!("error: cannot record: {error}"),
    }
}
