//! Parse and serialize throughput of typical SIP messages (`cargo bench -p wink-sip`).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use wink_sip::message::{parse, validate_request};

const INVITE: &[u8] = b"INVITE sip:bob@wink.test SIP/2.0\r\n\
Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK776asdhds;rport\r\n\
Max-Forwards: 70\r\n\
To: Bob <sip:bob@wink.test>\r\n\
From: Alice <sip:alice@wink.test>;tag=1928301774\r\n\
Call-ID: a84b4c76e66710@pc33.wink.test\r\n\
CSeq: 314159 INVITE\r\n\
Contact: <sip:w7f3a9@127.0.0.1:5070;transport=udp>\r\n\
Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, REFER, NOTIFY, INFO, UPDATE\r\n\
User-Agent: Wink/0.1.0\r\n\
Content-Type: application/sdp\r\n\
Content-Length: 215\r\n\r\n\
v=0\r\no=wink 2890844526 2890844526 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
m=audio 49170 RTP/AVP 96 9 0 8 101\r\na=rtpmap:96 opus/48000/2\r\na=rtpmap:9 G722/8000\r\n\
a=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n";

const OK: &[u8] = b"SIP/2.0 200 OK\r\n\
Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKnashds8;received=127.0.0.1\r\n\
Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK776asdhds;rport=5070\r\n\
Record-Route: <sip:127.0.0.1;lr>\r\n\
To: Bob <sip:bob@wink.test>;tag=a6c85cf\r\n\
From: Alice <sip:alice@wink.test>;tag=1928301774\r\n\
Call-ID: a84b4c76e66710@pc33.wink.test\r\n\
CSeq: 314159 INVITE\r\n\
Contact: <sip:bob@127.0.0.1:5072>\r\n\
Content-Length: 0\r\n\r\n";

const REGISTER: &[u8] = b"REGISTER sip:wink.test SIP/2.0\r\n\
Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKnashds7;rport\r\n\
Max-Forwards: 70\r\n\
To: Alice <sip:alice@wink.test>\r\n\
From: Alice <sip:alice@wink.test>;tag=456248\r\n\
Call-ID: 843817637684230@998sdasdh09\r\n\
CSeq: 1826 REGISTER\r\n\
Contact: <sip:w7f3a9@127.0.0.1:5070;transport=udp>\r\n\
Authorization: Digest username=\"alice\", realm=\"wink.test\", nonce=\"abc\", uri=\"sip:wink.test\", response=\"6629fae49393a05397450978507c4ef1\", algorithm=MD5, cnonce=\"0a4f113b\", qop=auth, nc=00000001\r\n\
Expires: 600\r\n\
Content-Length: 0\r\n\r\n";

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("sip");
    for (name, bytes) in [("invite", INVITE), ("200_ok", OK), ("register", REGISTER)] {
        group.throughput(Throughput::Elements(1));
        group.bench_function(format!("parse_{name}"), |b| {
            b.iter(|| parse(black_box(bytes)).unwrap())
        });
        let message = parse(bytes).unwrap();
        group.bench_function(format!("serialize_{name}"), |b| {
            b.iter(|| black_box(&message).to_bytes())
        });
        if message.is_request() {
            group.bench_function(format!("parse_and_validate_{name}"), |b| {
                b.iter(|| validate_request(&parse(black_box(bytes)).unwrap()).unwrap())
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
