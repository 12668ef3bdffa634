//! Finding the server (RFC 3263): NAPTR → SRV → A/AAAA, with the fallbacks the RFC gives,
//! RFC 2782 weighted SRV selection, and failover order. An IP literal or an explicit port
//! skips the lookups that cannot apply.
//!
//! The algorithm runs against the [`DnsLookup`] trait so it is tested with in-memory
//! records; [`HickoryLookup`] is the real resolver (the system's, or the name servers the
//! settings give).

use std::net::{IpAddr, SocketAddr};

use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::{RData, RecordType};
use hickory_resolver::{Resolver, TokioResolver};
use rand::Rng;

use crate::endpoint::{Peer, TransportKind};

/// One NAPTR record, as RFC 3263 uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Naptr {
    /// Processing order (lowest first).
    pub order: u16,
    /// Preference among equal orders.
    pub preference: u16,
    /// Flags (`s` means the replacement is an SRV name).
    pub flags: String,
    /// Service (`SIP+D2U`, `SIP+D2T`, `SIPS+D2T`).
    pub service: String,
    /// The SRV name to look up next.
    pub replacement: String,
}

/// One SRV record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Srv {
    /// Priority (lowest first).
    pub priority: u16,
    /// Weight among equal priorities.
    pub weight: u16,
    /// Port.
    pub port: u16,
    /// Target host.
    pub target: String,
}

/// The DNS queries RFC 3263 needs. An empty answer and a failed query both yield an empty
/// list: the algorithm falls back either way.
#[async_trait::async_trait]
pub trait DnsLookup: Send + Sync {
    /// NAPTR records of `name`.
    async fn naptr(&self, name: &str) -> Vec<Naptr>;
    /// SRV records of `name`.
    async fn srv(&self, name: &str) -> Vec<Srv>;
    /// Addresses of `name` (A and AAAA).
    async fn ip(&self, name: &str) -> Vec<IpAddr>;
}

fn default_port(transport: TransportKind) -> u16 {
    if transport == TransportKind::Tls {
        5061
    } else {
        5060
    }
}

fn srv_prefix(transport: TransportKind) -> &'static str {
    match transport {
        TransportKind::Udp => "_sip._udp.",
        TransportKind::Tcp => "_sip._tcp.",
        TransportKind::Tls => "_sips._tcp.",
    }
}

fn service_transport(service: &str) -> Option<TransportKind> {
    match service.to_ascii_uppercase().as_str() {
        "SIP+D2U" => Some(TransportKind::Udp),
        "SIP+D2T" => Some(TransportKind::Tcp),
        "SIPS+D2T" => Some(TransportKind::Tls),
        _ => None,
    }
}

/// Orders SRV records as RFC 2782 says: by priority, and within one priority by a weighted
/// random draw (weight 0 still gets a small chance).
pub fn order_srv(mut records: Vec<Srv>, rng: &mut impl Rng) -> Vec<Srv> {
    records.sort_by_key(|r| r.priority);
    let mut ordered = Vec::with_capacity(records.len());
    while !records.is_empty() {
        let priority = records[0].priority;
        let end = records
            .iter()
            .position(|r| r.priority != priority)
            .unwrap_or(records.len());
        let mut group: Vec<Srv> = records.drain(..end).collect();
        // Zero weights first, as the RFC asks, so they can still be drawn.
        group.sort_by_key(|r| r.weight);
        while !group.is_empty() {
            let total: u32 = group.iter().map(|r| u32::from(r.weight)).sum();
            let pick = if total == 0 {
                0
            } else {
                rng.random_range(0..=total)
            };
            let mut running = 0;
            let index = group
                .iter()
                .position(|r| {
                    running += u32::from(r.weight);
                    running >= pick
                })
                .unwrap_or(0);
            ordered.push(group.remove(index));
        }
    }
    ordered
}

/// Where to send requests for `host` (optionally with an explicit `port` and `transport`),
/// in failover order (RFC 3263 §4). Empty when nothing resolves.
pub async fn resolve(
    dns: &dyn DnsLookup,
    host: &str,
    port: Option<u16>,
    transport: Option<TransportKind>,
    rng: &mut (impl Rng + Send),
) -> Vec<Peer> {
    let host = host.trim_matches(['[', ']']);
    if let Ok(ip) = host.parse::<IpAddr>() {
        let transport = transport.unwrap_or(TransportKind::Udp);
        return vec![Peer {
            addr: SocketAddr::new(ip, port.unwrap_or(default_port(transport))),
            transport,
        }];
    }
    if let Some(port) = port {
        let transport = transport.unwrap_or(TransportKind::Udp);
        return addresses(dns, host, port, transport).await;
    }
    // Which SRV names to try, in order: from NAPTR when there is no transport, else the
    // transport's own SRV name.
    let mut srv_names: Vec<(String, TransportKind)> = Vec::new();
    if transport.is_none() {
        let mut naptrs: Vec<Naptr> = dns
            .naptr(host)
            .await
            .into_iter()
            .filter(|n| {
                n.flags.eq_ignore_ascii_case("s") && service_transport(&n.service).is_some()
            })
            .collect();
        naptrs.sort_by_key(|n| (n.order, n.preference));
        srv_names.extend(
            naptrs
                .into_iter()
                .filter_map(|n| Some((n.replacement, service_transport(&n.service)?))),
        );
    }
    if srv_names.is_empty() {
        let transports = match transport {
            Some(t) => vec![t],
            None => vec![TransportKind::Udp, TransportKind::Tcp, TransportKind::Tls],
        };
        srv_names.extend(
            transports
                .into_iter()
                .map(|t| (format!("{}{host}", srv_prefix(t)), t)),
        );
    }
    let mut peers = Vec::new();
    for (name, transport) in srv_names {
        for record in order_srv(dns.srv(&name).await, rng) {
            peers.extend(addresses(dns, &record.target, record.port, transport).await);
        }
    }
    if peers.is_empty() {
        // No SRV at all: the host itself, on the default port (RFC 3263 §4.2).
        let transport = transport.unwrap_or(TransportKind::Udp);
        peers = addresses(dns, host, default_port(transport), transport).await;
    }
    peers
}

async fn addresses(
    dns: &dyn DnsLookup,
    host: &str,
    port: u16,
    transport: TransportKind,
) -> Vec<Peer> {
    let host = host.trim_end_matches('.');
    if let Ok(ip) = host.parse::<IpAddr>() {
        return vec![Peer {
            addr: SocketAddr::new(ip, port),
            transport,
        }];
    }
    dns.ip(host)
        .await
        .into_iter()
        .map(|ip| Peer {
            addr: SocketAddr::new(ip, port),
            transport,
        })
        .collect()
}

/// The real resolver: hickory, with the system configuration or given name servers.
pub struct HickoryLookup {
    resolver: TokioResolver,
}

impl HickoryLookup {
    /// A resolver using `name_servers`, or the system's configuration when empty.
    ///
    /// # Errors
    /// A sentence when the system configuration cannot be read.
    pub fn new(name_servers: &[SocketAddr]) -> Result<Self, String> {
        let resolver = if name_servers.is_empty() {
            Resolver::builder_tokio()
                .map_err(|e| format!("cannot read the DNS configuration: {e}"))?
                .build()
        } else {
            let servers = name_servers
                .iter()
                .map(|server| {
                    let mut udp = ConnectionConfig::udp();
                    udp.port = server.port();
                    let mut tcp = ConnectionConfig::tcp();
                    tcp.port = server.port();
                    NameServerConfig::new(server.ip(), true, vec![udp, tcp])
                })
                .collect();
            Resolver::builder_with_config(
                ResolverConfig::from_name_servers(servers),
                TokioRuntimeProvider::default(),
            )
            .build()
        };
        Ok(Self {
            resolver: resolver.map_err(|e| format!("cannot start the DNS resolver: {e}"))?,
        })
    }
}

fn fqdn(name: &str) -> String {
    if name.ends_with('.') {
        name.to_owned()
    } else {
        format!("{name}.")
    }
}

#[async_trait::async_trait]
impl DnsLookup for HickoryLookup {
    async fn naptr(&self, name: &str) -> Vec<Naptr> {
        let Ok(lookup) = self.resolver.lookup(fqdn(name), RecordType::NAPTR).await else {
            return Vec::new();
        };
        lookup
            .answers()
            .iter()
            .filter_map(|record| match &record.data {
                RData::NAPTR(n) => Some(Naptr {
                    order: n.order,
                    preference: n.preference,
                    flags: String::from_utf8_lossy(&n.flags).into_owned(),
                    service: String::from_utf8_lossy(&n.services).into_owned(),
                    replacement: n.replacement.to_string(),
                }),
                _ => None,
            })
            .collect()
    }

    async fn srv(&self, name: &str) -> Vec<Srv> {
        let Ok(lookup) = self.resolver.lookup(fqdn(name), RecordType::SRV).await else {
            return Vec::new();
        };
        lookup
            .answers()
            .iter()
            .filter_map(|record| match &record.data {
                RData::SRV(s) => Some(Srv {
                    priority: s.priority,
                    weight: s.weight,
                    port: s.port,
                    target: s.target.to_string(),
                }),
                _ => None,
            })
            .collect()
    }

    async fn ip(&self, name: &str) -> Vec<IpAddr> {
        self.resolver
            .lookup_ip(fqdn(name))
            .await
            .map(|l| l.iter().collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    #[derive(Default)]
    struct Zone {
        naptr: HashMap<String, Vec<Naptr>>,
        srv: HashMap<String, Vec<Srv>>,
        ip: HashMap<String, Vec<IpAddr>>,
    }

    #[async_trait::async_trait]
    impl DnsLookup for Zone {
        async fn naptr(&self, name: &str) -> Vec<Naptr> {
            self.naptr.get(name).cloned().unwrap_or_default()
        }
        async fn srv(&self, name: &str) -> Vec<Srv> {
            self.srv
                .get(name.trim_end_matches('.'))
                .cloned()
                .unwrap_or_default()
        }
        async fn ip(&self, name: &str) -> Vec<IpAddr> {
            self.ip.get(name).cloned().unwrap_or_default()
        }
    }

    fn srv(priority: u16, weight: u16, port: u16, target: &str) -> Srv {
        Srv {
            priority,
            weight,
            port,
            target: target.into(),
        }
    }

    fn zone() -> Zone {
        let mut z = Zone::default();
        z.naptr.insert(
            "example.test".into(),
            vec![
                Naptr {
                    order: 20,
                    preference: 0,
                    flags: "s".into(),
                    service: "SIP+D2U".into(),
                    replacement: "_sip._udp.example.test.".into(),
                },
                Naptr {
                    order: 10,
                    preference: 0,
                    flags: "s".into(),
                    service: "SIP+D2T".into(),
                    replacement: "_sip._tcp.example.test.".into(),
                },
                Naptr {
                    order: 5,
                    preference: 0,
                    flags: "u".into(),
                    service: "E2U+sip".into(),
                    replacement: "ignored.".into(),
                },
            ],
        );
        z.srv.insert(
            "_sip._tcp.example.test".into(),
            vec![
                srv(20, 0, 5062, "b.example.test."),
                srv(10, 0, 5061, "a.example.test."),
            ],
        );
        z.srv.insert(
            "_sip._udp.example.test".into(),
            vec![srv(10, 0, 5070, "a.example.test.")],
        );
        z.ip.insert("a.example.test".into(), vec!["127.0.0.2".parse().unwrap()]);
        z.ip.insert("b.example.test".into(), vec!["127.0.0.3".parse().unwrap()]);
        z.ip.insert("plain.test".into(), vec!["127.0.0.4".parse().unwrap()]);
        z
    }

    fn rng() -> StdRng {
        StdRng::seed_from_u64(1)
    }

    fn shown(peers: &[Peer]) -> Vec<String> {
        peers
            .iter()
            .map(|p| format!("{}/{}", p.addr, p.transport.param()))
            .collect()
    }

    #[tokio::test]
    async fn naptr_order_then_srv_priority_then_addresses() {
        let peers = resolve(&zone(), "example.test", None, None, &mut rng()).await;
        assert_eq!(
            shown(&peers),
            [
                "127.0.0.2:5061/tcp",
                "127.0.0.3:5062/tcp",
                "127.0.0.2:5070/udp"
            ]
        );
    }

    #[tokio::test]
    async fn an_explicit_transport_skips_naptr() {
        let peers = resolve(
            &zone(),
            "example.test",
            None,
            Some(TransportKind::Udp),
            &mut rng(),
        )
        .await;
        assert_eq!(shown(&peers), ["127.0.0.2:5070/udp"]);
    }

    #[tokio::test]
    async fn without_records_the_host_is_used_on_the_default_port() {
        assert_eq!(
            shown(&resolve(&zone(), "plain.test", None, None, &mut rng()).await),
            ["127.0.0.4:5060/udp"]
        );
        assert_eq!(
            shown(
                &resolve(
                    &zone(),
                    "plain.test",
                    None,
                    Some(TransportKind::Tls),
                    &mut rng()
                )
                .await
            ),
            ["127.0.0.4:5061/tls"]
        );
        assert_eq!(
            shown(&resolve(&zone(), "plain.test", Some(5080), None, &mut rng()).await),
            ["127.0.0.4:5080/udp"]
        );
        assert!(
            resolve(&zone(), "nowhere.test", None, None, &mut rng())
                .await
                .is_empty()
        );
    }

    #[tokio::test]
    async fn ip_literals_need_no_lookup() {
        assert_eq!(
            shown(
                &resolve(
                    &Zone::default(),
                    "[::1]",
                    None,
                    Some(TransportKind::Tcp),
                    &mut rng()
                )
                .await
            ),
            ["[::1]:5060/tcp"]
        );
        assert_eq!(
            shown(&resolve(&Zone::default(), "127.0.0.1", Some(5070), None, &mut rng()).await),
            ["127.0.0.1:5070/udp"]
        );
    }

    #[test]
    fn weights_shape_the_draw() {
        let records = vec![
            srv(1, 90, 1, "heavy"),
            srv(1, 10, 2, "light"),
            srv(0, 0, 3, "first"),
        ];
        let mut rng = StdRng::seed_from_u64(42);
        let mut heavy_first = 0;
        for _ in 0..1000 {
            let ordered = order_srv(records.clone(), &mut rng);
            assert_eq!(ordered[0].target, "first", "lower priority always first");
            if ordered[1].target == "heavy" {
                heavy_first += 1;
            }
        }
        assert!(
            (800..=980).contains(&heavy_first),
            "weight 90 of 100 wins about 90%: {heavy_first}"
        );
    }
}
