//! An `m=message` section (RFC 4975 §8, RFC 6135, RFC 5547) read from and written to the
//! shared SDP model: the stream's path, what it accepts, who connects, and for a file
//! transfer, which file.

use std::net::IpAddr;

use crate::sdp::{Attribute, Direction, MediaDescription, SdpError};

/// Who opens the connection (RFC 6135 `a=setup`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setup {
    /// This side connects.
    Active,
    /// This side listens.
    Passive,
    /// Either (an offer): the answerer picks.
    ActPass,
}

impl Setup {
    fn as_str(self) -> &'static str {
        match self {
            Setup::Active => "active",
            Setup::Passive => "passive",
            Setup::ActPass => "actpass",
        }
    }

    fn parse(value: &str) -> Option<Self> {
        match value.trim() {
            "active" => Some(Setup::Active),
            "passive" => Some(Setup::Passive),
            "actpass" => Some(Setup::ActPass),
            _ => None,
        }
    }
}

/// `a=file-selector` (RFC 5547 §6): what identifies the file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FileSelector {
    /// `name:"…"`.
    pub name: Option<String>,
    /// `type:…`.
    pub media_type: Option<String>,
    /// `size:…`, in bytes.
    pub size: Option<u64>,
    /// `hash:sha-1:…`: the SHA-1 as 20 bytes.
    pub sha1: Option<[u8; 20]>,
}

impl FileSelector {
    /// Parses the attribute's value.
    pub fn parse(value: &str) -> Self {
        let mut selector = FileSelector::default();
        let mut rest = value.trim();
        while !rest.is_empty() {
            let (item, after) = if let Some(name) = rest.strip_prefix("name:\"") {
                match name.find('"') {
                    Some(end) => {
                        selector.name = Some(name[..end].to_owned());
                        ("", &name[end + 1..])
                    }
                    None => ("", ""),
                }
            } else {
                rest.split_once(' ').unwrap_or((rest, ""))
            };
            if let Some(kind) = item.strip_prefix("type:") {
                selector.media_type = Some(kind.to_owned());
            } else if let Some(size) = item.strip_prefix("size:") {
                selector.size = size.parse().ok();
            } else if let Some(hash) = item.strip_prefix("hash:sha-1:") {
                selector.sha1 = parse_sha1(hash);
            }
            rest = after.trim_start();
        }
        selector
    }

    /// The attribute's value.
    pub fn to_value(&self) -> String {
        let mut items = Vec::new();
        if let Some(name) = &self.name {
            items.push(format!("name:\"{}\"", name.replace('"', "'")));
        }
        if let Some(kind) = &self.media_type {
            items.push(format!("type:{kind}"));
        }
        if let Some(size) = self.size {
            items.push(format!("size:{size}"));
        }
        if let Some(hash) = &self.sha1 {
            let hex: Vec<String> = hash.iter().map(|b| format!("{b:02X}")).collect();
            items.push(format!("hash:sha-1:{}", hex.join(":")));
        }
        items.join(" ")
    }
}

fn parse_sha1(hex: &str) -> Option<[u8; 20]> {
    let bytes: Vec<u8> = hex
        .split(':')
        .map(|pair| u8::from_str_radix(pair, 16).ok())
        .collect::<Option<_>>()?;
    bytes.try_into().ok()
}

/// The file of a file-transfer stream (RFC 5547).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FileAttributes {
    /// `a=file-selector`.
    pub selector: FileSelector,
    /// `a=file-transfer-id`: the transfer's id (a new one means a new transfer).
    pub transfer_id: Option<String>,
    /// `a=file-disposition` (`attachment`, `render`).
    pub disposition: Option<String>,
    /// `a=file-date`, as written.
    pub date: Option<String>,
    /// `a=file-range:<start>-<stop>`: the bytes asked for (from 1; `None` for `*`), for
    /// resuming.
    pub range: Option<(u64, Option<u64>)>,
}

/// One `m=message` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageSection {
    /// `TCP/TLS/MSRP` (msrps) rather than `TCP/MSRP`.
    pub secure: bool,
    /// The port of the first hop (the `m=` line's port; 0 refuses the stream).
    pub port: u16,
    /// The section's own `c=` address, when it has one.
    pub address: Option<IpAddr>,
    /// `a=path`: the MSRP URIs, relays first, the endpoint last.
    pub path: Vec<String>,
    /// `a=accept-types`.
    pub accept_types: Vec<String>,
    /// `a=accept-wrapped-types` (inside `message/cpim`).
    pub accept_wrapped_types: Vec<String>,
    /// `a=max-size`.
    pub max_size: Option<u64>,
    /// `a=setup`; RFC 4975 without it: the offerer listens.
    pub setup: Option<Setup>,
    /// `sendonly` for a file offered, `recvonly` for one asked for.
    pub direction: Direction,
    /// The file, for a file transfer.
    pub file: Option<FileAttributes>,
}

impl MessageSection {
    /// Reads an `m=message` section.
    ///
    /// # Errors
    /// [`SdpError::BadMedia`] when it is not an MSRP section or has no `a=path`.
    pub fn from_media(media: &MediaDescription) -> Result<Self, SdpError> {
        let bad = || {
            SdpError::BadMedia(format!(
                "m={} {} {}",
                media.kind, media.port, media.protocol
            ))
        };
        let secure = match media.protocol.as_str() {
            "TCP/MSRP" => false,
            "TCP/TLS/MSRP" => true,
            _ => return Err(bad()),
        };
        if media.kind != "message" {
            return Err(bad());
        }
        let list = |name: &str| -> Vec<String> {
            media
                .attribute(name)
                .map(|v| v.split_ascii_whitespace().map(str::to_owned).collect())
                .unwrap_or_default()
        };
        let path = list("path");
        if path.is_empty() && media.port != 0 {
            return Err(bad());
        }
        let file = media
            .attribute("file-selector")
            .map(|selector| FileAttributes {
                selector: FileSelector::parse(selector),
                transfer_id: media.attribute("file-transfer-id").map(str::to_owned),
                disposition: media.attribute("file-disposition").map(str::to_owned),
                date: media.attribute("file-date").map(str::to_owned),
                range: media.attribute("file-range").and_then(parse_range),
            });
        Ok(MessageSection {
            secure,
            port: media.port,
            address: media.connection,
            path,
            accept_types: list("accept-types"),
            accept_wrapped_types: list("accept-wrapped-types"),
            max_size: media
                .attribute("max-size")
                .and_then(|v| v.trim().parse().ok()),
            setup: media.attribute("setup").and_then(Setup::parse),
            direction: media.direction(),
            file,
        })
    }

    /// Writes the section.
    pub fn to_media(&self) -> MediaDescription {
        let mut attributes = Vec::new();
        let mut add = |name: &str, value: Option<String>| {
            attributes.push(Attribute {
                name: name.to_owned(),
                value,
            });
        };
        add("accept-types", Some(self.accept_types.join(" ")));
        if !self.accept_wrapped_types.is_empty() {
            add(
                "accept-wrapped-types",
                Some(self.accept_wrapped_types.join(" ")),
            );
        }
        if let Some(size) = self.max_size {
            add("max-size", Some(size.to_string()));
        }
        add("path", Some(self.path.join(" ")));
        if let Some(setup) = self.setup {
            add("setup", Some(setup.as_str().to_owned()));
        }
        if let Some(file) = &self.file {
            add("file-selector", Some(file.selector.to_value()));
            if let Some(id) = &file.transfer_id {
                add("file-transfer-id", Some(id.clone()));
            }
            if let Some(disposition) = &file.disposition {
                add("file-disposition", Some(disposition.clone()));
            }
            if let Some(date) = &file.date {
                add("file-date", Some(date.clone()));
            }
            if let Some((start, stop)) = file.range {
                let stop = stop.map_or_else(|| "*".to_owned(), |s| s.to_string());
                add("file-range", Some(format!("{start}-{stop}")));
            }
        }
        if self.direction != Direction::SendRecv {
            add(self.direction.as_str(), None);
        }
        MediaDescription {
            kind: "message".to_owned(),
            port: self.port,
            protocol: if self.secure {
                "TCP/TLS/MSRP"
            } else {
                "TCP/MSRP"
            }
            .to_owned(),
            formats: vec!["*".to_owned()],
            connection: self.address,
            attributes,
        }
    }
}

fn parse_range(value: &str) -> Option<(u64, Option<u64>)> {
    let (start, stop) = value.trim().split_once('-')?;
    let stop = match stop {
        "*" => None,
        n => Some(n.parse().ok()?),
    };
    Some((start.parse().ok()?, stop))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sdp::SessionDescription;

    /// The file-transfer offer of RFC 5547 §9.1, with Blink's chat section beside it.
    const OFFER: &str = "v=0\r\no=alice 2890844526 2890844526 IN IP4 192.0.2.1\r\n\
        s=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n\
        m=message 7654 TCP/MSRP *\r\n\
        i=This is my latest picture\r\n\
        a=sendonly\r\n\
        a=accept-types:message/cpim\r\n\
        a=accept-wrapped-types:*\r\n\
        a=path:msrp://atlanta.example.com:7654/jshA7we;tcp\r\n\
        a=file-selector:name:\"My cool picture.jpg\" type:image/jpeg size:32349 hash:sha-1:72:24:5F:E8:65:3D:DA:F3:71:36:2F:86:D4:71:91:3E:E4:A2:CE:2E\r\n\
        a=file-transfer-id:vBnG916bdberum2fFEABR1FR3ExZMUrd\r\n\
        a=file-disposition:render\r\n\
        a=file-date:creation:\"Mon, 15 May 2006 15:01:31 +0300\"\r\n\
        m=message 2855 TCP/TLS/MSRP *\r\n\
        a=accept-types:message/cpim text/plain\r\n\
        a=path:msrps://relay.example.com:2855/aa;tcp msrps://10.0.0.2:40000/bb;tcp\r\n\
        a=setup:actpass\r\n\
        a=max-size:10000\r\n";

    fn sections() -> Vec<MessageSection> {
        let sdp = SessionDescription::parse(OFFER).unwrap();
        sdp.media
            .iter()
            .map(|m| MessageSection::from_media(m).unwrap())
            .collect()
    }

    #[test]
    fn the_rfc_file_offer_and_a_chat_section_read_back() {
        let [file, chat] = <[MessageSection; 2]>::try_from(sections()).unwrap();
        assert_eq!(file.direction, Direction::SendOnly);
        assert_eq!(
            file.path,
            vec!["msrp://atlanta.example.com:7654/jshA7we;tcp"]
        );
        let attributes = file.file.unwrap();
        assert_eq!(
            attributes.selector.name.as_deref(),
            Some("My cool picture.jpg")
        );
        assert_eq!(attributes.selector.size, Some(32349));
        assert_eq!(attributes.selector.sha1.unwrap()[..3], [0x72, 0x24, 0x5F]);
        assert_eq!(attributes.disposition.as_deref(), Some("render"));
        assert!(chat.secure);
        assert_eq!(chat.path.len(), 2);
        assert_eq!(chat.setup, Some(Setup::ActPass));
        assert_eq!(chat.max_size, Some(10000));
        assert_eq!(chat.accept_types, vec!["message/cpim", "text/plain"]);
    }

    #[test]
    fn a_written_section_reads_back_the_same() {
        for mut section in sections() {
            if let Some(file) = section.file.as_mut() {
                file.range = Some((1001, None));
            }
            let again = MessageSection::from_media(&section.to_media()).unwrap();
            assert_eq!(again, section);
        }
    }

    #[test]
    fn a_section_that_is_not_msrp_or_has_no_path_is_refused() {
        let sdp = SessionDescription::parse(OFFER).unwrap();
        let mut audio = sdp.media[1].clone();
        audio.protocol = "RTP/AVP".into();
        assert!(MessageSection::from_media(&audio).is_err());
        let mut no_path = sdp.media[1].clone();
        no_path.attributes.retain(|a| a.name != "path");
        assert!(MessageSection::from_media(&no_path).is_err());
    }
}
