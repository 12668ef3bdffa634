//! Sends a file from one MSRP session to another over TCP on 127.0.0.1, directly or through
//! a relay, in this one process, and prints the throughput and the process's memory:
//!
//!   msrp_throughput FILE [RELAY_HOST:PORT]
//!
//! The receiver counts the bytes (and checks them against the file) instead of writing them,
//! so the figure is MSRP's: framing, chunking, responses, the driver. Used by
//! `benches/msrp-throughput.sh`.

use std::os::unix::fs::FileExt;
use std::time::{Duration, Instant};

use wink_digest::Credentials;
use wink_msrp::relay::RelayAuth;
use wink_msrp::session::{Event, Reports, Session, SessionConfig};
use wink_msrp::{Connection, Listener, MsrpUri};

fn rss_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| {
            l.strip_prefix(field)
                .map(|v| v.trim().trim_end_matches(" kB").trim().parse().unwrap_or(0))
        })
        .unwrap_or(0)
}

async fn via_relay(relay: &MsrpUri, user: &str, id: &str) -> (Connection, Vec<MsrpUri>) {
    let local = MsrpUri::endpoint(false, "127.0.0.1", 9, id);
    let mut connection = Connection::connect(relay)
        .await
        .expect("the relay accepts connections");
    let credentials = Credentials {
        username: user.to_owned(),
        password: wink_ports::Password::new(format!("{user}-pw")),
    };
    let auth = RelayAuth::new(relay.clone(), local.clone(), credentials, 7, None);
    let (mut path, _) = connection
        .authenticate(auth)
        .await
        .expect("the relay accepts the user");
    path.push(local);
    (connection, path)
}

fn session(path: &[MsrpUri], other: &[MsrpUri], seed: u64, active: bool) -> Session {
    let relayed = path.len() > 1;
    let local = path.last().unwrap().clone();
    let mut to_path = path[..path.len() - 1].to_vec();
    to_path.extend_from_slice(other);
    let mut config = SessionConfig::new(local.clone());
    config.whole_message_limit = 1 << 16;
    config.max_message_size = u64::MAX;
    // CHUNK=…: another chunk size (the defaults are the app's).
    let chunk = std::env::var("CHUNK").ok().and_then(|c| c.parse().ok());
    if relayed {
        config.chunk_size = chunk.unwrap_or(wink_msrp::streams::RELAYED_CHUNK_SIZE);
    } else if let Some(chunk) = chunk {
        config.chunk_size = chunk;
    }
    Session::new(config, vec![local], to_path, seed, active)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut args = std::env::args().skip(1);
    let file = args
        .next()
        .expect("usage: msrp_throughput FILE [RELAY_HOST:PORT]");
    let relay = args
        .next()
        .map(|r| MsrpUri::parse(&format!("msrp://{r};tcp")).expect("host:port"));
    let size = std::fs::metadata(&file).expect("the file exists").len();

    // Alice's session runs first: its first frame is what hands bob the connection.
    let listener = Listener::bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let (alice_connection, alice_path, bob_path, bob_relayed) = match &relay {
        Some(relay) => {
            let (a, a_path) = via_relay(relay, "alice", "alice-bench").await;
            let (b, b_path) = via_relay(relay, "bob", "bob-bench").await;
            (a, a_path, b_path, Some(b))
        }
        None => {
            let bob_uri = listener.uri("bob-bench");
            let a = Connection::connect(&bob_uri).await.unwrap();
            let alice_uri = MsrpUri::endpoint(false, "127.0.0.1", 9, "alice-bench");
            (a, vec![alice_uri], vec![bob_uri], None)
        }
    };
    let expected = listener.expect("bob-bench");
    let (alice, mut alice_events) = alice_connection.run(session(&alice_path, &bob_path, 1, true));
    let bob_connection = match bob_relayed {
        Some(connection) => connection,
        None => expected.connection(Duration::from_secs(5)).await.unwrap(),
    };
    let (_bob, mut bob_events) =
        bob_connection.run(session(&bob_path, &alice_path, 2, relay.is_some()));
    let sender_events = tokio::spawn(async move {
        while let Some(event) = alice_events.recv().await {
            if matches!(event, Event::Broken { .. } | Event::Failed { .. }) {
                eprintln!("sender: {event:?}");
            }
        }
    });

    let started = Instant::now();
    alice
        .send_file(
            file.clone().into(),
            "application/octet-stream",
            0,
            Reports::default(),
        )
        .await
        .expect("the file opens");
    let check = std::fs::File::open(&file).unwrap();
    // VERIFY=0: count the bytes only (the comparison with the file costs as much as MSRP).
    let verify = std::env::var("VERIFY").map_or(true, |v| v != "0");
    let (mut received, mut peak_rss) = (0u64, 0u64);
    let mut expected = Vec::new();
    let mut last_sample = Instant::now();
    loop {
        match tokio::time::timeout(Duration::from_secs(30), bob_events.recv()).await {
            Ok(Some(Event::Data { offset, data, .. })) => {
                if verify {
                    // Through a relay with several workers, chunks may come out of order.
                    expected.resize(data.len(), 0);
                    check.read_exact_at(&mut expected, offset).unwrap();
                    assert!(
                        expected == data,
                        "the bytes at {offset} differ from the file"
                    );
                }
                received += data.len() as u64;
                if last_sample.elapsed() > Duration::from_millis(100) {
                    peak_rss = peak_rss.max(rss_kb("VmRSS:"));
                    last_sample = Instant::now();
                }
            }
            Ok(Some(Event::Finished { .. })) => break,
            Ok(Some(event @ (Event::Broken { .. } | Event::Abandoned { .. }))) => {
                eprintln!("receiver: {event:?}");
            }
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => panic!("the transfer stopped at {received} of {size} bytes"),
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    assert_eq!(received, size);
    println!(
        "msrp {}: {size} bytes in {elapsed:.2} s = {:.1} MB/s ({:.2} Gbit/s); RSS during the transfer at most {} MB",
        if relay.is_some() {
            "through the relay"
        } else {
            "direct"
        },
        size as f64 / elapsed / 1e6,
        size as f64 * 8.0 / elapsed / 1e9,
        peak_rss / 1024
    );
    alice.close();
    let _ = sender_events.await;
}
