//! Builds the media adapter from the settings and the frontend's choices.

use std::net::IpAddr;
use std::sync::Arc;

use tokio::sync::watch;

use wink_audio::SystemAudio;
use wink_media::{CodecKind, MediaConfig, MediaEngine, MediaProfile};
use wink_ports::MediaPort;

use super::SignalingOnlyMedia;
use crate::{AccountSettings, Codec, Settings, SrtpPolicy};

/// Where call audio comes from and goes to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum AudioSelection {
    /// The devices chosen in the settings (the system default when none is).
    #[default]
    Settings,
    /// These device ids (`file:PATH`, `null`, a sound card).
    Devices {
        /// The microphone.
        input: String,
        /// The speaker.
        output: String,
    },
    /// No audio: an inactive stream, for signaling-only use.
    None,
}

/// The media adapter's view of a codec.
fn codec_kind(codec: Codec) -> CodecKind {
    match codec {
        Codec::Opus => CodecKind::Opus,
        Codec::G722 => CodecKind::G722,
        Codec::Pcma => CodecKind::Pcma,
        Codec::Pcmu => CodecKind::Pcmu,
    }
}

/// The media adapter's view of an SRTP policy.
fn srtp_policy(policy: SrtpPolicy) -> wink_media::SrtpPolicy {
    match policy {
        SrtpPolicy::Off => wink_media::SrtpPolicy::Off,
        SrtpPolicy::Optional => wink_media::SrtpPolicy::Optional,
        SrtpPolicy::Mandatory => wink_media::SrtpPolicy::Mandatory,
    }
}

/// Codecs and SRTP for calls: the account's own choices over the global ones, and the
/// frontend's over both.
pub fn media_profile(
    settings: &Settings,
    account: Option<&AccountSettings>,
    codecs: Option<&[Codec]>,
    srtp: Option<SrtpPolicy>,
) -> MediaProfile {
    let codecs = codecs
        .or(account.and_then(|a| a.codecs.as_deref()))
        .unwrap_or(&settings.codecs);
    let srtp = srtp
        .or(account.and_then(|a| a.srtp))
        .unwrap_or(settings.srtp);
    MediaProfile {
        codecs: codecs.iter().copied().map(codec_kind).collect(),
        srtp: srtp_policy(srtp),
    }
}

/// Where RTP is bound, and the address the signalling announces (the SDP gives the same).
pub(super) struct MediaAddress {
    /// The address SIP is bound to (RTP binds the same; the wildcard follows the network).
    pub(super) bind: IpAddr,
    /// What SIP announces now.
    pub(super) announced: watch::Receiver<IpAddr>,
}

/// The media port for this selection.
pub(super) fn build_media(
    settings: &Settings,
    selection: &AudioSelection,
    profile: MediaProfile,
    address: MediaAddress,
) -> Arc<dyn MediaPort> {
    let (input, output) = match selection {
        AudioSelection::None => return Arc::new(SignalingOnlyMedia),
        AudioSelection::Settings => (
            settings.audio.input_device.clone(),
            settings.audio.output_device.clone(),
        ),
        AudioSelection::Devices { input, output } => (Some(input.clone()), Some(output.clone())),
    };
    let mut config = MediaConfig::new(address.bind);
    config.announced_ip = Some(address.announced);
    config.profile = profile;
    config.input_device = input;
    config.output_device = output;
    config.echo_cancellation = settings.audio.echo_cancellation;
    config.noise_suppression = settings.audio.noise_suppression;
    Arc::new(MediaEngine::new(config, Arc::new(SystemAudio::new())))
}

#[cfg(test)]
mod tests {
    use wink_domain::AccountAddress;

    use super::*;

    #[test]
    fn the_frontend_overrides_the_account_which_overrides_the_settings() {
        let settings = Settings {
            codecs: vec![Codec::Pcmu],
            ..Settings::default()
        };
        let mut account = AccountSettings::new(AccountAddress::parse("a@b.c").unwrap());
        assert_eq!(
            media_profile(&settings, Some(&account), None, None).codecs,
            [CodecKind::Pcmu]
        );
        account.codecs = Some(vec![Codec::G722]);
        account.srtp = Some(SrtpPolicy::Mandatory);
        let profile = media_profile(&settings, Some(&account), None, None);
        assert_eq!(profile.codecs, [CodecKind::G722]);
        assert_eq!(profile.srtp, wink_media::SrtpPolicy::Mandatory);
        let profile = media_profile(
            &settings,
            Some(&account),
            Some(&[Codec::Opus]),
            Some(SrtpPolicy::Off),
        );
        assert_eq!(profile.codecs, [CodecKind::Opus]);
        assert_eq!(profile.srtp, wink_media::SrtpPolicy::Off);
    }
}
