//! The outbound proxy inside a dialog. An account with an outbound proxy sends its in-dialog
//! requests there too (the proxy is often the only way through a NAT), but a proxy that
//! did not record-route has no reason to forward a request with a To tag and no `Route`
//! for it (kamailio answers 404). So the proxy goes in front of the dialog's route set as a
//! loose route (RFC 3261 §8.1.2's pre-loaded route, kept for the dialog), and the request
//! still carries the dialog's own route set and remote target (§12.2.1.1); a proxy that did
//! record-route heads the route set already and is not added twice.

use wink_ports::SipUri;

use super::AccountBinding;
use super::calls::peer_for_uri;
use crate::dialog::Dialog;
use crate::message::NameAddr;

/// Whether two URIs name the same hop (the same address, or host and port).
fn same_hop(a: &str, b: &str) -> bool {
    if let (Some(a), Some(b)) = (peer_for_uri(a), peer_for_uri(b)) {
        return a.addr == b.addr;
    }
    match (SipUri::parse(a), SipUri::parse(b)) {
        (Ok(a), Ok(b)) => {
            a.host().eq_ignore_ascii_case(b.host())
                && a.port().unwrap_or(5060) == b.port().unwrap_or(5060)
        }
        _ => false,
    }
}

/// Puts the account's outbound proxy, if it has one, in front of a new dialog's route set.
pub(super) fn route_through_outbound_proxy(account: Option<&AccountBinding>, dialog: &mut Dialog) {
    let Some(proxy) = account.and_then(|a| a.route.as_deref()) else {
        return;
    };
    let heads_already = dialog
        .route_set
        .first()
        .and_then(|route| NameAddr::parse(route).ok())
        .is_some_and(|route| same_hop(&route.uri, proxy));
    if !heads_already {
        dialog.route_set.insert(0, format!("<{proxy}>"));
    }
}

#[cfg(test)]
mod tests {
    use super::same_hop;

    #[test]
    fn a_hop_is_the_same_with_or_without_the_default_port_and_parameters() {
        assert!(same_hop("sip:127.0.0.1;lr", "sip:127.0.0.1:5060;lr"));
        assert!(same_hop(
            "sip:proxy.example.com;lr",
            "sip:PROXY.example.com:5060"
        ));
        assert!(!same_hop("sip:127.0.0.1:5062;lr", "sip:127.0.0.1:5060;lr"));
        assert!(!same_hop("sip:a.example.com", "sip:b.example.com"));
        assert!(!same_hop("not a uri", "sip:127.0.0.1"));
    }
}
