//! Our address as others must see it (Via, Contact, the SDP). Bound to one address, it is
//! that address. Bound to the wildcard (every interface), it is the one the kernel routes
//! from towards our servers, and it follows the routing table: when an interface goes down
//! and another comes up, the new address is announced and the accounts register from it.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use tokio::sync::watch;

use crate::endpoint::{Endpoint, TransportKind};

/// The local address the kernel routes from towards `server` (`None`: no route, e.g.
/// offline). A connected UDP socket answers this without sending anything.
fn route_towards(server: SocketAddr) -> Option<IpAddr> {
    let any: SocketAddr = if server.is_ipv4() {
        ([0, 0, 0, 0], 0).into()
    } else {
        (Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let socket = std::net::UdpSocket::bind(any).ok()?;
    socket.connect(server).ok()?;
    socket
        .local_addr()
        .ok()
        .map(|a| a.ip())
        .filter(|ip| !ip.is_unspecified())
}

/// The announced address and the routes it was chosen from.
pub(crate) struct LocalAddress {
    udp_port: u16,
    tcp_port: u16,
    /// Bound to the wildcard: the announced address follows the routes.
    follows_routes: bool,
    announced: watch::Sender<IpAddr>,
    /// The route towards each server, as last seen.
    routes: HashMap<SocketAddr, Option<IpAddr>>,
}

impl LocalAddress {
    /// For sockets bound at `udp` and `tcp`; `initial` is announced while bound to the
    /// wildcard and no route towards a server is known yet.
    pub(crate) fn new(udp: SocketAddr, tcp: SocketAddr, initial: IpAddr) -> Self {
        let follows_routes = udp.ip().is_unspecified();
        let ip = if follows_routes { initial } else { udp.ip() };
        Self {
            udp_port: udp.port(),
            tcp_port: tcp.port(),
            follows_routes,
            announced: watch::Sender::new(ip),
            routes: HashMap::new(),
        }
    }

    /// Where we are reachable over UDP, as announced now.
    pub(crate) fn udp(&self) -> SocketAddr {
        SocketAddr::new(*self.announced.borrow(), self.udp_port)
    }

    /// The announced address, now and as it changes (the media's SDP follows it).
    pub(crate) fn subscribe(&self) -> watch::Receiver<IpAddr> {
        self.announced.subscribe()
    }

    /// Declares our addresses to a new endpoint.
    pub(crate) fn declare(&self, endpoint: &mut Endpoint) {
        let ip = *self.announced.borrow();
        endpoint.set_local(TransportKind::Udp, SocketAddr::new(ip, self.udp_port));
        endpoint.set_local(TransportKind::Tcp, SocketAddr::new(ip, self.tcp_port));
    }

    /// Announces `ip` (to the endpoint and the subscribers) if it is new.
    fn announce(&mut self, endpoint: &mut Endpoint, ip: IpAddr) {
        if self.announced.send_if_modified(|current| {
            let changed = *current != ip;
            *current = ip;
            changed
        }) {
            tracing::info!(target: "sip", %ip, "our address is now");
            self.declare(endpoint);
        }
    }

    /// Before an account registers towards `server`: the address routed towards it.
    pub(crate) fn towards(&mut self, endpoint: &mut Endpoint, server: SocketAddr) {
        let route = route_towards(server);
        self.routes.insert(server, route);
        if self.follows_routes
            && let Some(ip) = route
        {
            self.announce(endpoint, ip);
        }
    }

    /// The periodic look at the routes towards the endpoint's servers: `true` when one
    /// changed since the last look (the network came back, went away or is another one),
    /// after announcing the new address.
    pub(crate) fn probe(&mut self, endpoint: &mut Endpoint) -> bool {
        let now: Vec<(SocketAddr, Option<IpAddr>)> = endpoint
            .servers()
            .into_iter()
            .map(|server| (server, route_towards(server)))
            .collect();
        let changed = now
            .iter()
            .any(|(server, route)| self.routes.get(server).is_some_and(|seen| seen != route));
        if changed
            && self.follows_routes
            && let Some(ip) = now.iter().find_map(|(_, route)| *route)
        {
            self.announce(endpoint, ip);
        }
        self.routes = now.into_iter().collect();
        changed
    }
}
