//! The real-socket twins of the virtual-clock transaction tests: the SIP agent on UDP
//! sockets, a silent "registrar" that only counts what arrives, and then one that answers.
//! Windows are generous (this checks behaviour, not speed): timer E sends at 0, 0.5, 1.5,
//! 3.5 and 7.5 s, so 5 copies arrive by 9 s and the 6th not before 11.5 s.

use std::time::Duration;

use futures_util::StreamExt;
use tokio::net::UdpSocket;
use tokio::time::{Instant, timeout};
use wink_ports::{
    AccountId, Password, Registration, RegistrationState, SignalingEvent, SignalingPort, SipUri,
};
use wink_sip::agent::{AgentConfig, SipAgent};
use wink_sip::message::{HeaderName, parse};
use wink_sip::transaction::response_to;

async fn agent() -> SipAgent {
    agent_on("127.0.0.1:0").await
}

async fn agent_on(bind: &str) -> SipAgent {
    SipAgent::start(AgentConfig {
        bind: bind.parse().unwrap(),
        announce_ip: None,
        user_agent: "Wink test".into(),
        extra_ca_files: vec![],
        dns_servers: vec![],
    })
    .await
    .expect("the agent binds its loopback address")
}

fn registration(registrar: std::net::SocketAddr) -> Registration {
    Registration {
        account: AccountId::new("alice@127.0.0.1").unwrap(),
        address: SipUri::parse("sip:alice@wink.test").unwrap(),
        display_name: None,
        auth_username: "alice".into(),
        password: Password::new("pw"),
        outbound_proxy: Some(SipUri::parse(&format!("sip:{registrar};transport=udp;lr")).unwrap()),
        expires_secs: 600,
        contact: Default::default(),
    }
}

/// Counts the REGISTERs arriving at `sink` until `until`; answers the `answer_at`-th (1-based) with 200.
async fn count(sink: &UdpSocket, until: Duration, answer_at: Option<usize>) -> Vec<Duration> {
    let start = Instant::now();
    let mut arrivals = Vec::new();
    let mut buffer = vec![0u8; 65_535];
    while let Ok(Ok((n, from))) = timeout(
        until.saturating_sub(start.elapsed()),
        sink.recv_from(&mut buffer),
    )
    .await
    {
        let Ok(request) = parse(&buffer[..n]) else {
            continue;
        };
        arrivals.push(start.elapsed());
        if Some(arrivals.len()) == answer_at {
            let mut ok = response_to(&request, 200, "OK");
            ok.headers.push(
                HeaderName::Contact,
                request
                    .headers
                    .get(&HeaderName::Contact)
                    .unwrap_or_default()
                    .to_owned()
                    + ";expires=600",
            );
            sink.send_to(&ok.to_bytes(), from).await.unwrap();
        }
    }
    arrivals
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unanswered_register_is_retransmitted_with_timer_e_backoff() {
    let sink = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let agent = agent().await;
    agent
        .register(registration(sink.local_addr().unwrap()))
        .await
        .unwrap();
    let arrivals = count(&sink, Duration::from_secs(9), None).await;
    assert_eq!(
        arrivals.len(),
        5,
        "0, 0.5, 1.5, 3.5 and 7.5 s: {arrivals:?}"
    );
    let gaps: Vec<f64> = arrivals
        .windows(2)
        .map(|w| (w[1] - w[0]).as_secs_f64())
        .collect();
    assert!(
        gaps.windows(2).all(|g| g[1] > g[0] * 1.5),
        "each gap about doubles: {gaps:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_final_response_stops_the_retransmissions() {
    let sink = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let agent = agent().await;
    let mut events = agent.events();
    agent
        .register(registration(sink.local_addr().unwrap()))
        .await
        .unwrap();
    // The second copy (at 0.5 s) is answered; nothing more arrives in the next 8 s.
    let arrivals = count(&sink, Duration::from_secs(9), Some(2)).await;
    assert_eq!(arrivals.len(), 2, "{arrivals:?}");
    let registered = timeout(Duration::from_secs(1), async {
        while let Some(event) = events.next().await {
            if let SignalingEvent::Registration {
                state: RegistrationState::Registered { expires_secs },
                ..
            } = event
            {
                return Some(expires_secs);
            }
        }
        None
    })
    .await
    .ok()
    .flatten();
    assert_eq!(registered, Some(600));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_works_over_ipv6_udp() {
    let sink = UdpSocket::bind("[::1]:0")
        .await
        .expect("::1 exists (loopback with IPv6)");
    let agent = agent_on("[::1]:0").await;
    let mut events = agent.events();
    agent
        .register(registration(sink.local_addr().unwrap()))
        .await
        .unwrap();
    let arrivals = count(&sink, Duration::from_secs(2), Some(1)).await;
    assert_eq!(arrivals.len(), 1, "{arrivals:?}");
    let registered = timeout(Duration::from_secs(1), async {
        while let Some(event) = events.next().await {
            if let SignalingEvent::Registration {
                state: RegistrationState::Registered { .. },
                ..
            } = event
            {
                return true;
            }
        }
        false
    })
    .await
    .unwrap_or(false);
    assert!(
        registered,
        "a REGISTER over [::1] was answered and the registration reported"
    );
}
