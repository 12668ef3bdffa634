//! SipUri::parse on arbitrary text: never panics, and what parses prints back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wink_ports::SipUri;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(uri) = SipUri::parse(text) {
        let printed = uri.to_string();
        let again = SipUri::parse(&printed).expect("a printed URI parses");
        assert_eq!(again, uri, "print/parse round trip");
        let _ = uri.address();
    }
});
