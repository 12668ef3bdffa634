//! SRTP/SRTCP protection through `webrtc-srtp`, kept in this one module so a swap to its
//! successor (`rtc-srtp`) stays local (STACK.md).

use webrtc_srtp::context::Context;
use webrtc_srtp::option::{srtcp_replay_protection, srtp_replay_protection};
use webrtc_srtp::protection_profile::ProtectionProfile;

use crate::sdes::{CryptoSuite, MasterKey};

/// Packets remembered against replays (RFC 3711 §3.3.2 asks for at least 64).
const REPLAY_WINDOW: usize = 128;

/// The shortest SRTCP packet: RTCP header and sender SSRC (8), the E flag and index (4), the
/// 80-bit tag (both suites use it for RTCP). `webrtc-srtp` 0.17 panics on anything shorter
/// (found by `fuzz/media_packets`), so we check first.
const MIN_SRTCP_LEN: usize = 8 + 4 + RTCP_TAG_LEN;
/// The SRTCP authentication tag (80 bits for both suites).
const RTCP_TAG_LEN: usize = 10;

/// Why a packet could not be protected or unprotected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("SRTP: {0}")]
pub struct SrtpError(String);

fn profile(suite: CryptoSuite) -> ProtectionProfile {
    match suite {
        CryptoSuite::AesCm128HmacSha1_80 => ProtectionProfile::Aes128CmHmacSha1_80,
        CryptoSuite::AesCm128HmacSha1_32 => ProtectionProfile::Aes128CmHmacSha1_32,
    }
}

/// The two SRTP contexts of a call: ours (the key we sent) and theirs.
pub struct SrtpSession {
    outbound: Context,
    inbound: Context,
}

impl std::fmt::Debug for SrtpSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SrtpSession")
    }
}

impl SrtpSession {
    /// Contexts for one negotiated suite: we encrypt with `local`, decrypt with `remote`.
    ///
    /// # Errors
    /// [`SrtpError`] if the library refuses the keys.
    pub fn new(
        suite: CryptoSuite,
        local: &MasterKey,
        remote: &MasterKey,
    ) -> Result<Self, SrtpError> {
        let context = |key: &MasterKey| {
            Context::new(
                key.key(),
                key.salt(),
                profile(suite),
                Some(srtp_replay_protection(REPLAY_WINDOW)),
                Some(srtcp_replay_protection(REPLAY_WINDOW)),
            )
            .map_err(|e| SrtpError(e.to_string()))
        };
        Ok(Self {
            outbound: context(local)?,
            inbound: context(remote)?,
        })
    }

    /// Encrypts and authenticates an RTP packet.
    ///
    /// # Errors
    /// [`SrtpError`] for a packet that is not RTP.
    pub fn protect_rtp(&mut self, packet: &[u8]) -> Result<Vec<u8>, SrtpError> {
        self.outbound
            .encrypt_rtp(packet)
            .map(|b| b.to_vec())
            .map_err(|e| SrtpError(e.to_string()))
    }

    /// Checks and decrypts an SRTP packet (replays and forgeries fail).
    ///
    /// # Errors
    /// [`SrtpError`] for a packet that fails authentication or replay checks.
    pub fn unprotect_rtp(&mut self, packet: &[u8]) -> Result<Vec<u8>, SrtpError> {
        self.inbound
            .decrypt_rtp(packet)
            .map(|b| b.to_vec())
            .map_err(|e| SrtpError(e.to_string()))
    }

    /// Encrypts and authenticates an RTCP packet.
    ///
    /// # Errors
    /// [`SrtpError`] for a packet that is not RTCP.
    pub fn protect_rtcp(&mut self, packet: &[u8]) -> Result<Vec<u8>, SrtpError> {
        self.outbound
            .encrypt_rtcp(packet)
            .map(|b| b.to_vec())
            .map_err(|e| SrtpError(e.to_string()))
    }

    /// Checks and decrypts an SRTCP packet.
    ///
    /// # Errors
    /// [`SrtpError`] for a packet that fails authentication.
    pub fn unprotect_rtcp(&mut self, packet: &[u8]) -> Result<Vec<u8>, SrtpError> {
        if packet.len() < MIN_SRTCP_LEN {
            return Err(SrtpError(format!(
                "an SRTCP packet of {} bytes is too short",
                packet.len()
            )));
        }
        // webrtc-srtp 0.17 returns an SRTCP packet whose E flag is clear without checking
        // its authentication tag. RFC 3711 §3.4 makes authentication mandatory, and we
        // never send unencrypted SRTCP: such a packet can only be forged.
        if packet[packet.len() - RTCP_TAG_LEN - 4] & 0x80 == 0 {
            return Err(SrtpError("an SRTCP packet without the E flag".into()));
        }
        self.inbound
            .decrypt_rtcp(packet)
            .map(|b| b.to_vec())
            .map_err(|e| SrtpError(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rtp_packet(seq: u16) -> Vec<u8> {
        let mut packet = vec![
            0x80,
            0,
            (seq >> 8) as u8,
            seq as u8,
            0,
            0,
            0,
            160,
            1,
            2,
            3,
            4,
        ];
        packet.extend_from_slice(&[0xd5; 160]);
        packet
    }

    #[test]
    fn short_and_garbage_srtcp_is_refused_not_a_panic() {
        let key = MasterKey::random();
        let mut session = SrtpSession::new(CryptoSuite::AesCm128HmacSha1_80, &key, &key).unwrap();
        // The fuzzer's find: an RTCP-looking datagram of 10 bytes.
        let crash = [0x80, 0x02, 0x00, 0x00, 0x03, 0x04, 0x05, 0x0a, 0x00, 0xa0];
        for len in 0..=crash.len() {
            assert!(session.unprotect_rtcp(&crash[..len]).is_err());
        }
        // E flag clear and a zero tag: webrtc-srtp alone would accept this forgery.
        let forged = [
            0x81, 201, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ];
        assert!(session.unprotect_rtcp(&forged).is_err());
        // What we send (E set, real tag) passes.
        let mut peer = SrtpSession::new(CryptoSuite::AesCm128HmacSha1_80, &key, &key).unwrap();
        let report = [0x80, 201, 0, 1, 0, 0, 0, 9];
        let sealed = peer.protect_rtcp(&report).unwrap();
        assert_eq!(session.unprotect_rtcp(&sealed).unwrap(), report);
    }

    #[test]
    fn both_ends_agree_and_tampering_or_replay_fails() {
        for suite in [
            CryptoSuite::AesCm128HmacSha1_80,
            CryptoSuite::AesCm128HmacSha1_32,
        ] {
            let (a_key, b_key) = (MasterKey::random(), MasterKey::random());
            let mut alice = SrtpSession::new(suite, &a_key, &b_key).unwrap();
            let mut bob = SrtpSession::new(suite, &b_key, &a_key).unwrap();
            let plain = rtp_packet(7);
            let sealed = alice.protect_rtp(&plain).unwrap();
            assert_ne!(
                sealed[12..172],
                plain[12..172],
                "{suite:?}: payload not encrypted"
            );
            assert_eq!(bob.unprotect_rtp(&sealed).unwrap(), plain);
            assert!(
                bob.unprotect_rtp(&sealed).is_err(),
                "{suite:?}: replay accepted"
            );
            let mut forged = alice.protect_rtp(&rtp_packet(8)).unwrap();
            forged[20] ^= 1;
            assert!(
                bob.unprotect_rtp(&forged).is_err(),
                "{suite:?}: forgery accepted"
            );
        }
    }
}
