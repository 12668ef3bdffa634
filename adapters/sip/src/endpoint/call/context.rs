//! What a call needs of the endpoint for one step, lent to it as plain values: its
//! account (the Contact, the outbound proxy, the digest credentials), our addresses (the
//! Via and the Contact), and the generator of tags and branches. The call holds none of it
//! between steps, so an account that changes is seen by the next step.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use wink_ports::{AccountId, SipUri};

use crate::dialog::Dialog;
use crate::endpoint::{AccountBinding, Ids, Peer, TransportKind};

/// The endpoint's part of a call's step (see the module doc).
#[derive(Debug)]
pub(in crate::endpoint) struct CallContext<'a> {
    /// The call's account as the endpoint serves it (`None` once it was removed).
    pub(in crate::endpoint) account: Option<&'a AccountBinding>,
    /// The public address the registrar saw for that account, when its Contact uses it.
    public: Option<SocketAddr>,
    /// Where we are reachable, per transport.
    locals: &'a HashMap<TransportKind, SocketAddr>,
    /// Where every tag, branch and digest cnonce comes from.
    pub(in crate::endpoint) ids: &'a mut Ids,
    /// Our `User-Agent`.
    pub(in crate::endpoint) user_agent: &'a str,
}

impl<'a> CallContext<'a> {
    /// The context of a call of `account`, from the endpoint's parts.
    pub(in crate::endpoint) fn new(
        account: &AccountId,
        accounts: &'a HashMap<AccountId, AccountBinding>,
        public_contacts: &HashMap<AccountId, SocketAddr>,
        locals: &'a HashMap<TransportKind, SocketAddr>,
        ids: &'a mut Ids,
        user_agent: &'a str,
    ) -> Self {
        Self {
            account: accounts.get(account),
            public: public_contacts.get(account).copied(),
            locals,
            ids,
            user_agent,
        }
    }

    /// A new top Via for a request we send over `transport`: fresh branch, `rport`.
    pub(in crate::endpoint) fn via(&mut self, transport: TransportKind) -> String {
        via(self.locals, self.ids, transport)
    }

    /// Our Contact URI for the call's account (`None` without the account).
    pub(in crate::endpoint) fn contact(&self) -> Option<String> {
        self.account
            .map(|binding| contact_uri(binding, self.public, self.locals))
    }
}

/// Our address for `transport` (TLS shares the TCP listener's address; any transport
/// falls back to the first one declared).
pub(in crate::endpoint) fn local_address(
    locals: &HashMap<TransportKind, SocketAddr>,
    transport: TransportKind,
) -> SocketAddr {
    let wanted = if transport == TransportKind::Tls {
        TransportKind::Tcp
    } else {
        transport
    };
    locals
        .get(&transport)
        .or_else(|| locals.get(&wanted))
        .or_else(|| locals.values().next())
        .copied()
        .unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0)))
}

/// A new top Via for a request we send over `transport`: fresh branch, `rport`.
pub(in crate::endpoint) fn via(
    locals: &HashMap<TransportKind, SocketAddr>,
    ids: &mut Ids,
    transport: TransportKind,
) -> String {
    format!(
        "SIP/2.0/{} {};branch={};rport",
        transport.via_name(),
        local_address(locals, transport),
        ids.branch()
    )
}

/// Our Contact URI for an account (on the transport of its next hop; at the public
/// address the registrar saw, `public`, for accounts that ask for it).
pub(in crate::endpoint) fn contact_uri(
    binding: &AccountBinding,
    public: Option<SocketAddr>,
    locals: &HashMap<TransportKind, SocketAddr>,
) -> String {
    let transport = binding.next_hop.transport;
    let address = public.unwrap_or_else(|| local_address(locals, transport));
    format!(
        "sip:{}@{address};transport={}",
        binding.contact_user,
        transport.param()
    )
}

/// A peer for a URI whose host is an IP address; `None` for names (the caller falls back to
/// the account's next hop).
pub(in crate::endpoint) fn peer_for_uri(uri: &str) -> Option<Peer> {
    let uri = SipUri::parse(uri).ok()?;
    let ip: IpAddr = uri.host().trim_matches(['[', ']']).parse().ok()?;
    let transport = match uri
        .param("transport")
        .flatten()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("tcp") => TransportKind::Tcp,
        Some("tls") => TransportKind::Tls,
        _ => TransportKind::Udp,
    };
    Some(Peer {
        addr: SocketAddr::new(ip, uri.port().unwrap_or(5060)),
        transport,
    })
}

/// Where in-dialog requests of an account go: to its outbound proxy when it has one, else
/// the dialog's first hop, else `fallback`.
pub(in crate::endpoint) fn in_dialog_peer(
    account: Option<&AccountBinding>,
    dialog: Option<&Dialog>,
    fallback: Peer,
) -> Peer {
    let account_hop = account.map(|a| (a.next_hop, a.route.is_some()));
    match (account_hop, dialog) {
        (Some((hop, true)), _) => hop,
        (hop, Some(dialog)) => peer_for_uri(&dialog.first_hop())
            .or(hop.map(|h| h.0))
            .unwrap_or(fallback),
        (hop, None) => hop.map_or(fallback, |h| h.0),
    }
}
