use super::*;

const BARESIP_OFFER: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
m=audio 10000 RTP/AVP 96 9 0 8 101\r\n\
a=rtpmap:96 opus/48000/2\r\na=fmtp:96 stereo=1;sprop-stereo=1\r\n\
a=rtpmap:9 G722/8000\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n\
a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n\
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n\
a=sendrecv\r\n";

fn local() -> SocketAddr {
    "127.0.0.1:20000".parse().unwrap()
}

fn negotiation(codecs: &[CodecKind], srtp: SrtpPolicy) -> Negotiation {
    Negotiation::new(
        MediaProfile {
            codecs: codecs.to_vec(),
            srtp,
        },
        local(),
        42,
    )
}

fn parse(text: &str) -> SessionDescription {
    SessionDescription::parse(text).unwrap()
}

#[test]
fn the_answer_takes_our_first_codec_that_was_offered() {
    let mut ours = negotiation(&[CodecKind::Pcma, CodecKind::Opus], SrtpPolicy::Optional);
    let (answer, negotiated) = ours.answer_offer(&parse(BARESIP_OFFER)).unwrap();
    assert_eq!(negotiated.codec, CodecKind::Pcma);
    assert_eq!(negotiated.send_payload_type, 8);
    assert_eq!(negotiated.remote_rtp, "127.0.0.1:10000".parse().unwrap());
    assert_eq!(negotiated.remote_rtcp, "127.0.0.1:10001".parse().unwrap());
    assert_eq!(negotiated.dtmf.unwrap().send, 101);
    assert!(negotiated.srtp.is_some());
    let text = answer.to_string();
    assert!(text.contains("m=audio 20000 RTP/AVP 8 101\r\n"), "{text}");
    assert!(
        text.contains("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"),
        "{text}"
    );
    assert!(
        !text.contains("PS1uQCVe"),
        "our answer must carry our own key"
    );
}

#[test]
fn our_offer_lists_the_codecs_in_the_users_order_with_dtmf_and_keys() {
    let mut ours = negotiation(&[CodecKind::G722, CodecKind::Opus], SrtpPolicy::Mandatory);
    let text = ours.create_offer().to_string();
    assert!(
        text.contains("m=audio 20000 RTP/SAVP 9 96 101\r\n"),
        "{text}"
    );
    assert!(text.contains("a=rtpmap:96 opus/48000/2\r\n"));
    assert!(text.contains("a=fmtp:96 useinbandfec=1"));
    assert!(text.contains("a=rtpmap:101 telephone-event/8000\r\n"));
    assert_eq!(text.matches("a=crypto:").count(), 2);
    assert!(text.contains("a=sendrecv"));
}

#[test]
fn an_answer_is_read_against_our_offer() {
    let mut ours = negotiation(&[CodecKind::Opus, CodecKind::Pcmu], SrtpPolicy::Optional);
    let offer = ours.create_offer().to_string();
    let our_key = offer
        .lines()
        .find(|l| l.starts_with("a=crypto:1 "))
        .unwrap()
        .to_owned();
    let answer = "v=0\r\no=- 5 5 IN IP6 ::1\r\ns=-\r\nc=IN IP6 ::1\r\nt=0 0\r\n\
        m=audio 4000 RTP/AVP 111 100\r\na=rtpmap:111 OPUS/48000/2\r\n\
        a=rtpmap:100 telephone-event/8000\r\na=rtcp:4005\r\n\
        a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n";
    let negotiated = ours.receive_answer(&parse(answer)).unwrap().clone();
    assert_eq!(negotiated.codec, CodecKind::Opus);
    assert_eq!(
        negotiated.send_payload_type, 111,
        "we send with their number"
    );
    assert_eq!(negotiated.receive_payload_type, 96, "they send with ours");
    assert_eq!(negotiated.remote_rtp, "[::1]:4000".parse().unwrap());
    assert_eq!(negotiated.remote_rtcp, "[::1]:4005".parse().unwrap());
    let keys = negotiated.srtp.unwrap();
    let expected = CryptoAttribute::parse(our_key.trim_start_matches("a=crypto:")).unwrap();
    assert_eq!(keys.local, expected.key);
}

#[test]
fn hold_goes_sendonly_and_is_answered_recvonly() {
    let mut holder = negotiation(&[CodecKind::Pcmu], SrtpPolicy::Off);
    holder.set_on_hold(true);
    let offer = holder.create_offer();
    assert!(offer.to_string().contains("a=sendonly"));
    let mut held = negotiation(&[CodecKind::Pcmu], SrtpPolicy::Off);
    let (answer, negotiated) = held.answer_offer(&offer).unwrap();
    assert_eq!(negotiated.direction, Direction::RecvOnly);
    assert!(answer.to_string().contains("a=recvonly"));
    let negotiated = holder.receive_answer(&answer).unwrap();
    assert_eq!(negotiated.direction, Direction::SendOnly);
}

#[test]
fn the_version_goes_up_only_when_the_description_changes() {
    let mut ours = negotiation(&[CodecKind::Pcmu], SrtpPolicy::Off);
    let first = ours.create_offer().session_version;
    assert_eq!(ours.create_offer().session_version, first);
    ours.set_on_hold(true);
    assert_eq!(ours.create_offer().session_version, first + 1);
}

#[test]
fn other_streams_are_refused_with_port_zero_in_order() {
    let offer = format!(
        "{}m=video 10002 RTP/AVP 97\r\na=rtpmap:97 H264/90000\r\n",
        BARESIP_OFFER
    );
    let mut ours = negotiation(&[CodecKind::Pcmu], SrtpPolicy::Optional);
    let (answer, _) = ours.answer_offer(&parse(&offer)).unwrap();
    assert_eq!(answer.media.len(), 2);
    assert_eq!(answer.media[1].port, 0);
    assert_eq!(answer.media[1].kind, "video");
}

#[test]
fn what_cannot_be_agreed_is_a_clear_refusal() {
    let g729_only = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
        m=audio 10000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n";
    let error = negotiation(&[CodecKind::Pcmu], SrtpPolicy::Optional)
        .answer_offer(&parse(g729_only))
        .unwrap_err();
    assert!(
        matches!(&error, MediaError::NotAcceptable(r) if r.contains("G729")),
        "{error}"
    );

    let plain = BARESIP_OFFER.replace(
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n",
        "",
    );
    assert!(matches!(
        negotiation(&[CodecKind::Pcmu], SrtpPolicy::Mandatory).answer_offer(&parse(&plain)),
        Err(MediaError::NotAcceptable(_))
    ));
    let savp = BARESIP_OFFER.replace("RTP/AVP", "RTP/SAVP");
    assert!(matches!(
        negotiation(&[CodecKind::Pcmu], SrtpPolicy::Off).answer_offer(&parse(&savp)),
        Err(MediaError::NotAcceptable(_))
    ));
    let rejected = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
        m=audio 0 RTP/AVP 0\r\n";
    let mut ours = negotiation(&[CodecKind::Pcmu], SrtpPolicy::Off);
    ours.create_offer();
    assert!(matches!(
        ours.receive_answer(&parse(rejected)),
        Err(MediaError::NotAcceptable(_))
    ));
}

#[test]
fn an_offer_with_only_plain_rtp_is_answered_plain_when_srtp_is_optional() {
    let plain = BARESIP_OFFER.replace(
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n",
        "",
    );
    let mut ours = negotiation(&[CodecKind::Opus], SrtpPolicy::Optional);
    let (answer, negotiated) = ours.answer_offer(&parse(&plain)).unwrap();
    assert!(negotiated.srtp.is_none());
    assert!(!answer.to_string().contains("a=crypto"));
}
