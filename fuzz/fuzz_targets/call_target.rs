//! What a user types in the search bar: target parsing, number rules, account addresses
//! and outbound proxies, on arbitrary text. Never panics; results are valid URIs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wink_domain::{Account, AccountAddress, NumberRules, OutboundProxy, Target};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut account = Account::sip(AccountAddress::parse("me@example.com").expect("constant"));
    account.number_rules = NumberRules {
        plus_replacement: Some("00".into()),
        external_line_prefix: Some("9".into()),
        dtmf_delimiter: '#',
    };
    if let Ok(target) = Target::parse(text) {
        if let Ok(resolved) = target.resolve(&account) {
            let printed = resolved.uri.to_string();
            wink_ports::SipUri::parse(&printed).expect("a resolved target is a valid URI");
        }
        let _ = target.resolve(&Account::bonjour());
    }
    let _ = account.number_rules.apply(text);
    if let Ok(address) = AccountAddress::parse(text) {
        assert_eq!(AccountAddress::parse(&address.to_string()).as_ref(), Ok(&address));
    }
    if let Ok(proxy) = OutboundProxy::parse(text) {
        assert_eq!(OutboundProxy::parse(&proxy.to_string()).as_ref(), Ok(&proxy));
        let _ = proxy.to_uri();
    }
});
