//! Chat round trip over MSRP on 127.0.0.1, in one process: one session sends a short line,
//! the other answers it when it arrives, and the first times the answer's arrival. Prints
//! the median and the 99th percentile over ROUNDS (default 2,000). Used by
//! `benches/msrp-throughput.sh`.

use std::time::{Duration, Instant};

use wink_msrp::session::{Event, Reports, Session, SessionConfig};
use wink_msrp::{Connection, Listener, MsrpUri};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(2_000);
    let listener = Listener::bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let bob_uri = listener.uri("bob-rtt");
    let alice_uri = MsrpUri::endpoint(false, "127.0.0.1", 9, "alice-rtt");
    let expected = listener.expect("bob-rtt");
    let alice_connection = Connection::connect(&bob_uri).await.unwrap();
    let alice = Session::new(
        SessionConfig::new(alice_uri.clone()),
        vec![alice_uri.clone()],
        vec![bob_uri.clone()],
        1,
        true,
    );
    let (alice, mut alice_events) = alice_connection.run(alice);
    let bob_connection = expected.connection(Duration::from_secs(5)).await.unwrap();
    let bob = Session::new(
        SessionConfig::new(bob_uri.clone()),
        vec![bob_uri],
        vec![alice_uri],
        2,
        false,
    );
    let (bob, mut bob_events) = bob_connection.run(bob);
    // Bob answers every line with the same text.
    tokio::spawn(async move {
        while let Some(event) = bob_events.recv().await {
            if let Event::Message { body, .. } = event {
                bob.send("text/plain", body, Reports::default()).await;
            }
        }
    });
    let mut times = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let line = format!("line {round}").into_bytes();
        let started = Instant::now();
        alice
            .send("text/plain", line.clone(), Reports::default())
            .await
            .expect("connected");
        loop {
            match tokio::time::timeout(Duration::from_secs(10), alice_events.recv()).await {
                Ok(Some(Event::Message { body, .. })) if body == line => break,
                Ok(Some(_)) => {}
                _ => panic!("no answer to round {round}"),
            }
        }
        times.push(started.elapsed());
    }
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    println!(
        "msrp chat round trip: median {:.0} µs, 99th percentile {:.0} µs over {rounds} lines",
        at(0.5).as_secs_f64() * 1e6,
        at(0.99).as_secs_f64() * 1e6
    );
}
