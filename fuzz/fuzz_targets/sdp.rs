//! SDP parsing on arbitrary text: never panics; what parses prints and re-parses the same.
//! An `m=message` section (chat or file transfer: path, accept-types, setup, RFC 5547 file
//! attributes) read from it writes back to a section that reads the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wink_ports::MessageSection;
use wink_ports::sdp::SessionDescription;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(sdp) = SessionDescription::parse(text) {
        for media in &sdp.media {
            let _ = media.rtpmaps();
            let _ = media.direction();
            let _ = media.fmtp(0);
            if let Ok(section) = MessageSection::from_media(media) {
                let written = section.to_media();
                let again = MessageSection::from_media(&written).expect("a written section reads");
                assert_eq!(again.to_media(), written, "write is stable");
            }
        }
        let printed = sdp.to_string();
        let again = SessionDescription::parse(&printed).expect("a printed SDP parses");
        assert_eq!(again.media.len(), sdp.media.len());
        assert_eq!(again.to_string(), printed, "print is stable");
    }
});
