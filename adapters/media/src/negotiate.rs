//! SDP offer/answer for the audio stream of one call (RFC 3264), sans-IO: codec choice in
//! the user's order, telephone-event, direction for hold, SDES keys, the remote address.

use std::net::{IpAddr, SocketAddr};

use wink_ports::MediaError;
use wink_ports::sdp::{Attribute, Direction, MediaDescription, RtpMap, SessionDescription};

use crate::codec::{CodecKind, DTMF_PAYLOAD_TYPE, is_telephone_event};
use crate::sdes::{CryptoAttribute, CryptoSuite, MasterKey, SdesError};

/// Whether a call encrypts its media.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SrtpPolicy {
    /// Plain RTP; an offer that insists on SRTP is refused.
    Off,
    /// SRTP when the other side takes it (we offer keys on `RTP/AVP`), plain RTP otherwise.
    #[default]
    Optional,
    /// SRTP or no call (`RTP/SAVP`).
    Mandatory,
}

/// What one account wants from its calls' audio.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaProfile {
    /// Codecs, most preferred first.
    pub codecs: Vec<CodecKind>,
    /// Encryption.
    pub srtp: SrtpPolicy,
}

impl Default for MediaProfile {
    fn default() -> Self {
        Self {
            codecs: vec![
                CodecKind::Opus,
                CodecKind::G722,
                CodecKind::Pcma,
                CodecKind::Pcmu,
            ],
            srtp: SrtpPolicy::Optional,
        }
    }
}

/// The RFC 4733 payload types agreed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DtmfPayload {
    /// The number we send with (the remote side's).
    pub send: u8,
    /// The number we receive with (ours).
    pub receive: u8,
    /// Its clock rate.
    pub clock_rate: u32,
}

/// The SRTP keys agreed on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrtpKeys {
    /// The suite.
    pub suite: CryptoSuite,
    /// The key we encrypt with.
    pub local: MasterKey,
    /// The key the other side encrypts with.
    pub remote: MasterKey,
}

/// The outcome of one offer/answer exchange: what the RTP stream does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiated {
    /// The codec.
    pub codec: CodecKind,
    /// The payload type we send with.
    pub send_payload_type: u8,
    /// The payload type we expect.
    pub receive_payload_type: u8,
    /// telephone-event, when both sides have it.
    pub dtmf: Option<DtmfPayload>,
    /// Where RTP goes (until symmetric RTP learns better).
    pub remote_rtp: SocketAddr,
    /// Where RTCP goes.
    pub remote_rtcp: SocketAddr,
    /// Our direction: whether we send, receive, both or neither.
    pub direction: Direction,
    /// SRTP, or `None` for plain RTP.
    pub srtp: Option<SrtpKeys>,
}

/// Send and receive flags of a direction.
fn flags(direction: Direction) -> (bool, bool) {
    match direction {
        Direction::SendRecv => (true, true),
        Direction::SendOnly => (true, false),
        Direction::RecvOnly => (false, true),
        Direction::Inactive => (false, false),
    }
}

fn from_flags(send: bool, receive: bool) -> Direction {
    match (send, receive) {
        (true, true) => Direction::SendRecv,
        (true, false) => Direction::SendOnly,
        (false, true) => Direction::RecvOnly,
        (false, false) => Direction::Inactive,
    }
}

/// What both directions allow.
fn intersect(a: Direction, b: Direction) -> Direction {
    let ((a_send, a_receive), (b_send, b_receive)) = (flags(a), flags(b));
    from_flags(a_send && b_send, a_receive && b_receive)
}

/// The direction of a media section, falling back to the session level.
fn direction_of(sdp: &SessionDescription, media: &MediaDescription) -> Direction {
    let is_direction = |a: &Attribute| {
        a.value.is_none()
            && matches!(
                a.name.as_str(),
                "sendrecv" | "sendonly" | "recvonly" | "inactive"
            )
    };
    if media.attributes.iter().any(is_direction) {
        media.direction()
    } else {
        let session_level = MediaDescription {
            attributes: sdp.attributes.clone(),
            ..media.clone()
        };
        session_level.direction()
    }
}

fn flag(name: &str) -> Attribute {
    Attribute {
        name: name.into(),
        value: None,
    }
}

fn attribute(name: &str, value: String) -> Attribute {
    Attribute {
        name: name.into(),
        value: Some(value),
    }
}

fn is_rtp_audio(media: &MediaDescription) -> bool {
    media.kind == "audio" && media.port != 0 && media.protocol.starts_with("RTP/")
}

fn is_secure_protocol(protocol: &str) -> bool {
    protocol.starts_with("RTP/SAVP")
}

fn not_acceptable(reason: impl Into<String>) -> MediaError {
    MediaError::NotAcceptable(reason.into())
}

/// Where RTP and RTCP of a media section go.
fn remote_addresses(
    sdp: &SessionDescription,
    media: &MediaDescription,
) -> Result<(SocketAddr, SocketAddr), MediaError> {
    let ip = sdp
        .address_of(media)
        .ok_or_else(|| MediaError::MalformedSdp("no connection (c=) address for audio".into()))?;
    let rtcp = media
        .attribute("rtcp")
        .and_then(|value| {
            let mut parts = value.split_ascii_whitespace();
            let port = parts.next()?.parse().ok()?;
            let ip = parts
                .nth(2)
                .and_then(|a| a.parse::<IpAddr>().ok())
                .unwrap_or(ip);
            Some(SocketAddr::new(ip, port))
        })
        .unwrap_or_else(|| SocketAddr::new(ip, media.port.wrapping_add(1)));
    Ok((SocketAddr::new(ip, media.port), rtcp))
}

/// The telephone-event entry of a media section (8 kHz first).
fn telephone_event(maps: &[RtpMap], formats: &[String]) -> Option<RtpMap> {
    let listed = |m: &&RtpMap| formats.iter().any(|f| f == &m.payload_type.to_string());
    let events: Vec<&RtpMap> = maps
        .iter()
        .filter(|m| is_telephone_event(m))
        .filter(listed)
        .collect();
    events
        .iter()
        .find(|m| m.clock_rate == 8000)
        .or_else(|| events.first())
        .map(|m| (*m).clone())
}

/// What we offered, to read the answer against.
#[derive(Debug, Clone)]
struct Offered {
    codecs: Vec<(CodecKind, u8)>,
}

/// One call's side of the SDP exchange.
#[derive(Debug)]
pub struct Negotiation {
    profile: MediaProfile,
    local: SocketAddr,
    session_id: u64,
    version: u64,
    last_sent: Option<SessionDescription>,
    keys: Vec<CryptoAttribute>,
    on_hold: bool,
    offered: Option<Offered>,
    current: Option<Negotiated>,
}

impl Negotiation {
    /// A negotiation for a stream whose RTP arrives at `local`.
    pub fn new(profile: MediaProfile, local: SocketAddr, session_id: u64) -> Self {
        let keys = [
            CryptoSuite::AesCm128HmacSha1_80,
            CryptoSuite::AesCm128HmacSha1_32,
        ]
        .into_iter()
        .zip(1..)
        .map(|(suite, tag)| CryptoAttribute {
            tag,
            suite,
            key: MasterKey::random(),
        })
        .collect();
        Self {
            profile,
            local,
            session_id,
            version: 1,
            last_sent: None,
            keys,
            on_hold: false,
            offered: None,
            current: None,
        }
    }

    /// The agreed stream, once an exchange completed.
    pub fn current(&self) -> Option<&Negotiated> {
        self.current.as_ref()
    }

    /// Whether we hold the call (our offers say `sendonly`).
    pub fn set_on_hold(&mut self, on_hold: bool) {
        self.on_hold = on_hold;
    }

    fn wanted_direction(&self) -> Direction {
        if self.on_hold {
            Direction::SendOnly
        } else {
            Direction::SendRecv
        }
    }

    /// Stamps the `o=` line: the version goes up only when the description changed
    /// (RFC 3264 §8).
    fn stamp(&mut self, media: Vec<MediaDescription>) -> SessionDescription {
        let mut sdp = SessionDescription {
            origin_user: "wink".into(),
            session_id: self.session_id,
            session_version: self.version,
            origin_address: self.local.ip(),
            name: "-".into(),
            connection: Some(self.local.ip()),
            attributes: Vec::new(),
            media,
        };
        if let Some(last) = &self.last_sent
            && last.media != sdp.media
        {
            self.version += 1;
            sdp.session_version = self.version;
        }
        self.last_sent = Some(sdp.clone());
        sdp
    }

    fn audio_attributes(
        &self,
        codecs: &[(CodecKind, u8)],
        dtmf: Option<(u8, u32)>,
        crypto: &[&CryptoAttribute],
        direction: Direction,
    ) -> Vec<Attribute> {
        let mut attributes = Vec::new();
        for &(codec, pt) in codecs {
            let channels = codec
                .rtpmap_channels()
                .map(|c| format!("/{c}"))
                .unwrap_or_default();
            attributes.push(attribute(
                "rtpmap",
                format!("{pt} {}/{}{channels}", codec.encoding(), codec.clock_rate()),
            ));
            if let Some(fmtp) = codec.fmtp() {
                attributes.push(attribute("fmtp", format!("{pt} {fmtp}")));
            }
        }
        if let Some((pt, clock_rate)) = dtmf {
            attributes.push(attribute(
                "rtpmap",
                format!("{pt} telephone-event/{clock_rate}"),
            ));
            attributes.push(attribute("fmtp", format!("{pt} 0-15")));
        }
        attributes.push(attribute("ptime", "20".into()));
        attributes.extend(crypto.iter().map(|c| attribute("crypto", c.to_value())));
        attributes.push(flag(direction.as_str()));
        attributes
    }

    /// Our offer (a new call, a re-INVITE, hold or resume).
    pub fn create_offer(&mut self) -> SessionDescription {
        let codecs: Vec<(CodecKind, u8)> = self
            .profile
            .codecs
            .iter()
            .map(|&c| (c, c.offered_payload_type()))
            .collect();
        let crypto: Vec<&CryptoAttribute> = match self.profile.srtp {
            SrtpPolicy::Off => Vec::new(),
            _ => self.keys.iter().collect(),
        };
        let protocol = match self.profile.srtp {
            SrtpPolicy::Mandatory => "RTP/SAVP",
            _ => "RTP/AVP",
        };
        let mut formats: Vec<String> = codecs.iter().map(|(_, pt)| pt.to_string()).collect();
        formats.push(DTMF_PAYLOAD_TYPE.to_string());
        let attributes = self.audio_attributes(
            &codecs,
            Some((DTMF_PAYLOAD_TYPE, 8000)),
            &crypto,
            self.wanted_direction(),
        );
        let media = MediaDescription {
            kind: "audio".into(),
            port: self.local.port(),
            protocol: protocol.into(),
            formats,
            connection: None,
            attributes,
        };
        self.offered = Some(Offered { codecs });
        self.stamp(vec![media])
    }

    /// Chooses the SRTP keys for an offer's or answer's `a=crypto` lines.
    fn choose_keys(
        &self,
        media: &MediaDescription,
        answering: bool,
    ) -> Result<Option<SrtpKeys>, MediaError> {
        let secure = is_secure_protocol(&media.protocol);
        if self.profile.srtp == SrtpPolicy::Off {
            return if secure {
                Err(not_acceptable(
                    "the other side requires SRTP and encryption is off for this account",
                ))
            } else {
                Ok(None)
            };
        }
        let mut refused = Vec::new();
        for value in media
            .attributes
            .iter()
            .filter(|a| a.name == "crypto")
            .filter_map(|a| a.value.as_deref())
        {
            let theirs = match CryptoAttribute::parse(value) {
                Ok(theirs) => theirs,
                Err(
                    error @ (SdesError::UnsupportedSuite(_) | SdesError::UnsupportedKeyParameters),
                ) => {
                    refused.push(error.to_string());
                    continue;
                }
                Err(SdesError::Malformed) => {
                    return Err(MediaError::MalformedSdp("malformed a=crypto line".into()));
                }
            };
            // In an answer the tag must be one we offered, with the same suite.
            let ours = self
                .keys
                .iter()
                .find(|k| k.suite == theirs.suite && (answering || k.tag == theirs.tag));
            if let Some(ours) = ours {
                return Ok(Some(SrtpKeys {
                    suite: theirs.suite,
                    local: ours.key.clone(),
                    remote: theirs.key,
                }));
            }
        }
        if secure || self.profile.srtp == SrtpPolicy::Mandatory {
            let detail = if refused.is_empty() {
                "no a=crypto line".to_owned()
            } else {
                refused.join("; ")
            };
            return Err(not_acceptable(format!(
                "no usable SRTP keys ({detail}) and the call must be encrypted"
            )));
        }
        Ok(None)
    }

    /// Reads the answer to our last offer.
    ///
    /// # Errors
    /// [`MediaError::NotAcceptable`] when the audio was refused or nothing we offered came
    /// back; [`MediaError::MalformedSdp`] for an answer without an address.
    pub fn receive_answer(
        &mut self,
        answer: &SessionDescription,
    ) -> Result<&Negotiated, MediaError> {
        let offered = self
            .offered
            .clone()
            .ok_or_else(|| not_acceptable("an answer arrived but we made no offer"))?;
        let media = answer
            .media
            .iter()
            .find(|m| m.kind == "audio")
            .ok_or_else(|| not_acceptable("the answer has no audio stream"))?;
        if media.port == 0 {
            return Err(not_acceptable("the other side refused the audio stream"));
        }
        let maps = media.rtpmaps();
        let chosen = media.formats.iter().find_map(|format| {
            let pt: u8 = format.parse().ok()?;
            let map = maps.iter().find(|m| m.payload_type == pt)?;
            let codec = CodecKind::from_rtpmap(map)?;
            let (_, ours) = offered.codecs.iter().find(|(c, _)| *c == codec)?;
            Some((codec, pt, *ours))
        });
        let (codec, send_pt, receive_pt) =
            chosen.ok_or_else(|| not_acceptable("the answer has none of the codecs we offered"))?;
        let srtp = self.choose_keys(media, false)?;
        let (remote_rtp, remote_rtcp) = remote_addresses(answer, media)?;
        let dtmf = telephone_event(&maps, &media.formats).map(|m| DtmfPayload {
            send: m.payload_type,
            receive: DTMF_PAYLOAD_TYPE,
            clock_rate: m.clock_rate,
        });
        self.offered = None;
        Ok(self.current.insert(Negotiated {
            codec,
            send_payload_type: send_pt,
            receive_payload_type: receive_pt,
            dtmf,
            remote_rtp,
            remote_rtcp,
            direction: direction_of(answer, media).answer(),
            srtp,
        }))
    }

    /// Answers a remote offer: the first audio stream is taken, any other is refused
    /// (port 0), as RFC 3264 §6 asks.
    ///
    /// # Errors
    /// [`MediaError::NotAcceptable`] for no audio, no common codec, or SRTP that cannot be
    /// agreed; [`MediaError::MalformedSdp`] for an audio stream without an address.
    pub fn answer_offer(
        &mut self,
        offer: &SessionDescription,
    ) -> Result<(SessionDescription, &Negotiated), MediaError> {
        let index = offer
            .media
            .iter()
            .position(is_rtp_audio)
            .ok_or_else(|| not_acceptable("the offer has no RTP audio stream"))?;
        let media = &offer.media[index];
        let maps = media.rtpmaps();
        let listed = |pt: u8| media.formats.iter().any(|f| f == &pt.to_string());
        let chosen = self.profile.codecs.iter().find_map(|&codec| {
            maps.iter()
                .find(|m| codec.matches(m) && listed(m.payload_type))
                .map(|m| (codec, m.payload_type))
        });
        let (codec, pt) = chosen.ok_or_else(|| {
            let offered: Vec<String> = maps.iter().map(|m| m.encoding.clone()).collect();
            not_acceptable(format!(
                "no codec in common (offered: {})",
                offered.join(", ")
            ))
        })?;
        let srtp = self.choose_keys(media, true)?;
        let (remote_rtp, remote_rtcp) = remote_addresses(offer, media)?;
        let event = telephone_event(&maps, &media.formats);
        let direction = intersect(direction_of(offer, media).answer(), self.wanted_direction());
        let our_crypto: Vec<CryptoAttribute> = match &srtp {
            Some(keys) => media
                .attributes
                .iter()
                .filter(|a| a.name == "crypto")
                .filter_map(|a| CryptoAttribute::parse(a.value.as_deref()?).ok())
                .find(|theirs| theirs.suite == keys.suite)
                .map(|theirs| CryptoAttribute {
                    tag: theirs.tag,
                    suite: keys.suite,
                    key: keys.local.clone(),
                })
                .into_iter()
                .collect(),
            None => Vec::new(),
        };
        let mut formats = vec![pt.to_string()];
        formats.extend(event.as_ref().map(|m| m.payload_type.to_string()));
        let crypto_refs: Vec<&CryptoAttribute> = our_crypto.iter().collect();
        let attributes = self.audio_attributes(
            &[(codec, pt)],
            event.as_ref().map(|m| (m.payload_type, m.clock_rate)),
            &crypto_refs,
            direction,
        );
        let answered_audio = MediaDescription {
            kind: "audio".into(),
            port: self.local.port(),
            protocol: media.protocol.clone(),
            formats,
            connection: None,
            attributes,
        };
        let answer_media: Vec<MediaDescription> = offer
            .media
            .iter()
            .enumerate()
            .map(|(i, m)| {
                if i == index {
                    answered_audio.clone()
                } else {
                    MediaDescription {
                        port: 0,
                        connection: None,
                        attributes: Vec::new(),
                        formats: m.formats.iter().take(1).cloned().collect(),
                        ..m.clone()
                    }
                }
            })
            .collect();
        let sdp = self.stamp(answer_media);
        self.offered = None;
        let negotiated = self.current.insert(Negotiated {
            codec,
            send_payload_type: pt,
            receive_payload_type: pt,
            dtmf: event.map(|m| DtmfPayload {
                send: m.payload_type,
                receive: m.payload_type,
                clock_rate: m.clock_rate,
            }),
            remote_rtp,
            remote_rtcp,
            direction,
            srtp,
        });
        Ok((sdp, negotiated))
    }
}

#[cfg(test)]
mod tests;
