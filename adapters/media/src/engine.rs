//! [`MediaEngine`]: the [`MediaPort`] the domain talks to. It keeps each call's
//! [`Negotiation`] and sockets, and starts a [`driver`](crate::driver) task per running call.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::Rng as _;
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot, watch};
use wink_ports::sdp::SessionDescription;
use wink_ports::{
    AudioDevices, CallStats, DtmfDigit, EventStream, MediaError, MediaEvent, MediaPort, Sdp,
    SessionId,
};

use crate::conference::ConferenceBus;
use crate::devices::{self, ChosenDevices, is_sound_card};
use crate::driver::{self, Command, Sockets};
use crate::negotiate::{MediaProfile, Negotiation};
use crate::pipeline::Pipeline;
use crate::processing::VoiceProcessing;

/// RTP ports are taken from this range (even numbers; RTCP on the next one).
pub const DEFAULT_PORTS: (u16, u16) = (16_384, 32_766);
/// Attempts to find a free pair of ports.
const BIND_ATTEMPTS: usize = 64;

/// How the engine is set up.
#[derive(Debug, Clone)]
pub struct MediaConfig {
    /// The address RTP is bound to and announced in the SDP.
    pub local_ip: IpAddr,
    /// With the wildcard `local_ip`: the address to announce, as the signalling announces
    /// it now (it follows the network; see `wink-sip`'s `SipAgent::announced_ip`).
    pub announced_ip: Option<watch::Receiver<IpAddr>>,
    /// Codecs and encryption.
    pub profile: MediaProfile,
    /// The microphone id (see `wink-audio`: `file:PATH`, `null`, a card, `None` = default)
    /// calls start with; [`MediaPort::use_devices`] changes it.
    pub input_device: Option<String>,
    /// The speaker id.
    pub output_device: Option<String>,
    /// The lowest and highest RTP port.
    pub ports: (u16, u16),
    /// No RTP for this long while we expect some: [`MediaEvent::MediaTimeout`].
    pub media_timeout: Duration,
    /// Our RTCP CNAME.
    pub cname: String,
    /// Echo cancellation on sound cards.
    pub echo_cancellation: bool,
    /// Noise suppression on sound cards.
    pub noise_suppression: bool,
}

impl MediaConfig {
    /// A configuration with defaults for everything but the address.
    pub fn new(local_ip: IpAddr) -> Self {
        Self {
            local_ip,
            announced_ip: None,
            profile: MediaProfile::default(),
            input_device: None,
            output_device: None,
            ports: DEFAULT_PORTS,
            media_timeout: Duration::from_secs(30),
            cname: format!("wink-{:08x}@{local_ip}", rand::rng().random::<u32>()),
            echo_cancellation: true,
            noise_suppression: true,
        }
    }
}

struct CallMedia {
    negotiation: Negotiation,
    sockets: Sockets,
    stream: Option<mpsc::UnboundedSender<Command>>,
    muted: bool,
    silenced: bool,
}

/// The media adapter.
pub struct MediaEngine {
    config: MediaConfig,
    devices: Arc<dyn AudioDevices>,
    chosen: ChosenDevices,
    calls: Mutex<HashMap<SessionId, CallMedia>>,
    events: mpsc::UnboundedSender<MediaEvent>,
    event_stream: Mutex<Option<mpsc::UnboundedReceiver<MediaEvent>>>,
}

impl std::fmt::Debug for MediaEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaEngine")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

fn parse_sdp(sdp: &Sdp) -> Result<SessionDescription, MediaError> {
    SessionDescription::parse(sdp.as_str()).map_err(|e| MediaError::MalformedSdp(e.to_string()))
}

fn to_sdp(description: &SessionDescription) -> Sdp {
    Sdp::new(description.to_string())
}

/// Binds an even RTP port and the RTCP port above it.
async fn bind_pair(ip: IpAddr, (low, high): (u16, u16)) -> Result<Sockets, MediaError> {
    let mut last_error = String::from("empty port range");
    for _ in 0..BIND_ATTEMPTS {
        let port = rand::rng().random_range(low / 2..=high / 2) * 2;
        let rtp = match UdpSocket::bind(SocketAddr::new(ip, port)).await {
            Ok(socket) => socket,
            Err(error) => {
                last_error = error.to_string();
                continue;
            }
        };
        match UdpSocket::bind(SocketAddr::new(ip, port + 1)).await {
            Ok(rtcp) => {
                return Ok(Sockets {
                    rtp: Arc::new(rtp),
                    rtcp: Arc::new(rtcp),
                });
            }
            Err(error) => last_error = error.to_string(),
        }
    }
    Err(MediaError::Io(format!(
        "no free RTP port pair on {ip} in {low}-{high}: {last_error}"
    )))
}

impl MediaEngine {
    /// An engine that opens audio devices through `devices`.
    pub fn new(config: MediaConfig, devices: Arc<dyn AudioDevices>) -> Self {
        let (events, stream) = mpsc::unbounded_channel();
        Self {
            chosen: ChosenDevices::new(config.input_device.clone(), config.output_device.clone()),
            config,
            devices,
            calls: Mutex::new(HashMap::new()),
            events,
            event_stream: Mutex::new(Some(stream)),
        }
    }

    fn calls(&self) -> std::sync::MutexGuard<'_, HashMap<SessionId, CallMedia>> {
        self.calls
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The address our SDP gives: the bound one, or on the wildcard the announced one.
    fn announced_ip(&self) -> IpAddr {
        match &self.config.announced_ip {
            Some(announced) if self.config.local_ip.is_unspecified() => *announced.borrow(),
            _ => self.config.local_ip,
        }
    }

    /// The call's media, creating it (with its sockets) on first use.
    async fn ensure_call(&self, session: &SessionId) -> Result<(), MediaError> {
        if self.calls().contains_key(session) {
            return Ok(());
        }
        let sockets = bind_pair(self.config.local_ip, self.config.ports).await?;
        let bound = sockets
            .rtp
            .local_addr()
            .map_err(|e| MediaError::Io(e.to_string()))?;
        let local = SocketAddr::new(self.announced_ip(), bound.port());
        let session_id = rand::rng().random_range(1..1u64 << 62);
        let negotiation = Negotiation::new(self.config.profile.clone(), local, session_id);
        self.calls().entry(session.clone()).or_insert(CallMedia {
            negotiation,
            sockets,
            stream: None,
            muted: false,
            silenced: false,
        });
        Ok(())
    }

    /// Sends a command to the call's running stream and waits for its answer; `Ok(None)` when
    /// the stream is not running.
    async fn ask<T>(
        &self,
        session: &SessionId,
        command: impl FnOnce(oneshot::Sender<T>) -> Command,
    ) -> Result<Option<T>, MediaError> {
        let stream = {
            let calls = self.calls();
            let call = calls
                .get(session)
                .ok_or_else(|| MediaError::UnknownSession(session.clone()))?;
            call.stream.clone()
        };
        let Some(stream) = stream else {
            return Ok(None);
        };
        let (reply, answer) = oneshot::channel();
        if stream.send(command(reply)).is_err() {
            return Ok(None);
        }
        Ok(answer.await.ok())
    }

    /// Hands the current negotiation to the running stream, if any.
    async fn push_update(&self, session: &SessionId) -> Result<(), MediaError> {
        let current = {
            let calls = self.calls();
            calls
                .get(session)
                .and_then(|c| c.negotiation.current().cloned())
        };
        if let Some(params) = current {
            self.ask(session, |reply| Command::Update(params, reply))
                .await?
                .transpose()?;
        }
        Ok(())
    }

    /// Moves a running call to these devices (its greeting, if one plays, stays).
    async fn switch_devices(
        &self,
        session: &SessionId,
        input: Option<String>,
        output: Option<String>,
    ) -> Result<(), MediaError> {
        let microphone = self.said(devices::open_input(self.devices.as_ref(), input)?);
        let speaker = self.said(devices::open_output(self.devices.as_ref(), output)?);
        let gone = || MediaError::NotAcceptable("the call's audio is not running".into());
        self.ask(session, |reply| Command::Microphone(microphone, reply))
            .await?
            .ok_or_else(gone)??;
        self.ask(session, |reply| Command::Speaker(speaker, reply))
            .await?
            .ok_or_else(gone)?
    }

    /// Keeps a call's setting (for when its stream starts) and hands it to the running
    /// stream, if any.
    fn remember_and_tell(
        &self,
        session: &SessionId,
        remember: impl FnOnce(&mut CallMedia),
        command: Command,
    ) -> Result<(), MediaError> {
        let stream = self.with_call(session, |call| {
            remember(call);
            call.stream.clone()
        })?;
        if let Some(stream) = stream {
            let _ = stream.send(command);
        }
        Ok(())
    }

    /// The opened device; a chosen one that was missing is reported to the domain.
    fn said<T>(&self, opened: devices::Opened<T>) -> T {
        if let Some(device) = opened.missing {
            let _ = self.events.send(MediaEvent::DeviceMissing { device });
        }
        opened.device
    }

    fn with_call<T>(
        &self,
        session: &SessionId,
        f: impl FnOnce(&mut CallMedia) -> T,
    ) -> Result<T, MediaError> {
        let mut calls = self.calls();
        let call = calls
            .get_mut(session)
            .ok_or_else(|| MediaError::UnknownSession(session.clone()))?;
        Ok(f(call))
    }
}

#[async_trait::async_trait]
impl MediaPort for MediaEngine {
    async fn create_offer(&self, session: &SessionId) -> Result<Sdp, MediaError> {
        self.ensure_call(session).await?;
        self.with_call(session, |call| to_sdp(&call.negotiation.create_offer()))
    }

    async fn answer_offer(&self, session: &SessionId, offer: &Sdp) -> Result<Sdp, MediaError> {
        let offer = parse_sdp(offer)?;
        self.ensure_call(session).await?;
        let answer = self.with_call(session, |call| {
            call.negotiation
                .answer_offer(&offer)
                .map(|(answer, _)| to_sdp(&answer))
        })??;
        self.push_update(session).await?;
        Ok(answer)
    }

    async fn apply_answer(&self, session: &SessionId, answer: &Sdp) -> Result<(), MediaError> {
        let answer = parse_sdp(answer)?;
        self.with_call(session, |call| {
            call.negotiation.receive_answer(&answer).map(|_| ())
        })??;
        self.push_update(session).await
    }

    async fn start(&self, session: &SessionId) -> Result<(), MediaError> {
        let (params, sockets, muted, silenced) = self.with_call(session, |call| {
            (
                call.stream
                    .is_none()
                    .then(|| call.negotiation.current().cloned()),
                call.sockets.clone(),
                call.muted,
                call.silenced,
            )
        })?;
        let Some(params) = params else {
            return Ok(()); // already running
        };
        let params = params.ok_or_else(|| {
            MediaError::NotAcceptable("no offer/answer has completed for this call".into())
        })?;
        let input_id = self.chosen.input();
        let input = self.said(devices::open_input(
            self.devices.as_ref(),
            input_id.clone(),
        )?);
        let output = self.said(devices::open_output(
            self.devices.as_ref(),
            self.chosen.output(),
        )?);
        let mut pipeline = Pipeline::new(
            params,
            input,
            output,
            self.config.cname.clone(),
            Instant::now(),
        )?;
        pipeline.set_muted(muted);
        pipeline.set_silenced(silenced);
        if is_sound_card(input_id.as_deref()) {
            let processing =
                VoiceProcessing::new(self.config.echo_cancellation, self.config.noise_suppression)
                    .map_err(|e| MediaError::Device(e.to_string()))?;
            pipeline.set_processing(processing);
        }
        let (commands, receiver) = mpsc::unbounded_channel();
        tokio::spawn(driver::run(
            pipeline,
            sockets,
            receiver,
            self.events.clone(),
            session.clone(),
            self.config.media_timeout,
        ));
        self.with_call(session, |call| call.stream = Some(commands))?;
        tracing::info!(target: "rtp", %session, "media started");
        Ok(())
    }

    async fn stop(&self, session: &SessionId) -> Result<(), MediaError> {
        let Some(call) = self.calls().remove(session) else {
            return Ok(());
        };
        if let Some(stream) = call.stream {
            let (reply, done) = oneshot::channel();
            if stream.send(Command::Stop(reply)).is_ok() {
                let _ = done.await;
            }
        }
        Ok(())
    }

    async fn hold(&self, session: &SessionId, on_hold: bool) -> Result<Sdp, MediaError> {
        self.with_call(session, |call| {
            call.negotiation.set_on_hold(on_hold);
            to_sdp(&call.negotiation.create_offer())
        })
    }

    async fn mute(&self, session: &SessionId, muted: bool) -> Result<(), MediaError> {
        self.remember_and_tell(session, |call| call.muted = muted, Command::Mute(muted))
    }

    async fn silence(&self, session: &SessionId, silenced: bool) -> Result<(), MediaError> {
        self.remember_and_tell(
            session,
            |call| call.silenced = silenced,
            Command::Silence(silenced),
        )
    }

    async fn send_dtmf(&self, session: &SessionId, digit: DtmfDigit) -> Result<(), MediaError> {
        self.ask(session, |reply| Command::Dtmf(digit, reply))
            .await?
            .unwrap_or_else(|| {
                Err(MediaError::NotAcceptable(
                    "the call's audio is not running".into(),
                ))
            })
    }

    async fn play(&self, session: &SessionId, path: Option<PathBuf>) -> Result<(), MediaError> {
        let is_microphone = path.is_none();
        let input = match path {
            Some(path) => self
                .devices
                .open_input(Some(format!("file:{}", path.display())))
                .map_err(|e| MediaError::Device(e.to_string()))?,
            None => self.said(devices::open_input(
                self.devices.as_ref(),
                self.chosen.input(),
            )?),
        };
        self.ask(session, |reply| Command::Input(input, is_microphone, reply))
            .await?
            .unwrap_or_else(|| {
                Err(MediaError::NotAcceptable(
                    "the call's audio is not running".into(),
                ))
            })
    }

    async fn record(&self, session: &SessionId, path: Option<PathBuf>) -> Result<(), MediaError> {
        self.ask(session, |reply| Command::Record(path, reply))
            .await?
            .unwrap_or_else(|| {
                Err(MediaError::NotAcceptable(
                    "the call's audio is not running".into(),
                ))
            })
    }

    async fn conference(&self, sessions: Vec<SessionId>) -> Result<(), MediaError> {
        let bus = ConferenceBus::new(&sessions);
        let streams: Vec<(SessionId, Option<mpsc::UnboundedSender<Command>>)> = {
            let calls = self.calls();
            if let Some(unknown) = sessions.iter().find(|s| !calls.contains_key(*s)) {
                return Err(MediaError::UnknownSession(unknown.clone()));
            }
            calls
                .iter()
                .map(|(id, call)| (id.clone(), call.stream.clone()))
                .collect()
        };
        for (id, stream) in streams {
            let seat = sessions.contains(&id).then(|| (bus.clone(), id.clone()));
            if let Some(stream) = stream {
                let _ = stream.send(Command::Conference(seat));
            }
        }
        Ok(())
    }

    async fn use_devices(
        &self,
        input: Option<String>,
        output: Option<String>,
    ) -> Result<(), MediaError> {
        self.chosen.set(input.clone(), output.clone());
        let running: Vec<SessionId> = self
            .calls()
            .iter()
            .filter(|(_, call)| call.stream.is_some())
            .map(|(id, _)| id.clone())
            .collect();
        let mut first_error = None;
        for session in running {
            let switched = self
                .switch_devices(&session, input.clone(), output.clone())
                .await;
            if let Err(error) = switched {
                tracing::warn!(target: "rtp", %session, %error, "the call keeps its devices");
                first_error.get_or_insert(error);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    async fn stats(&self, session: &SessionId) -> Result<CallStats, MediaError> {
        self.ask(session, Command::Stats)
            .await?
            .ok_or_else(|| MediaError::NotAcceptable("the call's audio is not running".into()))
    }

    fn events(&self) -> EventStream<MediaEvent> {
        let receiver = self
            .event_stream
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        match receiver {
            Some(mut receiver) => Box::pin(futures_util::stream::poll_fn(move |cx| {
                receiver.poll_recv(cx)
            })),
            None => Box::pin(futures_util::stream::empty()),
        }
    }
}
