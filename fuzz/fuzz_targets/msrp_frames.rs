//! The MSRP decoder on arbitrary bytes, whole and cut in two: never panics, reads the
//! same frames both ways, and what it reads writes back to bytes that read the same.
//! A session fed the bytes never panics either.
#![no_main]

use std::time::Instant;

use libfuzzer_sys::fuzz_target;
use wink_msrp::decoder::{Decoded, Decoder, decode_frames};
use wink_msrp::session::{Output, Session, SessionConfig};
use wink_msrp::MsrpUri;

fuzz_target!(|data: &[u8]| {
    let (frames, invalid, error) = decode_frames(data);

    // Cut in two anywhere: the same frames.
    let cut = data.first().map_or(0, |b| usize::from(*b) % (data.len() + 1));
    let mut decoder = Decoder::new();
    let mut items = Vec::new();
    let mut failed = None;
    for part in [&data[..cut], &data[cut..]] {
        decoder.push(part);
        loop {
            match decoder.next_item() {
                Ok(Some(item)) => items.push(item),
                Ok(None) => break,
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        if failed.is_some() {
            break;
        }
    }
    let ends = items.iter().filter(|i| matches!(i, Decoded::End(_))).count();
    let dropped = items.iter().filter(|i| matches!(i, Decoded::Invalid { .. })).count();
    assert_eq!(ends, frames.len(), "frames whole vs cut");
    assert_eq!(dropped, invalid);
    assert_eq!(failed, error);

    // Written back and read again: the same frames, and writing is then stable.
    for frame in &frames {
        let mut once = Vec::new();
        frame.encode(&mut once);
        let (again, bad, err) = decode_frames(&once);
        assert_eq!((again.len(), bad, err), (1, 0, None), "re-read of {frame:?}");
        assert_eq!(again[0].body, frame.body);
        assert_eq!(again[0].continuation, frame.continuation);
        let mut twice = Vec::new();
        again[0].encode(&mut twice);
        assert_eq!(once, twice);
    }

    let local = MsrpUri::endpoint(false, "127.0.0.1", 2855, "fuzz");
    let now = Instant::now();
    let mut session = Session::new(SessionConfig::new(local.clone()), vec![local.clone()], vec![local], 1, false);
    session.handle_input(now, data);
    for _ in 0..10_000 {
        if matches!(session.poll_output(now), Output::Idle | Output::Timeout(_)) {
            break;
        }
    }
});
