//! Chat and file streams (MSRP): listening on the SIP address (any port), announcing the
//! address SIP announces when bound to every interface, through the default account's
//! relay when it names one.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use wink_msrp::{MsrpStreams, MsrpUri, RelaySettings, StreamsConfig};
use wink_ports::{Password, SecretStore, StreamError};
use wink_sip::agent::SipAgent;

use crate::AccountSettings;

/// The largest chat message taken.
const MAX_CHAT_MESSAGE: u64 = 16 << 20;

/// Whether `uri` names an MSRP relay (`msrp://host[:port];tcp` or `msrps://…`); the
/// sentence to show when not.
///
/// # Errors
/// Why the URI is not one.
pub fn check_msrp_relay(uri: &str) -> Result<(), String> {
    MsrpUri::parse(uri)
        .map(|_| ())
        .map_err(|e| format!("{uri:?} is not an MSRP relay address (msrp://host:port;tcp): {e}"))
}

/// The account's relay and the credentials it takes, if the account names one.
///
/// # Errors
/// [`StreamError::Connection`] when the relay's address does not parse.
pub(crate) async fn relay_for(
    account: &AccountSettings,
    secrets: &dyn SecretStore,
) -> Result<Option<RelaySettings>, StreamError> {
    let Some(raw) = &account.msrp_relay else {
        return Ok(None);
    };
    let uri = MsrpUri::parse(raw)
        .map_err(|_| StreamError::Connection(check_msrp_relay(raw).err().unwrap_or_default()))?;
    let password = match secrets.get_password(&account.id()).await {
        Ok(Some(password)) => password,
        Ok(None) => Password::new(""),
        Err(error) => {
            tracing::warn!(target: "msrp", %error, "no password for the MSRP relay");
            Password::new("")
        }
    };
    let username = account
        .auth_username
        .clone()
        .unwrap_or_else(|| account.address.user().to_owned());
    Ok(Some(RelaySettings {
        uri,
        credentials: wink_digest::Credentials { username, password },
    }))
}

/// The streams, listening.
///
/// # Errors
/// [`StreamError::Connection`] when the address cannot be bound.
pub(crate) async fn chat_streams(
    bind: IpAddr,
    agent: &SipAgent,
    downloads: PathBuf,
    relay: Option<RelaySettings>,
    extra_ca_files: &[PathBuf],
) -> Result<Arc<MsrpStreams>, StreamError> {
    // The roots SIP over TLS trusts, the accounts' own CA files included (a bad file was
    // already refused when SIP started).
    let tls = wink_sip::streams::tls_config(extra_ca_files)
        .map_err(|e| StreamError::Connection(e.to_string()))?;
    let announce = bind
        .is_unspecified()
        .then(|| *agent.announced_ip().borrow());
    let config = StreamsConfig {
        listen: SocketAddr::new(bind, 0),
        announce,
        relay,
        max_message_size: MAX_CHAT_MESSAGE,
        downloads,
        tls: Some(tls),
    };
    Ok(Arc::new(
        MsrpStreams::new(config, super::rand_seed()).await?,
    ))
}
