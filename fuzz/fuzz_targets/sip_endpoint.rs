//! Arbitrary bytes through the whole receive path: parse, validate, transaction matching and
//! the endpoint's answers — then a valid OPTIONS must still be answered (the agent survives).
#![no_main]

use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use wink_sip::endpoint::{Endpoint, EndpointOutput, Ids, Peer, TransportKind};
use wink_sip::message::{StreamFramer, parse, validate_request, validate_response};

const OPTIONS: &[u8] = b"OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bKfuzzcheck\r\nFrom: <sip:f@127.0.0.1>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\nCall-ID: fuzz-check\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";

fuzz_target!(|data: &[u8]| {
    if let Ok(message) = parse(data) {
        let _ = validate_request(&message);
        let _ = validate_response(&message);
        let _ = message.to_bytes();
    }
    let mut framer = StreamFramer::default();
    for chunk in data.chunks(97) {
        framer.push(chunk);
        while let Ok(Some(frame)) = framer.next_message() {
            let _ = parse(&frame);
        }
    }

    let peer = Peer { addr: "127.0.0.1:5099".parse().unwrap(), transport: TransportKind::Udp };
    // A fixed seed: a crash replays byte for byte.
    let mut endpoint = Endpoint::new(
        "127.0.0.1:5060".parse().unwrap(),
        TransportKind::Udp,
        "fuzz",
        Ids::seeded(0),
    );
    let now = Instant::now();
    endpoint.handle_received(now, peer, data);
    // Split on a marker so one input can carry several datagrams (retransmissions, ACKs).
    for part in data.split(|b| *b == 0x1e) {
        endpoint.handle_received(now, peer, part);
    }
    endpoint.handle_timeout(now + Duration::from_secs(64));
    while endpoint.poll_output().is_some() {}
    endpoint.handle_received(now, peer, OPTIONS);
    let answered = std::iter::from_fn(|| endpoint.poll_output()).any(|o| match o {
        EndpointOutput::Transmit { bytes, .. } => bytes.starts_with(b"SIP/2.0 200"),
        EndpointOutput::Event(_) => false,
    });
    assert!(answered, "the endpoint stopped answering");
});
