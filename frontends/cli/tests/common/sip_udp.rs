//! Talking SIP over UDP from a test: one request out, its answer back.

use std::net::UdpSocket;
use std::time::{Duration, Instant};

/// A response as it came back: its status line and headers.
pub(crate) struct Answer {
    /// The status code.
    pub(crate) code: u16,
    /// The status line.
    pub(crate) status_line: String,
    /// The whole response.
    pub(crate) text: String,
}

impl Answer {
    /// Reads a response; `None` for anything else.
    pub(crate) fn parse(bytes: &[u8]) -> Option<Self> {
        let text = String::from_utf8_lossy(bytes).into_owned();
        let status_line = text.lines().next()?.to_owned();
        let code = status_line.split(' ').nth(1)?.parse().ok()?;
        Some(Self {
            code,
            status_line,
            text,
        })
    }

    /// Whether it carries header `name`.
    pub(crate) fn has_header(&self, name: &str) -> bool {
        self.text.lines().any(|line| {
            line.split_once(':')
                .is_some_and(|(header, _)| header.trim().eq_ignore_ascii_case(name))
        })
    }
}

/// Sends `bytes` to `to` from a socket of its own; returns the final answer (or the last
/// provisional one when no final one came within `wait`).
pub(crate) fn send(bytes: &[u8], to: &str, wait: Duration) -> Option<Answer> {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("a local UDP socket");
    socket.send_to(bytes, to).expect("the datagram is sent");
    let deadline = Instant::now() + wait;
    let mut last = None;
    let mut buffer = vec![0; 65_536];
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        socket
            .set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .expect("a read timeout");
        let Ok(n) = socket.recv(&mut buffer) else {
            break;
        };
        let Some(answer) = Answer::parse(&buffer[..n]) else {
            continue;
        };
        let final_answer = answer.code >= 200;
        last = Some(answer);
        if final_answer {
            break;
        }
    }
    last
}

/// A plain OPTIONS, answered 200 while the listener at `to` is well.
pub(crate) fn options_answered(to: &str, round: usize) -> bool {
    let request = format!(
        "OPTIONS sip:user@{to} SIP/2.0\r\n\
         Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-probe-{round}\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:probe@wink.test>;tag=probe{round}\r\n\
         To: <sip:user@wink.test>\r\n\
         Call-ID: probe-{round}@wink.test\r\n\
         CSeq: 1 OPTIONS\r\n\
         Content-Length: 0\r\n\r\n"
    );
    send(request.as_bytes(), to, Duration::from_secs(1)).is_some_and(|a| a.code == 200)
}
