//! SDES (RFC 4568): the `a=crypto` attribute that carries SRTP master keys in the SDP.
//!
//! Keys are printed only into the SDP itself; their `Debug` form is redacted.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore as _;
use zeroize::Zeroizing;

/// Master key (16 bytes) plus master salt (14 bytes) of the AES-CM suites.
pub const MASTER_KEY_AND_SALT_LEN: usize = 30;
/// The master key part.
pub const MASTER_KEY_LEN: usize = 16;

/// The crypto suites we speak (those `webrtc-srtp` implements for SDES).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CryptoSuite {
    /// AES counter mode, HMAC-SHA1 with an 80-bit tag (the one everybody has).
    AesCm128HmacSha1_80,
    /// The same with a 32-bit tag (less overhead per packet).
    AesCm128HmacSha1_32,
}

impl CryptoSuite {
    /// The name in `a=crypto`.
    pub fn name(self) -> &'static str {
        match self {
            CryptoSuite::AesCm128HmacSha1_80 => "AES_CM_128_HMAC_SHA1_80",
            CryptoSuite::AesCm128HmacSha1_32 => "AES_CM_128_HMAC_SHA1_32",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        [
            CryptoSuite::AesCm128HmacSha1_80,
            CryptoSuite::AesCm128HmacSha1_32,
        ]
        .into_iter()
        .find(|suite| suite.name().eq_ignore_ascii_case(name))
    }
}

/// An SRTP master key and salt; zeroed when dropped, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct MasterKey(Zeroizing<[u8; MASTER_KEY_AND_SALT_LEN]>);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(redacted)")
    }
}

impl MasterKey {
    /// A fresh random key from the operating system's generator.
    pub fn random() -> Self {
        let mut bytes = Zeroizing::new([0u8; MASTER_KEY_AND_SALT_LEN]);
        rand::rng().fill_bytes(bytes.as_mut());
        Self(bytes)
    }

    /// The 16-byte key.
    pub fn key(&self) -> &[u8] {
        &self.0[..MASTER_KEY_LEN]
    }

    /// The 14-byte salt.
    pub fn salt(&self) -> &[u8] {
        &self.0[MASTER_KEY_LEN..]
    }
}

/// One `a=crypto` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CryptoAttribute {
    /// The tag that pairs an answer's line with the offer's.
    pub tag: u32,
    /// The suite.
    pub suite: CryptoSuite,
    /// The sender's master key.
    pub key: MasterKey,
}

/// Why an `a=crypto` line is not one we can use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SdesError {
    /// The line does not parse.
    #[error("malformed a=crypto line")]
    Malformed,
    /// A suite we do not implement (the offer may carry others we do).
    #[error("unsupported crypto suite {0}")]
    UnsupportedSuite(String),
    /// A key with an MKI or a non-default key derivation rate: not supported by our SRTP.
    #[error("unsupported SDES key parameters (MKI or session parameters)")]
    UnsupportedKeyParameters,
}

impl CryptoAttribute {
    /// Parses the value of an `a=crypto` attribute: `TAG SUITE inline:KEY[|LIFETIME][|MKI:LEN]`.
    ///
    /// # Errors
    /// [`SdesError`] for a malformed line, a suite we lack, or key parameters we cannot honour.
    pub fn parse(value: &str) -> Result<Self, SdesError> {
        let mut parts = value.split_ascii_whitespace();
        let tag = parts
            .next()
            .and_then(|t| t.parse().ok())
            .ok_or(SdesError::Malformed)?;
        let suite_name = parts.next().ok_or(SdesError::Malformed)?;
        let key_params = parts.next().ok_or(SdesError::Malformed)?;
        if parts.next().is_some() {
            // Session parameters (KDR, UNENCRYPTED_SRTP, ...) change how SRTP works.
            return Err(SdesError::UnsupportedKeyParameters);
        }
        let suite = CryptoSuite::from_name(suite_name)
            .ok_or_else(|| SdesError::UnsupportedSuite(suite_name.to_owned()))?;
        // Several keys are separated by ';': the first one is the one in use.
        let first = key_params.split(';').next().unwrap_or_default();
        let inline = first.strip_prefix("inline:").ok_or(SdesError::Malformed)?;
        let mut fields = inline.split('|');
        let encoded = fields.next().unwrap_or_default();
        for field in fields {
            if field.contains(':') {
                return Err(SdesError::UnsupportedKeyParameters);
            }
        }
        let decoded = Zeroizing::new(STANDARD.decode(encoded).map_err(|_| SdesError::Malformed)?);
        let bytes: [u8; MASTER_KEY_AND_SALT_LEN] = decoded
            .as_slice()
            .try_into()
            .map_err(|_| SdesError::Malformed)?;
        Ok(Self {
            tag,
            suite,
            key: MasterKey(Zeroizing::new(bytes)),
        })
    }

    /// The attribute value, as it goes into the SDP.
    pub fn to_value(&self) -> String {
        format!(
            "{} {} inline:{}",
            self.tag,
            self.suite.name(),
            STANDARD.encode(self.key.0.as_ref())
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_4568_example_parses_and_prints_back() {
        let line = "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20";
        let attribute = CryptoAttribute::parse(line).unwrap();
        assert_eq!(attribute.tag, 1);
        assert_eq!(attribute.suite, CryptoSuite::AesCm128HmacSha1_80);
        assert_eq!(
            attribute.to_value(),
            "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR"
        );
        assert!(!format!("{attribute:?}").contains("PS1u"));
    }

    #[test]
    fn what_we_cannot_honour_is_refused_with_a_reason() {
        let key = "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR";
        assert_eq!(
            CryptoAttribute::parse(&format!("1 AES_CM_128_HMAC_SHA1_80 inline:{key}|2^20|1:4")),
            Err(SdesError::UnsupportedKeyParameters)
        );
        assert_eq!(
            CryptoAttribute::parse(&format!("1 AES_256_CM_HMAC_SHA1_80 inline:{key}")),
            Err(SdesError::UnsupportedSuite(
                "AES_256_CM_HMAC_SHA1_80".into()
            ))
        );
        assert_eq!(
            CryptoAttribute::parse("1 AES_CM_128_HMAC_SHA1_80 inline:c2hvcnQ="),
            Err(SdesError::Malformed)
        );
        assert_eq!(CryptoAttribute::parse("x"), Err(SdesError::Malformed));
    }

    #[test]
    fn random_keys_differ() {
        assert_ne!(MasterKey::random(), MasterKey::random());
    }
}
