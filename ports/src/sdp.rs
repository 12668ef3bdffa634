//! The SDP model (RFC 4566) that media, MSRP and the domain share: parse, print, and the
//! pieces offer/answer needs (rtpmap, fmtp, direction). It lives in the contract crate so no
//! adapter needs another adapter to read an SDP (ARCHITECTURE.md, rule 1).

use std::fmt;
use std::net::IpAddr;

/// Why a text is not a usable SDP.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SdpError {
    /// No `v=0` first line.
    #[error("an SDP must start with v=0")]
    NotSdp,
    /// A line is not `<letter>=<value>`.
    #[error("malformed SDP line {0:?}")]
    BadLine(String),
    /// The `o=` line does not parse.
    #[error("malformed origin (o=) line")]
    BadOrigin,
    /// A `c=` line does not parse.
    #[error("malformed connection (c=) line {0:?}")]
    BadConnection(String),
    /// An `m=` line does not parse.
    #[error("malformed media (m=) line {0:?}")]
    BadMedia(String),
    /// The mandatory `o=` line is missing.
    #[error("the SDP has no origin (o=) line")]
    MissingOrigin,
}

/// Media direction (RFC 3264 §5.1): `sendonly` on hold, `recvonly` in answer to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Both ways (the default).
    SendRecv,
    /// We send only (we hold the call).
    SendOnly,
    /// We receive only (the other side holds).
    RecvOnly,
    /// Neither.
    Inactive,
}

impl Direction {
    fn from_attribute(name: &str) -> Option<Self> {
        match name {
            "sendrecv" => Some(Direction::SendRecv),
            "sendonly" => Some(Direction::SendOnly),
            "recvonly" => Some(Direction::RecvOnly),
            "inactive" => Some(Direction::Inactive),
            _ => None,
        }
    }

    /// The attribute name.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }

    /// The direction an answer takes to this offered one (RFC 3264 §6.1).
    pub fn answer(self) -> Self {
        match self {
            Direction::SendOnly => Direction::RecvOnly,
            Direction::RecvOnly => Direction::SendOnly,
            other => other,
        }
    }
}

/// `a=rtpmap:<pt> <encoding>/<clock>[/<channels>]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtpMap {
    /// The payload type.
    pub payload_type: u8,
    /// The encoding name (`opus`, `G722`, `PCMA`, `telephone-event`).
    pub encoding: String,
    /// The clock rate.
    pub clock_rate: u32,
    /// Channels, when given.
    pub channels: Option<u8>,
}

/// One `a=` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// Its name.
    pub name: String,
    /// Its value (`None` for a flag such as `sendonly`).
    pub value: Option<String>,
}

/// One `m=` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaDescription {
    /// `audio`, `message`, `video`, …
    pub kind: String,
    /// The port (0 rejects the stream).
    pub port: u16,
    /// `RTP/AVP`, `RTP/SAVP`, `TCP/MSRP`, …
    pub protocol: String,
    /// Format list (payload types for RTP).
    pub formats: Vec<String>,
    /// A media-level `c=` address.
    pub connection: Option<IpAddr>,
    /// `a=` lines, in order.
    pub attributes: Vec<Attribute>,
}

impl MediaDescription {
    /// The first value of attribute `name`.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.name == name)
            .and_then(|a| a.value.as_deref())
    }

    /// Every `a=rtpmap`, plus the static payload types (0, 8, 9) listed without one.
    pub fn rtpmaps(&self) -> Vec<RtpMap> {
        let mut maps: Vec<RtpMap> = self
            .attributes
            .iter()
            .filter(|a| a.name == "rtpmap")
            .filter_map(|a| {
                let (pt, rest) = a.value.as_deref()?.split_once(' ')?;
                let mut parts = rest.trim().split('/');
                Some(RtpMap {
                    payload_type: pt.trim().parse().ok()?,
                    encoding: parts.next()?.to_owned(),
                    clock_rate: parts.next()?.parse().ok()?,
                    channels: parts.next().and_then(|c| c.parse().ok()),
                })
            })
            .collect();
        for (pt, encoding) in [(0u8, "PCMU"), (8, "PCMA"), (9, "G722")] {
            let listed = self.formats.iter().any(|f| f == &pt.to_string());
            if listed && !maps.iter().any(|m| m.payload_type == pt) {
                maps.push(RtpMap {
                    payload_type: pt,
                    encoding: encoding.into(),
                    clock_rate: 8000,
                    channels: None,
                });
            }
        }
        maps
    }

    /// The `a=fmtp` parameters of payload type `pt`.
    pub fn fmtp(&self, pt: u8) -> Option<&str> {
        self.attributes
            .iter()
            .filter(|a| a.name == "fmtp")
            .filter_map(|a| a.value.as_deref())
            .find_map(|v| {
                v.split_once(' ')
                    .filter(|(p, _)| p.trim() == pt.to_string())
                    .map(|(_, rest)| rest.trim())
            })
    }

    /// The direction attribute (sendrecv when absent).
    pub fn direction(&self) -> Direction {
        self.attributes
            .iter()
            .find_map(|a| {
                if a.value.is_none() {
                    Direction::from_attribute(&a.name)
                } else {
                    None
                }
            })
            .unwrap_or(Direction::SendRecv)
    }
}

/// A whole session description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionDescription {
    /// `o=` username.
    pub origin_user: String,
    /// `o=` session id.
    pub session_id: u64,
    /// `o=` version (a re-offer increments it, RFC 3264 §8).
    pub session_version: u64,
    /// `o=` address.
    pub origin_address: IpAddr,
    /// `s=`.
    pub name: String,
    /// Session-level `c=`.
    pub connection: Option<IpAddr>,
    /// Session-level `a=` lines.
    pub attributes: Vec<Attribute>,
    /// The `m=` sections.
    pub media: Vec<MediaDescription>,
}

fn parse_connection(value: &str) -> Result<IpAddr, SdpError> {
    let bad = || SdpError::BadConnection(value.to_owned());
    let mut parts = value.split_whitespace();
    let (Some("IN"), Some(kind @ ("IP4" | "IP6")), Some(address), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    // A multicast TTL suffix (`/127`) is not for us; the address is what matters.
    let ip: IpAddr = address
        .split('/')
        .next()
        .unwrap_or_default()
        .parse()
        .map_err(|_| bad())?;
    if (kind == "IP4") != ip.is_ipv4() {
        return Err(bad());
    }
    Ok(ip)
}

fn parse_attribute(value: &str) -> Attribute {
    match value.split_once(':') {
        Some((name, rest)) => Attribute {
            name: name.to_owned(),
            value: Some(rest.to_owned()),
        },
        None => Attribute {
            name: value.to_owned(),
            value: None,
        },
    }
}

impl SessionDescription {
    /// Parses an SDP body (CRLF or LF line ends).
    ///
    /// # Errors
    /// An [`SdpError`] naming the line that is wrong.
    pub fn parse(text: &str) -> Result<Self, SdpError> {
        let mut lines = text.lines().map(str::trim_end).filter(|l| !l.is_empty());
        if lines.next() != Some("v=0") {
            return Err(SdpError::NotSdp);
        }
        let mut origin = None;
        let (mut name, mut connection, mut attributes, mut media) = (
            String::from("-"),
            None,
            Vec::new(),
            Vec::<MediaDescription>::new(),
        );
        for line in lines {
            let Some((kind, value)) = line.split_once('=').filter(|(k, _)| k.len() == 1) else {
                return Err(SdpError::BadLine(line.to_owned()));
            };
            match (kind, media.last_mut()) {
                ("o", _) => {
                    let parts: Vec<&str> = value.split_whitespace().collect();
                    let [user, id, version, "IN", _, address] = parts[..] else {
                        return Err(SdpError::BadOrigin);
                    };
                    origin = Some((
                        user.to_owned(),
                        id.parse().map_err(|_| SdpError::BadOrigin)?,
                        version.parse().map_err(|_| SdpError::BadOrigin)?,
                        address.parse::<IpAddr>().map_err(|_| SdpError::BadOrigin)?,
                    ));
                }
                ("s", _) => name = value.to_owned(),
                ("c", None) => connection = Some(parse_connection(value)?),
                ("c", Some(m)) => m.connection = Some(parse_connection(value)?),
                ("a", None) => attributes.push(parse_attribute(value)),
                ("a", Some(m)) => m.attributes.push(parse_attribute(value)),
                ("m", _) => {
                    let bad = || SdpError::BadMedia(value.to_owned());
                    let mut parts = value.split_whitespace();
                    let (Some(kind), Some(port), Some(protocol)) =
                        (parts.next(), parts.next(), parts.next())
                    else {
                        return Err(bad());
                    };
                    let port = port
                        .split('/')
                        .next()
                        .unwrap_or_default()
                        .parse()
                        .map_err(|_| bad())?;
                    media.push(MediaDescription {
                        kind: kind.to_owned(),
                        port,
                        protocol: protocol.to_owned(),
                        formats: parts.map(str::to_owned).collect(),
                        connection: None,
                        attributes: Vec::new(),
                    });
                }
                // t=, b=, i=, u=, e=, p=, k=, r=, z=: not needed for offer/answer; kept out.
                _ => {}
            }
        }
        let (origin_user, session_id, session_version, origin_address) =
            origin.ok_or(SdpError::MissingOrigin)?;
        Ok(Self {
            origin_user,
            session_id,
            session_version,
            origin_address,
            name,
            connection,
            attributes,
            media,
        })
    }

    /// The connection address of a media section (its own `c=`, else the session's).
    pub fn address_of(&self, media: &MediaDescription) -> Option<IpAddr> {
        media.connection.or(self.connection)
    }
}

fn write_connection(f: &mut fmt::Formatter<'_>, ip: &IpAddr) -> fmt::Result {
    write!(
        f,
        "c=IN {} {ip}\r\n",
        if ip.is_ipv4() { "IP4" } else { "IP6" }
    )
}

fn write_attributes(f: &mut fmt::Formatter<'_>, attributes: &[Attribute]) -> fmt::Result {
    for attribute in attributes {
        match &attribute.value {
            Some(value) => write!(f, "a={}:{value}\r\n", attribute.name)?,
            None => write!(f, "a={}\r\n", attribute.name)?,
        }
    }
    Ok(())
}

impl fmt::Display for SessionDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.origin_address.is_ipv4() {
            "IP4"
        } else {
            "IP6"
        };
        write!(
            f,
            "v=0\r\no={} {} {} IN {kind} {}\r\ns={}\r\n",
            self.origin_user, self.session_id, self.session_version, self.origin_address, self.name
        )?;
        if let Some(ip) = &self.connection {
            write_connection(f, ip)?;
        }
        f.write_str("t=0 0\r\n")?;
        write_attributes(f, &self.attributes)?;
        for media in &self.media {
            write!(f, "m={} {} {}", media.kind, media.port, media.protocol)?;
            for format in &media.formats {
                write!(f, " {format}")?;
            }
            f.write_str("\r\n")?;
            if let Some(ip) = &media.connection {
                write_connection(f, ip)?;
            }
            write_attributes(f, &media.attributes)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BARESIP_OFFER: &str = "v=0\r\no=- 1234 5678 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
        m=audio 20828 RTP/AVP 96 9 0 8 101\r\na=rtpmap:96 opus/48000/2\r\n\
        a=fmtp:96 stereo=1;sprop-stereo=1;maxaveragebitrate=28000\r\na=rtpmap:9 G722/8000\r\n\
        a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=sendrecv\r\na=ptime:20\r\n";

    #[test]
    fn reads_a_real_offer() {
        let sdp = SessionDescription::parse(BARESIP_OFFER).unwrap();
        let audio = &sdp.media[0];
        assert_eq!(
            (audio.kind.as_str(), audio.port, audio.protocol.as_str()),
            ("audio", 20828, "RTP/AVP")
        );
        let maps = audio.rtpmaps();
        let names: Vec<&str> = maps.iter().map(|m| m.encoding.as_str()).collect();
        assert_eq!(
            names,
            ["opus", "G722", "telephone-event", "PCMU", "PCMA"],
            "static 0 and 8 added"
        );
        assert_eq!(maps[0].channels, Some(2));
        assert_eq!(
            audio.fmtp(96),
            Some("stereo=1;sprop-stereo=1;maxaveragebitrate=28000")
        );
        assert_eq!(audio.fmtp(101), Some("0-15"));
        assert_eq!(audio.direction(), Direction::SendRecv);
        assert_eq!(sdp.address_of(audio), Some("127.0.0.1".parse().unwrap()));
        assert_eq!(audio.attribute("ptime"), Some("20"));
    }

    #[test]
    fn print_parse_round_trip_with_ipv6_and_hold() {
        let text = "v=0\r\no=wink 1 2 IN IP6 ::1\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/SAVP 0\r\nc=IN IP6 ::1\r\na=sendonly\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY\r\n";
        let sdp = SessionDescription::parse(text).unwrap();
        assert_eq!(sdp.to_string(), text);
        assert_eq!(sdp.media[0].direction(), Direction::SendOnly);
        assert_eq!(sdp.media[0].direction().answer(), Direction::RecvOnly);
        assert_eq!(SessionDescription::parse(&sdp.to_string()).unwrap(), sdp);
    }

    #[test]
    fn rejects_what_is_not_sdp_with_the_line() {
        assert_eq!(SessionDescription::parse("hello"), Err(SdpError::NotSdp));
        assert_eq!(
            SessionDescription::parse("v=0\r\ns=-\r\n"),
            Err(SdpError::MissingOrigin)
        );
        assert_eq!(
            SessionDescription::parse("v=0\r\no=x\r\n"),
            Err(SdpError::BadOrigin)
        );
        assert_eq!(
            SessionDescription::parse("v=0\r\nnonsense\r\n"),
            Err(SdpError::BadLine("nonsense".into()))
        );
        assert!(matches!(
            SessionDescription::parse("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nc=IN IP4 ::1\r\n"),
            Err(SdpError::BadConnection(_))
        ));
        assert!(matches!(
            SessionDescription::parse("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio x RTP/AVP 0\r\n"),
            Err(SdpError::BadMedia(_))
        ));
    }
}
