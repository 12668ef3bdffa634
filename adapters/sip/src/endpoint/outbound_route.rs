//! The outbound proxy inside a dialog. An account with an outbound proxy sends its in-dialog
//! requests there too (the proxy is often the only way through a NAT). When no proxy
//! record-routed the call, the dialog has no route set, and a proxy has no reason to pass
//! on a request with a To tag and no `Route` (kamailio answers 404): so the outbound proxy
//! becomes the dialog's route set, as a loose route (RFC 3261 §8.1.2's pre-loaded route,
//! kept for the dialog), and the request still goes to the dialog's remote target
//! (§12.2.1.1). A dialog with a route set keeps it as it is: its first hop recognises its
//! own `Route`, whether the outbound proxy is that hop or passes the request on to it.

use super::AccountBinding;
use crate::dialog::Dialog;

/// Makes the account's outbound proxy, if it has one, the route set of a new dialog that
/// has none.
pub(super) fn route_through_outbound_proxy(account: Option<&AccountBinding>, dialog: &mut Dialog) {
    let Some(proxy) = account.and_then(|a| a.route.as_deref()) else {
        return;
    };
    if dialog.route_set.is_empty() {
        dialog.route_set.push(format!("<{proxy}>"));
    }
}
