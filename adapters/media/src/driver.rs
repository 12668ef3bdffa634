//! The tokio task that runs one call's [`Pipeline`]: a 20 ms ticker, the RTP and RTCP
//! sockets, and commands from the engine. No media logic lives here.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};
use tokio::time::MissedTickBehavior;
use wink_ports::{AudioInput, CallStats, DtmfDigit, MediaError, MediaEvent, SessionId};

use crate::negotiate::Negotiated;
use crate::pipeline::{Datagram, Pipeline, TICK};

/// How often RTCP reports go out (RFC 3550's minimum interval for a two-party call).
const RTCP_INTERVAL: Duration = Duration::from_secs(5);
/// The largest datagram we read.
const MAX_DATAGRAM: usize = 2048;

/// What the engine asks of a running stream.
pub(crate) enum Command {
    /// A new offer/answer outcome.
    Update(Negotiated, oneshot::Sender<Result<(), MediaError>>),
    /// Mute or unmute.
    Mute(bool),
    /// Silence the remote party, or hear them again.
    Silence(bool),
    /// Join a local conference (or leave it with `None`).
    Conference(Option<(crate::conference::ConferenceBus, SessionId)>),
    /// Take audio from this input instead (`true`: it is the microphone).
    Input(
        Box<dyn AudioInput>,
        bool,
        oneshot::Sender<Result<(), MediaError>>,
    ),
    /// Use this microphone (a greeting that plays keeps playing; the microphone comes back
    /// as this one).
    Microphone(Box<dyn AudioInput>, oneshot::Sender<Result<(), MediaError>>),
    /// Play to this speaker.
    Speaker(
        Box<dyn wink_ports::AudioOutput>,
        oneshot::Sender<Result<(), MediaError>>,
    ),
    /// Send a key.
    Dtmf(DtmfDigit, oneshot::Sender<Result<(), MediaError>>),
    /// Start or stop recording.
    Record(Option<PathBuf>, oneshot::Sender<Result<(), MediaError>>),
    /// Report statistics.
    Stats(oneshot::Sender<CallStats>),
    /// End the stream (the recording is finished first).
    Stop(oneshot::Sender<()>),
}

/// The sockets of one stream.
#[derive(Debug, Clone)]
pub(crate) struct Sockets {
    pub(crate) rtp: Arc<UdpSocket>,
    pub(crate) rtcp: Arc<UdpSocket>,
}

async fn send(socket: &UdpSocket, datagram: Datagram) {
    if let Err(error) = socket.send_to(&datagram.data, datagram.to).await {
        tracing::debug!(target: "rtp", to = %datagram.to, %error, "send failed");
    }
}

/// Runs the stream until `Stop` or the engine goes away.
pub(crate) async fn run(
    mut pipeline: Pipeline,
    sockets: Sockets,
    mut commands: mpsc::UnboundedReceiver<Command>,
    events: mpsc::UnboundedSender<MediaEvent>,
    session: SessionId,
    media_timeout: Duration,
) {
    let mut ticker = tokio::time::interval(TICK);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Burst);
    let mut reports =
        tokio::time::interval_at(tokio::time::Instant::now() + RTCP_INTERVAL, RTCP_INTERVAL);
    let mut rtp_buffer = vec![0u8; MAX_DATAGRAM];
    let mut rtcp_buffer = vec![0u8; MAX_DATAGRAM];
    let mut device_failed = false;
    let mut timed_out = false;
    loop {
        tokio::select! {
            _ = ticker.tick() => {
                let now = Instant::now();
                match pipeline.tick(now) {
                    Ok(Some(datagram)) => send(&sockets.rtp, datagram).await,
                    Ok(None) => {}
                    Err(error) if !device_failed => {
                        device_failed = true;
                        tracing::warn!(target: "rtp", %session, %error, "audio device failed; the call goes on");
                    }
                    Err(_) => {}
                }
                let silent = now.saturating_duration_since(pipeline.last_received()) > media_timeout;
                if pipeline.expects_media() && silent && !timed_out {
                    timed_out = true;
                    let _ = events.send(MediaEvent::MediaTimeout { session: session.clone() });
                } else if !silent {
                    timed_out = false;
                }
            }
            received = sockets.rtp.recv_from(&mut rtp_buffer) => {
                if let Ok((len, from)) = received
                    && let Some(digit) = pipeline.receive_rtp(Instant::now(), from, &rtp_buffer[..len])
                {
                    let _ = events.send(MediaEvent::DtmfReceived { session: session.clone(), digit });
                }
            }
            received = sockets.rtcp.recv_from(&mut rtcp_buffer) => {
                if let Ok((len, _)) = received {
                    pipeline.receive_rtcp(Instant::now(), &rtcp_buffer[..len]);
                }
            }
            _ = reports.tick() => {
                if let Some(datagram) = pipeline.rtcp_report(Instant::now()) {
                    send(&sockets.rtcp, datagram).await;
                }
            }
            command = commands.recv() => match command {
                Some(Command::Update(params, reply)) => {
                    let _ = reply.send(pipeline.update(params));
                }
                Some(Command::Mute(muted)) => pipeline.set_muted(muted),
                Some(Command::Silence(silenced)) => pipeline.set_silenced(silenced),
                Some(Command::Conference(seat)) => {
                    if let Err(error) = pipeline.set_conference(seat) {
                        tracing::warn!(target: "rtp", %session, %error, "cannot join the conference");
                    }
                }
                Some(Command::Input(input, is_microphone, reply)) => {
                    let _ = reply.send(pipeline.set_input(input, is_microphone));
                }
                Some(Command::Microphone(input, reply)) => {
                    let _ = reply.send(pipeline.replace_microphone(input));
                }
                Some(Command::Speaker(output, reply)) => {
                    let _ = reply.send(pipeline.set_output(output));
                }
                Some(Command::Dtmf(digit, reply)) => {
                    let _ = reply.send(pipeline.send_dtmf(digit));
                }
                Some(Command::Record(path, reply)) => {
                    let result = pipeline
                        .record(path.as_deref())
                        .map(|_| ())
                        .map_err(|e| MediaError::Io(e.to_string()));
                    let _ = reply.send(result);
                }
                Some(Command::Stats(reply)) => {
                    let _ = reply.send(pipeline.stats());
                }
                Some(Command::Stop(reply)) => {
                    pipeline.finish();
                    let _ = reply.send(());
                    return;
                }
                None => {
                    pipeline.finish();
                    return;
                }
            },
        }
    }
}
