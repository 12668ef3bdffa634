//! Arbitrary datagrams into a call's pipeline (RTP port and RTCP port), plain and with SRTP,
//! followed by a 20 ms tick: never a panic, whatever arrives.
#![no_main]

use std::cell::RefCell;
use std::time::Instant;

use libfuzzer_sys::fuzz_target;
use wink_audio::{NullInput, NullOutput};
use wink_media::negotiate::{MediaProfile, Negotiation, SrtpPolicy};
use wink_media::pipeline::Pipeline;
use wink_media::CodecKind;

fn pipeline(codec: CodecKind, srtp: SrtpPolicy) -> Pipeline {
    let profile = MediaProfile { codecs: vec![codec], srtp };
    let mut a = Negotiation::new(profile.clone(), "127.0.0.1:4000".parse().unwrap(), 1);
    let mut b = Negotiation::new(profile, "127.0.0.1:5000".parse().unwrap(), 2);
    let offer = a.create_offer();
    let (_, params) = b.answer_offer(&offer).expect("our own offer is answerable");
    Pipeline::new(params.clone(), Box::new(NullInput), Box::new(NullOutput), "fuzz".into(), Instant::now())
        .expect("a pipeline starts")
}

thread_local! {
    static PIPELINES: RefCell<Vec<Pipeline>> = RefCell::new(vec![
        pipeline(CodecKind::Opus, SrtpPolicy::Off),
        pipeline(CodecKind::G722, SrtpPolicy::Off),
        pipeline(CodecKind::Pcmu, SrtpPolicy::Mandatory),
    ]);
}

fuzz_target!(|data: &[u8]| {
    let from = "127.0.0.1:4000".parse().unwrap();
    PIPELINES.with(|pipelines| {
        for pipeline in pipelines.borrow_mut().iter_mut() {
            let now = Instant::now();
            let _ = pipeline.receive_rtp(now, from, data);
            pipeline.receive_rtcp(now, data);
            let _ = pipeline.tick(now);
            let _ = pipeline.stats();
        }
    });
});
