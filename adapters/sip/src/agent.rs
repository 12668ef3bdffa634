//! The tokio driver: a UDP socket, the [`Endpoint`], a timer, and the
//! [`SignalingPort`] the domain drives. It only moves bytes and time; every decision is the
//! endpoint's.

use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Duration;

use futures_util::StreamExt;
use rand::SeedableRng;
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::{Instant, sleep_until, timeout};
use tracing::{debug, warn};
use wink_ports::{
    AccountId, DtmfDigit, EventStream, InviteRequest, MessageRequest, Registration, Scheme, Sdp,
    SessionId, SignalingError, SignalingEvent, SignalingPort, SipUri, StatusCode, TransferTarget,
};

use crate::digest::Credentials;
use crate::endpoint::{AccountBinding, Endpoint, EndpointOutput, Ids, Peer, TransportKind};
use crate::local_address::LocalAddress;
use crate::message::redacted;
use crate::streams::{Inbound, Streams};

/// How long shutdown waits for unregistrations to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// How often the agent checks whether the way to its servers changed.
const NETWORK_PROBE: Duration = Duration::from_secs(10);

/// How the agent runs.
#[derive(Debug, Clone)]
pub struct AgentConfig {
    /// Where to listen (`0.0.0.0:5060`, or port 0 for any free port). On the wildcard
    /// address, the address announced follows the route towards the servers.
    pub bind: SocketAddr,
    /// With a wildcard `bind`: the address announced until a route towards a server is
    /// known (`None`: the loopback address).
    pub announce_ip: Option<std::net::IpAddr>,
    /// The User-Agent header.
    pub user_agent: String,
    /// CA certificate files to trust besides the Mozilla roots (self-signed servers).
    pub extra_ca_files: Vec<std::path::PathBuf>,
    /// DNS servers for RFC 3263 lookups (empty: the system's).
    pub dns_servers: Vec<SocketAddr>,
}

/// A call command, run against the endpoint.
enum CallCommand {
    Invite(InviteRequest),
    Answer(SessionId, Option<Sdp>),
    Ring(SessionId),
    Reject(SessionId, StatusCode),
    Cancel(SessionId),
    HangUp(SessionId),
    ReInvite(SessionId, Sdp),
    Transfer(SessionId, TransferTarget),
    NotifyTransfer(SessionId, u16, String),
    DtmfInfo(SessionId, DtmfDigit),
}

impl CallCommand {
    fn run(self, endpoint: &mut Endpoint, now: std::time::Instant) -> Result<(), SignalingError> {
        match self {
            CallCommand::Invite(request) => endpoint.invite(now, request),
            CallCommand::Answer(session, sdp) => endpoint.answer(now, &session, sdp),
            CallCommand::Ring(session) => endpoint.ring(now, &session),
            CallCommand::Reject(session, status) => endpoint.reject(now, &session, status),
            CallCommand::Cancel(session) => endpoint.cancel(now, &session),
            CallCommand::HangUp(session) => endpoint.hang_up(now, &session),
            CallCommand::ReInvite(session, offer) => endpoint.reinvite(now, &session, &offer),
            CallCommand::Transfer(session, target) => endpoint.transfer(now, &session, &target),
            CallCommand::NotifyTransfer(session, code, reason) => {
                endpoint.notify_transfer(now, &session, code, &reason)
            }
            CallCommand::DtmfInfo(session, digit) => endpoint.send_dtmf_info(now, &session, digit),
        }
    }
}

enum Command {
    Call(CallCommand, oneshot::Sender<Result<(), SignalingError>>),
    Register(
        AccountBinding,
        Option<(SocketAddr, String)>,
        oneshot::Sender<Result<(), SignalingError>>,
    ),
    Unregister(AccountId, oneshot::Sender<Result<(), SignalingError>>),
    AddAccount(AccountBinding, oneshot::Sender<Result<(), SignalingError>>),
    SendMessage(MessageRequest, oneshot::Sender<Result<(), SignalingError>>),
    Shutdown(oneshot::Sender<()>),
}

/// The SIP user agent: implements [`SignalingPort`].
pub struct SipAgent {
    dns: crate::dns::HickoryLookup,
    commands: mpsc::UnboundedSender<Command>,
    events: Mutex<Option<mpsc::UnboundedReceiver<SignalingEvent>>>,
    local: SocketAddr,
    announced: watch::Receiver<std::net::IpAddr>,
}

fn transport_error(error: impl std::fmt::Display) -> SignalingError {
    SignalingError::Transport(error.to_string())
}

impl SipAgent {
    /// Binds the socket and starts the agent on the current tokio runtime.
    ///
    /// # Errors
    /// [`SignalingError::Transport`] if the address cannot be bound.
    pub async fn start(config: AgentConfig) -> Result<Self, SignalingError> {
        let tls = crate::streams::tls_config(&config.extra_ca_files).map_err(transport_error)?;
        let dns = crate::dns::HickoryLookup::new(&config.dns_servers)
            .map_err(SignalingError::Transport)?;
        let socket = UdpSocket::bind(config.bind)
            .await
            .map_err(transport_error)?;
        let local = socket.local_addr().map_err(transport_error)?;
        // TCP listens on the UDP port when it is free, so one address serves both.
        let listener = match TcpListener::bind(local).await {
            Ok(listener) => listener,
            Err(_) => TcpListener::bind(SocketAddr::new(local.ip(), 0))
                .await
                .map_err(transport_error)?,
        };
        let address = LocalAddress::new(
            local,
            listener.local_addr().map_err(transport_error)?,
            config
                .announce_ip
                .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)),
        );
        let mut endpoint = Endpoint::new(
            address.udp(),
            TransportKind::Udp,
            config.user_agent,
            Ids::seeded(rand::random()),
        );
        address.declare(&mut endpoint);
        let announced = address.subscribe();
        let (commands, command_rx) = mpsc::unbounded_channel();
        let (event_tx, events) = mpsc::unbounded_channel();
        let (inbound_tx, inbound) = mpsc::unbounded_channel();
        let io = Io {
            socket,
            listener,
            streams: Streams::new(inbound_tx, tls),
            inbound,
            address,
        };
        tokio::spawn(run(endpoint, io, command_rx, event_tx));
        Ok(Self {
            dns,
            commands,
            events: Mutex::new(Some(events)),
            local,
            announced,
        })
    }

    /// The address the agent listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// The address it announces (in Via and Contact), now and as the network changes; the
    /// media announces the same in its SDP.
    pub fn announced_ip(&self) -> watch::Receiver<std::net::IpAddr> {
        self.announced.clone()
    }

    /// Unregisters every account and waits (at most a few seconds) for the registrar.
    pub async fn shutdown(&self) {
        let (reply, done) = oneshot::channel();
        if self.commands.send(Command::Shutdown(reply)).is_ok() {
            let _ = timeout(SHUTDOWN_GRACE + Duration::from_secs(1), done).await;
        }
    }

    async fn ask(
        &self,
        make: impl FnOnce(oneshot::Sender<Result<(), SignalingError>>) -> Command,
    ) -> Result<(), SignalingError> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(make(reply))
            .map_err(|_| transport_error("the SIP agent has stopped"))?;
        answer
            .await
            .map_err(|_| transport_error("the SIP agent has stopped"))?
    }
}

/// Where requests for an account go, in failover order: the outbound proxy, else the
/// domain, resolved by RFC 3263 (NAPTR, SRV, A/AAAA). Also the name a TLS server must prove.
async fn next_hops(
    dns: &crate::dns::HickoryLookup,
    registration: &Registration,
) -> Result<(Vec<Peer>, Option<String>, String), SignalingError> {
    let hop = registration
        .outbound_proxy
        .as_ref()
        .unwrap_or(&registration.address);
    let transport = match hop
        .param("transport")
        .flatten()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        _ if hop.scheme() == Scheme::Sips || registration.address.scheme() == Scheme::Sips => {
            Some(TransportKind::Tls)
        }
        None => None,
        Some("udp") => Some(TransportKind::Udp),
        Some("tcp") => Some(TransportKind::Tcp),
        Some("tls") => Some(TransportKind::Tls),
        Some(other) => {
            return Err(SignalingError::Transport(format!(
                "unknown transport {other}; use udp, tcp or tls"
            )));
        }
    };
    let host = hop.host().trim_matches(['[', ']']).to_owned();
    let mut rng = rand::rngs::StdRng::from_os_rng();
    let peers = crate::dns::resolve(dns, &host, hop.port(), transport, &mut rng).await;
    if peers.is_empty() {
        return Err(SignalingError::Transport(format!(
            "cannot find a SIP server for {host} in DNS"
        )));
    }
    let route = registration
        .outbound_proxy
        .as_ref()
        .map(ToString::to_string);
    Ok((peers, route, host))
}

/// The endpoint's view of an account.
fn account_binding(
    registration: &Registration,
    next_hop: Peer,
    alternates: Vec<Peer>,
    route: Option<String>,
) -> Result<AccountBinding, SignalingError> {
    Ok(AccountBinding {
        account: registration.account.clone(),
        aor: SipUri::from_parts(registration.address.user(), registration.address.host())
            .map_err(transport_error)?
            .to_string(),
        display_name: registration.display_name.clone(),
        credentials: Credentials {
            username: registration.auth_username.clone(),
            password: registration.password.clone(),
        },
        next_hop,
        alternates,
        route,
        contact_user: if registration.contact.use_username {
            registration.auth_username.clone()
        } else {
            // An unguessable user part, so strangers cannot call the Contact directly.
            format!("{:016x}", rand::random::<u64>())
        },
        public_contact: registration.contact.public_address,
        expires: registration.expires_secs,
    })
}

impl SipAgent {
    /// An account without a registrar (`expires_secs` 0, no outbound proxy): it places
    /// calls straight to the address in the target and takes calls sent to its user at
    /// our address; no REGISTER is sent. The self-test and serverless (Bonjour-style) use
    /// need nothing more.
    async fn add_serverless(&self, registration: Registration) -> Result<(), SignalingError> {
        let host = registration.address.host().trim_matches(['[', ']']);
        let ip = host
            .parse()
            .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
        let next_hop = Peer {
            addr: SocketAddr::new(ip, registration.address.port().unwrap_or(5060)),
            transport: TransportKind::Udp,
        };
        let binding = account_binding(&registration, next_hop, Vec::new(), None)?;
        self.ask(|reply| Command::AddAccount(binding, reply)).await
    }
}

#[async_trait::async_trait]
impl SignalingPort for SipAgent {
    async fn register(&self, registration: Registration) -> Result<(), SignalingError> {
        if registration.expires_secs == 0 && registration.outbound_proxy.is_none() {
            return self.add_serverless(registration).await;
        }
        let (mut hops, route, server_name) = next_hops(&self.dns, &registration).await?;
        let next_hop = hops.remove(0);
        let tls_name =
            (next_hop.transport == TransportKind::Tls).then_some((next_hop.addr, server_name));
        let binding = account_binding(&registration, next_hop, hops, route)?;
        self.ask(|reply| Command::Register(binding, tls_name, reply))
            .await
    }

    async fn unregister(&self, account: &AccountId) -> Result<(), SignalingError> {
        let account = account.clone();
        self.ask(|reply| Command::Unregister(account, reply)).await
    }

    async fn invite(&self, request: InviteRequest) -> Result<(), SignalingError> {
        self.ask(|reply| Command::Call(CallCommand::Invite(request), reply))
            .await
    }

    async fn answer(&self, session: &SessionId, sdp: Option<Sdp>) -> Result<(), SignalingError> {
        let session = session.clone();
        self.ask(|reply| Command::Call(CallCommand::Answer(session, sdp), reply))
            .await
    }

    async fn ring(&self, session: &SessionId) -> Result<(), SignalingError> {
        let session = session.clone();
        self.ask(|reply| Command::Call(CallCommand::Ring(session), reply))
            .await
    }

    async fn reject(&self, session: &SessionId, status: StatusCode) -> Result<(), SignalingError> {
        let session = session.clone();
        self.ask(|reply| Command::Call(CallCommand::Reject(session, status), reply))
            .await
    }

    async fn cancel(&self, session: &SessionId) -> Result<(), SignalingError> {
        let session = session.clone();
        self.ask(|reply| Command::Call(CallCommand::Cancel(session), reply))
            .await
    }

    async fn hang_up(&self, session: &SessionId) -> Result<(), SignalingError> {
        let session = session.clone();
        self.ask(|reply| Command::Call(CallCommand::HangUp(session), reply))
            .await
    }

    async fn reinvite(&self, session: &SessionId, offer: Sdp) -> Result<(), SignalingError> {
        let session = session.clone();
        self.ask(|reply| Command::Call(CallCommand::ReInvite(session, offer), reply))
            .await
    }

    async fn transfer(
        &self,
        session: &SessionId,
        target: TransferTarget,
    ) -> Result<(), SignalingError> {
        let session = session.clone();
        self.ask(|reply| Command::Call(CallCommand::Transfer(session, target), reply))
            .await
    }

    async fn notify_transfer(
        &self,
        session: &SessionId,
        code: u16,
        reason: &str,
    ) -> Result<(), SignalingError> {
        let (session, reason) = (session.clone(), reason.to_owned());
        self.ask(|reply| Command::Call(CallCommand::NotifyTransfer(session, code, reason), reply))
            .await
    }

    async fn send_dtmf_info(
        &self,
        session: &SessionId,
        digit: DtmfDigit,
    ) -> Result<(), SignalingError> {
        let session = session.clone();
        self.ask(|reply| Command::Call(CallCommand::DtmfInfo(session, digit), reply))
            .await
    }

    async fn send_message(&self, request: MessageRequest) -> Result<(), SignalingError> {
        self.ask(|reply| Command::SendMessage(request, reply)).await
    }

    fn events(&self) -> EventStream<SignalingEvent> {
        let receiver = self.events.lock().unwrap_or_else(|p| p.into_inner()).take();
        match receiver {
            Some(rx) => futures_util::stream::unfold(rx, |mut rx| async move {
                rx.recv().await.map(|e| (e, rx))
            })
            .boxed(),
            None => futures_util::stream::empty().boxed(),
        }
    }
}

/// The agent's sockets.
struct Io {
    socket: UdpSocket,
    listener: TcpListener,
    streams: Streams,
    inbound: mpsc::UnboundedReceiver<Inbound>,
    address: LocalAddress,
}

async fn flush(
    endpoint: &mut Endpoint,
    io: &mut Io,
    events: &mpsc::UnboundedSender<SignalingEvent>,
) {
    while let Some(output) = endpoint.poll_output() {
        match output {
            EndpointOutput::Transmit { peer, bytes } => {
                debug!(target: "sip", to = %peer.addr, transport = peer.transport.param(), "send\n{}", redacted(&bytes));
                if peer.transport == TransportKind::Udp {
                    if let Err(error) = io.socket.send_to(&bytes, peer.addr).await {
                        warn!(target: "sip", to = %peer.addr, %error, "send failed");
                    }
                } else {
                    io.streams.send(peer, bytes);
                }
            }
            EndpointOutput::Event(event) => {
                let _ = events.send(event);
            }
        }
    }
}

async fn run(
    mut endpoint: Endpoint,
    mut io: Io,
    mut commands: mpsc::UnboundedReceiver<Command>,
    events: mpsc::UnboundedSender<SignalingEvent>,
) {
    let mut buffer = vec![0u8; 65_535];
    let mut registered: Vec<AccountId> = Vec::new();
    let mut shutting_down: Option<(Instant, oneshot::Sender<()>)> = None;
    let mut probe = tokio::time::interval(NETWORK_PROBE);
    loop {
        flush(&mut endpoint, &mut io, &events).await;
        if let Some((deadline, _)) = &shutting_down
            && (!endpoint.is_unregistering() || Instant::now() >= *deadline)
        {
            if let Some((_, done)) = shutting_down.take() {
                let _ = done.send(());
            }
            return;
        }
        let wake = endpoint.poll_timeout().map(Instant::from_std);
        let shutdown_wake = shutting_down.as_ref().map(|(d, _)| *d);
        let next = [wake, shutdown_wake].into_iter().flatten().min();
        tokio::select! {
            received = io.socket.recv_from(&mut buffer) => match received {
                Ok((n, from)) => {
                    debug!(target: "sip", %from, "recv\n{}", redacted(&buffer[..n]));
                    let peer = Peer { addr: from, transport: TransportKind::Udp };
                    endpoint.handle_received(Instant::now().into_std(), peer, &buffer[..n]);
                }
                // ICMP port unreachable and the like: the transaction's timers handle it.
                Err(error) => debug!(target: "sip", %error, "receive error"),
            },
            Some(inbound) = io.inbound.recv() => match inbound {
                Inbound::Frame(peer, frame) => {
                    debug!(target: "sip", from = %peer.addr, transport = peer.transport.param(), "recv\n{}", redacted(&frame));
                    endpoint.handle_received(Instant::now().into_std(), peer, &frame);
                }
                Inbound::Failed(peer) => endpoint.transport_failed(Instant::now().into_std(), peer),
                Inbound::Closed(peer) => endpoint.connection_closed(Instant::now().into_std(), peer),
            },
            accepted = io.listener.accept() => {
                if let Ok((tcp, remote)) = accepted {
                    io.streams.accept(tcp, remote);
                }
            }
            command = commands.recv() => {
                let now = Instant::now().into_std();
                match command {
                    Some(Command::Register(binding, tls_name, reply)) => {
                        if let Some((addr, name)) = tls_name {
                            io.streams.set_server_name(addr, &name);
                        }
                        let account = binding.account.clone();
                        io.address.towards(&mut endpoint, binding.next_hop.addr);
                        endpoint.add_account(binding);
                        let result = endpoint.register(now, &account);
                        if result.is_ok() && !registered.contains(&account) {
                            registered.push(account);
                        }
                        let _ = reply.send(result);
                    }
                    Some(Command::AddAccount(binding, reply)) => {
                        endpoint.add_account(binding);
                        let _ = reply.send(Ok(()));
                    }
                    Some(Command::Unregister(account, reply)) => {
                        registered.retain(|a| a != &account);
                        let _ = reply.send(endpoint.unregister(now, &account));
                    }
                    Some(Command::Call(command, reply)) => {
                        let _ = reply.send(command.run(&mut endpoint, now));
                    }
                    Some(Command::SendMessage(request, reply)) => {
                        let _ = reply.send(endpoint.send_message(now, request));
                    }
                    Some(Command::Shutdown(done)) => {
                        endpoint.hang_up_all(now);
                        for account in registered.drain(..) {
                            let _ = endpoint.unregister(now, &account);
                        }
                        shutting_down = Some((Instant::now() + SHUTDOWN_GRACE, done));
                    }
                    None => return,
                }
            }
            _ = probe.tick() => {
                // Back online, or a new network: renew registrations now (from the new
                // address), not at the next refresh or after the back-off.
                if io.address.probe(&mut endpoint) {
                    tracing::info!(target: "sip", "the network changed; registering again");
                    endpoint.network_changed(Instant::now().into_std());
                }
            }
            () = sleep_until(next.unwrap_or_else(Instant::now)), if next.is_some() => {
                endpoint.handle_timeout(Instant::now().into_std());
            }
        }
    }
}
