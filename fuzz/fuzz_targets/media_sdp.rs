//! Offer/answer on arbitrary SDP text: answering an offer and reading an answer never
//! panic, and every refusal is a MediaError (the SIP adapter's 488).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wink_media::negotiate::{MediaProfile, Negotiation, SrtpPolicy};
use wink_media::sdes::CryptoAttribute;
use wink_ports::sdp::SessionDescription;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = CryptoAttribute::parse(text);
    let Ok(sdp) = SessionDescription::parse(text) else { return };
    let local = "127.0.0.1:20000".parse().unwrap();
    for srtp in [SrtpPolicy::Off, SrtpPolicy::Optional, SrtpPolicy::Mandatory] {
        let profile = MediaProfile { srtp, ..MediaProfile::default() };
        let mut answerer = Negotiation::new(profile.clone(), local, 1);
        if let Ok((answer, _)) = answerer.answer_offer(&sdp) {
            // Our answer always parses back.
            SessionDescription::parse(&answer.to_string()).expect("our answer parses");
        }
        let mut offerer = Negotiation::new(profile, local, 2);
        offerer.create_offer();
        let _ = offerer.receive_answer(&sdp);
    }
});
