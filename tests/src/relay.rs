//! A lossy UDP relay on 127.0.0.1: the network impairment tests need (the kernel's `netem`
//! is not available here). It forwards between one client and one upstream address,
//! dropping, delaying and so reordering datagrams, all decided by a seeded RNG so that a
//! failing run can be replayed with the same seed.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::net::UdpSocket;
use tokio::task::JoinHandle;

/// How the relay mistreats datagrams.
#[derive(Debug, Clone, Copy)]
pub struct Impairment {
    /// Probability that a datagram is dropped, each direction (0.0–1.0).
    pub loss: f64,
    /// Fixed delay added to every datagram.
    pub delay: Duration,
    /// Extra random delay, uniform in 0..jitter (datagrams overtake each other).
    pub jitter: Duration,
    /// The RNG seed; print it on failure to replay the run.
    pub seed: u64,
}

/// What the relay did.
#[derive(Debug, Default)]
pub struct RelayStats {
    /// Datagrams forwarded.
    pub forwarded: AtomicU64,
    /// Datagrams dropped.
    pub dropped: AtomicU64,
}

/// A running relay; it stops when dropped.
pub struct LossyRelay {
    local: SocketAddr,
    stats: Arc<RelayStats>,
    task: JoinHandle<()>,
}

impl LossyRelay {
    /// Starts a relay on 127.0.0.1 towards `upstream` (which must be on 127.0.0.0/8).
    ///
    /// # Panics
    /// If `upstream` is not a loopback address (tests never send elsewhere) or no port can be bound.
    pub async fn start(upstream: SocketAddr, impairment: Impairment) -> Self {
        assert!(
            upstream.ip().is_loopback(),
            "the relay only forwards to loopback addresses"
        );
        let socket = Arc::new(
            UdpSocket::bind("127.0.0.1:0")
                .await
                .expect("a loopback port"),
        );
        let local = socket.local_addr().expect("a bound socket has an address");
        let stats = Arc::new(RelayStats::default());
        let task = tokio::spawn(relay(socket, upstream, impairment, stats.clone()));
        Self { local, stats, task }
    }

    /// Where clients send.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Counters so far.
    pub fn stats(&self) -> (u64, u64) {
        (
            self.stats.forwarded.load(Ordering::Relaxed),
            self.stats.dropped.load(Ordering::Relaxed),
        )
    }
}

impl Drop for LossyRelay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn relay(
    socket: Arc<UdpSocket>,
    upstream: SocketAddr,
    impairment: Impairment,
    stats: Arc<RelayStats>,
) {
    let mut rng = StdRng::seed_from_u64(impairment.seed);
    let mut client: Option<SocketAddr> = None;
    let mut buffer = vec![0u8; 65_535];
    loop {
        let Ok((n, from)) = socket.recv_from(&mut buffer).await else {
            continue;
        };
        let to = if from == upstream {
            match client {
                Some(client) => client,
                None => continue,
            }
        } else {
            client = Some(from);
            upstream
        };
        if rng.random_bool(impairment.loss.clamp(0.0, 1.0)) {
            stats.dropped.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        let jitter_ms = impairment.jitter.as_millis() as u64;
        let extra = if jitter_ms > 0 {
            Duration::from_millis(rng.random_range(0..jitter_ms))
        } else {
            Duration::ZERO
        };
        let delay = impairment.delay + extra;
        let datagram = buffer[..n].to_vec();
        let socket = socket.clone();
        stats.forwarded.fetch_add(1, Ordering::Relaxed);
        tokio::spawn(async move {
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            let _ = socket.send_to(&datagram, to).await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn drops_about_the_configured_share_and_replays_with_the_seed() {
        async fn run(seed: u64) -> (u64, u64, Vec<u8>) {
            let sink = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let relay = LossyRelay::start(
                sink.local_addr().unwrap(),
                Impairment {
                    loss: 0.2,
                    delay: Duration::ZERO,
                    jitter: Duration::ZERO,
                    seed,
                },
            )
            .await;
            let client = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            for i in 0..500u16 {
                client
                    .send_to(&i.to_be_bytes(), relay.local_addr())
                    .await
                    .unwrap();
            }
            let mut received = Vec::new();
            let mut buffer = [0u8; 2];
            while let Ok(Ok((_, _))) =
                tokio::time::timeout(Duration::from_millis(300), sink.recv_from(&mut buffer)).await
            {
                received.push(buffer[1]);
            }
            let (forwarded, dropped) = relay.stats();
            (forwarded, dropped, received)
        }
        let (forwarded, dropped, first) = run(7).await;
        assert_eq!(forwarded + dropped, 500);
        assert!(
            (70..=130).contains(&dropped),
            "about 20% of 500 dropped, got {dropped}"
        );
        let (_, dropped_again, second) = run(7).await;
        assert_eq!(
            dropped, dropped_again,
            "the same seed drops the same datagrams"
        );
        assert_eq!(first, second);
    }
}
