//! The self-test call (Blink's test number 4444, without a provider): two user agents of
//! our own in this process call each other over loopback with real SIP, RTP, SRTP, codecs
//! and jitter buffers. Each side's microphone beeps at its own pitch; from what each
//! speaker played, and when, the report tells whether audio went both ways, how long it
//! took (mouth to ear, as a sound card would see it) and what was lost.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::broadcast;
use wink_audio::probe::{BEEP_PERIOD, PROBE_RATE, ProbeDevices, SharedProbeLog};
use wink_domain::{
    Account, AccountAddress, CallState, Command, CommandOutcome, Phone, PhoneEvent, PhoneHandle,
    PhoneSettings, Ports,
};
use wink_media::analysis::tone_onsets;
use wink_media::{MediaConfig, MediaEngine, MediaProfile};
use wink_ports::{CallStats, Password, SecretStore, SessionId};
use wink_sip::agent::{AgentConfig, SipAgent};

use crate::assemble::{MemorySecretStore, MemoryStorage, SystemClock};

/// The caller's pitch.
const CALLER_HZ: f64 = 440.0;
/// The callee's pitch.
const CALLEE_HZ: f64 = 1000.0;
/// How long each step may take before the test gives up.
const STEP_LIMIT: Duration = Duration::from_secs(10);
/// Share of beeps that must arrive for "audio went through".
const MIN_BEEPS_HEARD: f32 = 0.8;

/// Why the self-test could not run.
#[derive(Debug, thiserror::Error)]
pub enum SelftestError {
    /// A user agent did not start.
    #[error("a test user agent did not start: {0}")]
    Start(String),
    /// The call did not get through.
    #[error("the test call failed: {0}")]
    Call(String),
}

/// One direction of the test call.
#[derive(Debug, Clone, PartialEq)]
pub struct Direction {
    /// Beeps sent while the call was up.
    pub beeps_sent: usize,
    /// Beeps the other side played.
    pub beeps_heard: usize,
    /// Median time from a beep entering one microphone to it playing on the other speaker.
    pub latency: Option<Duration>,
    /// The receiving side's statistics.
    pub stats: CallStats,
}

impl Direction {
    /// Whether audio went through this way.
    pub fn works(&self) -> bool {
        self.beeps_sent > 0 && self.beeps_heard as f32 >= MIN_BEEPS_HEARD * self.beeps_sent as f32
    }
}

/// What the self-test found.
#[derive(Debug, Clone, PartialEq)]
pub struct SelftestReport {
    /// Caller to callee.
    pub outbound: Direction,
    /// Callee to caller.
    pub inbound: Direction,
}

impl SelftestReport {
    /// Whether audio went both ways.
    pub fn passed(&self) -> bool {
        self.outbound.works() && self.inbound.works()
    }
}

struct Side {
    phone: PhoneHandle,
    agent: Arc<SipAgent>,
    log: SharedProbeLog,
    account: wink_ports::AccountId,
}

async fn side(user: &str, hz: f64, profile: &MediaProfile) -> Result<Side, SelftestError> {
    let start = |e: &dyn std::fmt::Display| SelftestError::Start(e.to_string());
    let agent = Arc::new(
        SipAgent::start(AgentConfig {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            announce_ip: None,
            user_agent: format!("Wink/{} self-test", env!("CARGO_PKG_VERSION")),
            extra_ca_files: Vec::new(),
            dns_servers: Vec::new(),
        })
        .await
        .map_err(|e| start(&e))?,
    );
    let (devices, log) = ProbeDevices::new(hz);
    let mut config = MediaConfig::new(Ipv4Addr::LOCALHOST.into());
    config.profile = profile.clone();
    // The probes beep: no echo to cancel, and a steady beep is not noise to suppress.
    config.echo_cancellation = false;
    config.noise_suppression = false;
    let media = Arc::new(MediaEngine::new(config, Arc::new(devices)));
    let address = AccountAddress::parse(&format!("{user}@127.0.0.1")).map_err(|e| start(&e))?;
    let account = Account::sip(address);
    let secrets = Arc::new(MemorySecretStore::default());
    secrets
        .set_password(&account.id, &Password::new(""))
        .await
        .map_err(|e| start(&e))?;
    let id = account.id.clone();
    // The selftest takes no files: received ones would go to a folder nobody reads.
    let nowhere = std::env::temp_dir().join("wink-selftest-downloads");
    let streams =
        crate::assemble::chat_streams(Ipv4Addr::LOCALHOST.into(), &agent, nowhere, None, &[])
            .await
            .map_err(|e| start(&e))?;
    let ports = Ports {
        signaling: agent.clone(),
        streams,
        media,
        storage: Arc::new(MemoryStorage::default()),
        secrets,
        clock: Arc::new(SystemClock),
    };
    let settings = PhoneSettings {
        accounts: vec![account],
        // No registrar: the agent takes the account without sending REGISTER.
        registration_expires_secs: 0,
        recordings_dir: None,
        ..PhoneSettings::default()
    };
    let phone = Phone::spawn(ports, settings);
    phone
        .execute(Command::Register(id.clone()))
        .await
        .map_err(|e| start(&e))?;
    Ok(Side {
        phone,
        agent,
        log,
        account: id,
    })
}

/// Waits for the first event `pick` accepts.
async fn wait_for<T>(
    events: &mut broadcast::Receiver<PhoneEvent>,
    what: &str,
    mut pick: impl FnMut(PhoneEvent) -> Option<T>,
) -> Result<T, SelftestError> {
    let found = tokio::time::timeout(STEP_LIMIT, async {
        loop {
            match events.recv().await {
                Ok(event) => {
                    if let Some(found) = pick(event) {
                        return Some(found);
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    })
    .await;
    found.ok().flatten().ok_or_else(|| {
        SelftestError::Call(format!(
            "{what} did not happen within {} s",
            STEP_LIMIT.as_secs()
        ))
    })
}

async fn stats(phone: &PhoneHandle, session: &SessionId) -> CallStats {
    match phone.execute(Command::Stats(session.clone())).await {
        Ok(CommandOutcome::Stats(stats)) => stats,
        _ => CallStats::default(),
    }
}

/// Compares what one side's microphone sent with what the other side's speaker played.
fn direction(
    sender: &SharedProbeLog,
    receiver: &SharedProbeLog,
    hz: f64,
    stats: CallStats,
) -> Direction {
    let sent = sender.lock().unwrap_or_else(PoisonError::into_inner);
    let played = receiver.lock().unwrap_or_else(PoisonError::into_inner);
    let mut samples = Vec::new();
    let mut times = Vec::new();
    for (start, chunk) in &played.played {
        for i in 0..chunk.len() {
            times
                .push(*start + Duration::from_micros(i as u64 * 1_000_000 / u64::from(PROBE_RATE)));
        }
        samples.extend_from_slice(chunk);
    }
    let mut latencies: Vec<Duration> = tone_onsets(&samples, PROBE_RATE, hz as f32)
        .into_iter()
        .filter_map(|onset| {
            let heard = times[onset];
            let sent_at = sent.beeps_sent.iter().rev().find(|t| **t <= heard)?;
            Some(heard - *sent_at).filter(|latency| *latency < BEEP_PERIOD)
        })
        .collect();
    latencies.sort();
    // Beeps that could have arrived: those sent before the last thing played, minus one
    // still on its way.
    let last_played = times.last().copied();
    let beeps_sent = sent
        .beeps_sent
        .iter()
        .filter(|t| last_played.is_some_and(|last| **t + BEEP_PERIOD < last))
        .count();
    Direction {
        beeps_sent,
        beeps_heard: latencies.len().min(beeps_sent),
        latency: latencies.get(latencies.len() / 2).copied(),
        stats,
    }
}

/// Runs the self-test call for `duration` with these codecs and SRTP policy.
///
/// # Errors
/// [`SelftestError`] when a user agent cannot start or the call does not connect.
pub async fn selftest(
    profile: MediaProfile,
    duration: Duration,
) -> Result<SelftestReport, SelftestError> {
    let caller = side("selftest-caller", CALLER_HZ, &profile).await?;
    let callee = side("selftest-callee", CALLEE_HZ, &profile).await?;
    let mut caller_events = caller.phone.subscribe();
    let mut callee_events = callee.phone.subscribe();
    let target = format!("sip:selftest-callee@{}", callee.agent.local_addr());
    let outcome = caller
        .phone
        .execute(Command::Call {
            target,
            account: Some(caller.account.clone()),
        })
        .await
        .map_err(|e| SelftestError::Call(e.to_string()))?;
    let CommandOutcome::Session(outgoing) = outcome else {
        return Err(SelftestError::Call("no call was started".into()));
    };
    let incoming = wait_for(
        &mut callee_events,
        "the incoming call",
        |event| match event {
            PhoneEvent::IncomingCall { session, .. } => Some(session),
            _ => None,
        },
    )
    .await?;
    callee
        .phone
        .execute(Command::Answer(incoming.clone()))
        .await
        .map_err(|e| SelftestError::Call(e.to_string()))?;
    wait_for(&mut caller_events, "the answer", |event| match event {
        PhoneEvent::CallState {
            session,
            state: CallState::Established,
        } if session == outgoing => Some(()),
        PhoneEvent::CallEnded {
            session, result, ..
        } if session == outgoing => {
            tracing::warn!(?result, "the self-test call ended early");
            None
        }
        _ => None,
    })
    .await?;
    let started = Instant::now();
    tokio::time::sleep(duration).await;
    tracing::debug!(elapsed = ?started.elapsed(), "self-test call done");
    let (at_caller, at_callee) = (
        stats(&caller.phone, &outgoing).await,
        stats(&callee.phone, &incoming).await,
    );
    let _ = caller
        .phone
        .execute(Command::HangUp(outgoing.clone()))
        .await;
    let _ = wait_for(&mut callee_events, "the hang-up", |event| match event {
        PhoneEvent::CallEnded { session, .. } if session == incoming => Some(()),
        _ => None,
    })
    .await;
    caller.agent.shutdown().await;
    callee.agent.shutdown().await;
    Ok(SelftestReport {
        outbound: direction(&caller.log, &callee.log, CALLER_HZ, at_callee),
        inbound: direction(&callee.log, &caller.log, CALLEE_HZ, at_caller),
    })
}
