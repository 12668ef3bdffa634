//! Keeping one account registered (RFC 3261 §10), sans-IO: REGISTER with digest answers,
//! refresh before expiry, `423 Interval Too Brief`, back-off after failures (RFC 5626
//! §4.5), and unregistering (`Expires: 0`).
//!
//! A keep-alive OPTIONS goes to the registrar every [`KEEPALIVE`] while registered: when
//! it goes unanswered the account shows the failure at once (not at the next refresh, up
//! to an hour later). While the server is silent the probe goes on, one at a time; the
//! first answer means the server is back, and the account registers at once instead of
//! waiting out its back-off.
//!
//! The machine builds requests without a Via (the endpoint adds one per transaction) and
//! hears back the final responses and timeouts of those transactions.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use wink_ports::{AccountId, RegistrationState};

use crate::digest::{Challenge, Credentials, DigestClient};
use crate::ids::Ids;
use crate::message::{CSeq, HeaderName, Message, Method, NameAddr};

mod backoff;

pub use backoff::{BASE_TIME, Jitter, MAX_TIME, wait_after};

/// How often the registrar is probed with OPTIONS while registered.
pub const KEEPALIVE: Duration = Duration::from_secs(30);
/// How often it is probed while it is silent (start to start; over UDP one probe lasts
/// 32 s, so they follow each other; over TCP a refused connection fails a probe at once).
pub const SILENT_PROBE: Duration = Duration::from_secs(5);

/// What a registration needs to know.
#[derive(Debug, Clone)]
pub struct RegistrationConfig {
    /// The account.
    pub account: AccountId,
    /// The address of record, `sip:user@domain`.
    pub aor: String,
    /// The registrar's URI (the Request-URI), `sip:domain`.
    pub registrar: String,
    /// Display name for From/To.
    pub display_name: Option<String>,
    /// Digest credentials.
    pub credentials: Credentials,
    /// Our Contact URI.
    pub contact: String,
    /// The lifetime to ask for.
    pub expires: u32,
    /// A pre-loaded route (the outbound proxy, with `;lr`).
    pub route: Option<String>,
    /// The User-Agent header.
    pub user_agent: String,
}

/// What the registration asks of the endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistrationOutput {
    /// Start a client transaction with this REGISTER (the endpoint adds the Via).
    Send(Message),
    /// Start a client transaction with this keep-alive OPTIONS; tell
    /// [`Registration::on_probe_answered`] or [`Registration::on_probe_failed`] its end.
    Probe(Message),
    /// The state changed: tell the domain.
    State(RegistrationState),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Idle,
    Registering,
    Registered,
    Unregistering,
    Unregistered,
    Failed,
}

/// One account's registration.
#[derive(Debug)]
pub struct Registration {
    config: RegistrationConfig,
    call_id: String,
    from_tag: String,
    cseq: u32,
    digest: DigestClient,
    authorization_header: HeaderName,
    phase: Phase,
    expires: u32,
    wake_at: Option<Instant>,
    /// Consecutive failures, for the back-off.
    failures: u32,
    jitter: Jitter,
    /// The digest cnonces (seeded by the Call-ID, so a replay is exact).
    ids: Ids,
    /// When the next keep-alive OPTIONS is due (while registered, or while silent); `None`
    /// while one is out.
    probe_at: Option<Instant>,
    /// When the keep-alive that is out was sent.
    probe_sent_at: Option<Instant>,
    /// The last failure was silence (no answer at all), not a refusal: probing may end it.
    silent: bool,
    /// Our previous Contact, after our address changed: removed (`expires=0`) by the next
    /// REGISTER, so the registrar stops sending calls where nobody listens.
    dropped_contact: Option<String>,
    outputs: VecDeque<RegistrationOutput>,
}

/// When to refresh a registration granted for `expires` seconds: a margin of a tenth, at
/// least 5 s, so a slow network never lets it lapse.
fn refresh_delay(expires: u32) -> Duration {
    let margin = (expires / 10).max(5);
    Duration::from_secs(u64::from(expires.saturating_sub(margin).max(1)))
}

impl Registration {
    /// A registration with its own Call-ID and From tag (kept across refreshes).
    pub fn new(config: RegistrationConfig, call_id: String, from_tag: String) -> Self {
        let expires = config.expires;
        Self {
            jitter: Jitter::seeded(&call_id),
            ids: Ids::seeded(crate::ids::stable_hash(&call_id)),
            digest: DigestClient::new(config.credentials.clone()),
            config,
            call_id,
            from_tag,
            cseq: 0,
            authorization_header: HeaderName::Authorization,
            phase: Phase::Idle,
            expires,
            wake_at: None,
            failures: 0,
            probe_at: None,
            probe_sent_at: None,
            silent: false,
            dropped_contact: None,
            outputs: VecDeque::new(),
        }
    }

    /// The account.
    pub fn account(&self) -> &AccountId {
        &self.config.account
    }

    /// The Contact this registration binds (for matching incoming requests).
    pub fn contact(&self) -> &str {
        &self.config.contact
    }

    /// Registers now.
    pub fn start(&mut self, _now: Instant) {
        self.phase = Phase::Registering;
        self.wake_at = None;
        self.outputs
            .push_back(RegistrationOutput::State(RegistrationState::Registering));
        self.send(self.config.expires);
    }

    /// Unregisters (REGISTER with `Expires: 0`).
    pub fn stop(&mut self, _now: Instant) {
        self.wake_at = None;
        self.probe_at = None;
        if matches!(self.phase, Phase::Idle | Phase::Unregistered) {
            return;
        }
        self.phase = Phase::Unregistering;
        self.send(0);
    }

    fn send(&mut self, expires: u32) {
        let mut request = self.request_to_registrar(Method::Register);
        request
            .headers
            .push(HeaderName::Contact, format!("<{}>", self.config.contact));
        if let Some(dropped) = self.dropped_contact.as_ref().filter(|_| expires > 0) {
            request
                .headers
                .push(HeaderName::Contact, format!("<{dropped}>;expires=0"));
        }
        request
            .headers
            .push(HeaderName::Expires, expires.to_string());
        request
            .headers
            .push(HeaderName::UserAgent, self.config.user_agent.clone());
        request.headers.push(HeaderName::Allow, crate::ALLOW);
        let cnonce = self.ids.tag();
        if let Some(value) = self
            .digest
            .authorization("REGISTER", &self.config.registrar, &cnonce)
        {
            request
                .headers
                .push(self.authorization_header.clone(), value);
        }
        self.outputs.push_back(RegistrationOutput::Send(request));
    }

    /// A keep-alive: OPTIONS to the registrar, on the path REGISTER takes.
    fn probe(&mut self, now: Instant) {
        self.probe_at = None;
        self.probe_sent_at = Some(now);
        let mut request = self.request_to_registrar(Method::Options);
        request
            .headers
            .push(HeaderName::UserAgent, self.config.user_agent.clone());
        self.outputs.push_back(RegistrationOutput::Probe(request));
    }

    /// A request from the account to the registrar, in the registration's dialog-less
    /// sequence (same Call-ID, next CSeq).
    fn request_to_registrar(&mut self, method: Method) -> Message {
        self.cseq += 1;
        let mut request = Message::request(method.clone(), self.config.registrar.clone());
        if let Some(route) = &self.config.route {
            request
                .headers
                .push(HeaderName::Route, format!("<{route}>"));
        }
        request.headers.push(HeaderName::MaxForwards, "70");
        let mut from = NameAddr::new(self.config.display_name.as_deref(), self.config.aor.clone());
        from.set_param("tag", Some(&self.from_tag));
        request.headers.push(HeaderName::From, from.to_string());
        request.headers.push(
            HeaderName::To,
            NameAddr::new(self.config.display_name.as_deref(), self.config.aor.clone()).to_string(),
        );
        request
            .headers
            .push(HeaderName::CallId, self.call_id.clone());
        request.headers.push(
            HeaderName::CSeq,
            CSeq {
                seq: self.cseq,
                method,
            }
            .to_string(),
        );
        request
    }

    fn fail(&mut self, now: Instant, code: Option<u16>, reason: String) {
        self.fail_as(now, code, reason, false);
    }

    /// Fails; `silent` when the server did not answer at all (it is then probed).
    fn fail_as(&mut self, now: Instant, code: Option<u16>, reason: String, silent: bool) {
        if self.phase == Phase::Unregistering {
            self.finish_unregister();
            return;
        }
        self.phase = Phase::Failed;
        self.failures = self.failures.saturating_add(1);
        self.wake_at = Some(now + wait_after(self.failures, &mut self.jitter));
        self.silent = silent;
        self.probe_at = match (silent, self.probe_sent_at) {
            // One out already: the next follows its end.
            (true, Some(_)) => None,
            (true, None) => Some(now),
            (false, _) => None,
        };
        self.outputs
            .push_back(RegistrationOutput::State(RegistrationState::Failed {
                code,
                reason,
            }));
    }

    fn finish_unregister(&mut self) {
        self.phase = Phase::Unregistered;
        self.wake_at = None;
        self.probe_at = None;
        self.outputs
            .push_back(RegistrationOutput::State(RegistrationState::Unregistered));
    }

    /// The final response of our last REGISTER.
    pub fn on_response(&mut self, now: Instant, response: &Message) {
        let Some(code) = response.status() else {
            return;
        };
        if code < 200 || matches!(self.phase, Phase::Idle | Phase::Unregistered) {
            return;
        }
        match code {
            200..=299 => self.on_success(now, response),
            401 | 407 => self.on_challenge(now, code, response),
            423 => match response
                .headers
                .get(&HeaderName::MinExpires)
                .and_then(|v| v.trim().parse::<u32>().ok())
            {
                Some(min) if min > self.config.expires && self.phase == Phase::Registering => {
                    self.config.expires = min;
                    self.send(min);
                }
                _ => self.fail(
                    now,
                    Some(code),
                    "the registrar wants a longer interval but gave no usable Min-Expires".into(),
                ),
            },
            _ => {
                let reason = match &response.start {
                    crate::message::StartLine::Response { reason, .. } if !reason.is_empty() => {
                        reason.clone()
                    }
                    _ => format!("registration refused with {code}"),
                };
                self.fail(now, Some(code), reason);
            }
        }
    }

    fn on_success(&mut self, now: Instant, response: &Message) {
        self.digest.confirm();
        if self.phase == Phase::Unregistering {
            self.finish_unregister();
            return;
        }
        // The registrar may grant less than we asked: our Contact's expires, else Expires.
        let ours = response
            .headers
            .list(&HeaderName::Contact)
            .into_iter()
            .filter_map(|c| NameAddr::parse(c).ok())
            .find(|c| same_contact(&c.uri, &self.config.contact))
            .and_then(|c| {
                c.param("expires")
                    .flatten()
                    .and_then(|e| e.parse::<u32>().ok())
            });
        let granted = ours
            .or_else(|| {
                response
                    .headers
                    .get(&HeaderName::Expires)
                    .and_then(|e| e.trim().parse().ok())
            })
            .unwrap_or(self.config.expires);
        if granted == 0 {
            self.fail(
                now,
                Some(200),
                "the registrar accepted but did not keep our contact".into(),
            );
            return;
        }
        self.phase = Phase::Registered;
        self.dropped_contact = None;
        self.expires = granted;
        self.failures = 0;
        self.silent = false;
        self.wake_at = Some(now + refresh_delay(granted));
        if self.probe_sent_at.is_none() {
            self.probe_at = Some(now + KEEPALIVE);
        }
        self.outputs
            .push_back(RegistrationOutput::State(RegistrationState::Registered {
                expires_secs: granted,
            }));
    }

    fn on_challenge(&mut self, now: Instant, code: u16, response: &Message) {
        let header = if code == 401 {
            HeaderName::WwwAuthenticate
        } else {
            HeaderName::ProxyAuthenticate
        };
        let challenge = match Challenge::pick(response.headers.all(&header)) {
            Ok(challenge) => challenge,
            Err(error) => {
                return self.fail(now, Some(code), format!("cannot authenticate: {error}"));
            }
        };
        if !self.digest.accept(challenge) {
            return self.fail(now, Some(code), "wrong username or password".into());
        }
        self.authorization_header = if code == 401 {
            HeaderName::Authorization
        } else {
            HeaderName::ProxyAuthorization
        };
        let expires = if self.phase == Phase::Unregistering {
            0
        } else {
            self.config.expires
        };
        self.send(expires);
    }

    /// Our REGISTER got no answer (timer F) or could not be sent.
    pub fn on_transaction_failed(&mut self, now: Instant, reason: &str) {
        self.fail_as(now, Some(408), reason.to_owned(), true);
    }

    /// The registrar answered a keep-alive (any final answer: it is there). After silence,
    /// registers at once.
    pub fn on_probe_answered(&mut self, now: Instant) {
        self.end_probe(now);
        if self.phase == Phase::Failed && self.silent {
            self.start(now);
        }
    }

    /// The keep-alive that was out has ended: the next is due a period after it was sent
    /// (at once when it took longer, as an unanswered one over UDP does: 32 s), so while
    /// the server is silent one is nearly always out, its retransmissions every 4 s at most
    /// finding the server's return.
    fn end_probe(&mut self, now: Instant) {
        let period = if self.phase == Phase::Failed && self.silent {
            SILENT_PROBE
        } else {
            KEEPALIVE
        };
        if let Some(sent) = self.probe_sent_at.take() {
            self.probe_at = Some((sent + period).max(now));
        }
    }

    /// A keep-alive went unanswered. While registered, the account is failed at once; the
    /// probing goes on.
    pub fn on_probe_failed(&mut self, now: Instant) {
        if self.phase == Phase::Registered {
            self.fail_as(
                now,
                Some(408),
                "the server stopped answering; Wink keeps trying and registers again as soon \
                 as it is back"
                    .into(),
                true,
            );
        }
        self.end_probe(now);
    }

    /// When to call [`Registration::handle_timeout`]: the refresh, the retry or the probe.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match (self.wake_at, self.probe_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Refreshes, retries or probes if it is time.
    pub fn handle_timeout(&mut self, now: Instant) {
        let probing =
            self.phase == Phase::Registered || (self.phase == Phase::Failed && self.silent);
        if self.probe_at.is_some_and(|at| at <= now) {
            if probing {
                self.probe(now);
            } else {
                // Registering, or refused: the REGISTER's own outcome decides.
                self.probe_at = None;
            }
        }
        if self.wake_at.is_some_and(|at| at <= now) {
            self.wake_at = None;
            match self.phase {
                Phase::Registered => self.send(self.config.expires),
                Phase::Failed => self.start(now),
                _ => {}
            }
        }
    }

    /// Registers again at once: the network came back or changed.
    pub fn retry_now(&mut self, now: Instant) {
        match self.phase {
            Phase::Failed => {
                self.failures = 0;
                self.start(now);
            }
            // The path to the registrar may have changed (new network, NAT binding lost):
            // refresh at once rather than at the planned time.
            Phase::Registered => {
                self.wake_at = None;
                self.send(self.config.expires);
            }
            _ => {}
        }
    }

    /// Our address changed (another network): registers `contact` at once, in the same
    /// Call-ID, and asks the registrar to drop the old one in the same REGISTER (RFC 3261
    /// §10.2.2). An unregistered or unregistering account only remembers it.
    pub fn move_contact(&mut self, now: Instant, contact: String) {
        if contact == self.config.contact {
            return self.retry_now(now);
        }
        let old = std::mem::replace(&mut self.config.contact, contact);
        match self.phase {
            Phase::Registered | Phase::Registering | Phase::Failed => {
                self.dropped_contact = Some(old);
                self.failures = 0;
                self.start(now);
            }
            Phase::Idle | Phase::Unregistering | Phase::Unregistered => {}
        }
    }

    /// The connection the registration went over has closed: the registrar can no longer
    /// reach us through it, so a registered account refreshes at once on a new one.
    pub fn on_flow_closed(&mut self, now: Instant) {
        if self.phase == Phase::Registered {
            self.retry_now(now);
        }
    }

    /// The next thing to do.
    pub fn poll_output(&mut self) -> Option<RegistrationOutput> {
        self.outputs.pop_front()
    }
}

/// Contacts match by user part and host, ignoring parameters and case of the host.
fn same_contact(a: &str, b: &str) -> bool {
    let core = |s: &str| s.split(';').next().unwrap_or(s).to_ascii_lowercase();
    core(a) == core(b)
}

#[cfg(test)]
mod keepalive_tests;

#[cfg(test)]
mod tests {
    use wink_ports::Password;

    use super::*;
    use crate::transaction::response_to;

    pub(super) fn config() -> RegistrationConfig {
        RegistrationConfig {
            account: AccountId::new("alice@wink.test").unwrap(),
            aor: "sip:alice@wink.test".into(),
            registrar: "sip:wink.test".into(),
            display_name: Some("Alice".into()),
            credentials: Credentials {
                username: "alice".into(),
                password: Password::new("alice-pw"),
            },
            contact: "sip:w7f3a9@127.0.0.1:5070;transport=udp".into(),
            expires: 600,
            route: Some("sip:127.0.0.1:5060;transport=udp;lr".into()),
            user_agent: "Wink test".into(),
        }
    }

    pub(super) fn drain(r: &mut Registration) -> (Vec<Message>, Vec<RegistrationState>) {
        let (mut sent, mut states) = (Vec::new(), Vec::new());
        while let Some(out) = r.poll_output() {
            match out {
                RegistrationOutput::Send(m) | RegistrationOutput::Probe(m) => sent.push(m),
                RegistrationOutput::State(s) => states.push(s),
            }
        }
        (sent, states)
    }

    pub(super) fn reply(request: &Message, code: u16, extra: &[(HeaderName, &str)]) -> Message {
        let mut with_via = request.clone();
        with_via.headers.push_front(
            HeaderName::Via,
            "SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKx",
        );
        let mut response = response_to(&with_via, code, "Reason");
        for (name, value) in extra {
            response.headers.push(name.clone(), *value);
        }
        response
    }

    /// A registration the registrar accepted at once, for 600 s.
    pub(super) fn registered_for_600_s(now: Instant) -> Registration {
        let mut r = Registration::new(config(), "cid".into(), "ftag".into());
        r.start(now);
        let (sent, _) = drain(&mut r);
        r.on_response(now, &reply(&sent[0], 200, &[(HeaderName::Expires, "600")]));
        drain(&mut r);
        r
    }

    #[test]
    fn registers_through_a_digest_challenge_and_refreshes_before_expiry() {
        let now = Instant::now();
        let mut r = Registration::new(config(), "cid".into(), "ftag".into());
        r.start(now);
        let (sent, states) = drain(&mut r);
        assert_eq!(states, [RegistrationState::Registering]);
        let first = &sent[0];
        assert_eq!(
            first.headers.get(&HeaderName::Route),
            Some("<sip:127.0.0.1:5060;transport=udp;lr>")
        );
        assert_eq!(first.headers.get(&HeaderName::Authorization), None);
        assert_eq!(first.headers.get(&HeaderName::Expires), Some("600"));

        r.on_response(
            now,
            &reply(
                first,
                401,
                &[(
                    HeaderName::WwwAuthenticate,
                    "Digest realm=\"wink.test\", nonce=\"n1\", qop=\"auth\"",
                )],
            ),
        );
        let (sent, _) = drain(&mut r);
        let second = &sent[0];
        let auth = second.headers.get(&HeaderName::Authorization).unwrap();
        assert!(
            auth.contains("username=\"alice\"")
                && auth.contains("nc=00000001")
                && auth.contains("uri=\"sip:wink.test\""),
            "{auth}"
        );
        assert_eq!(second.cseq().unwrap().seq, 2);
        assert_eq!(
            second.call_id(),
            Some("cid"),
            "the Call-ID stays across the registration"
        );

        r.on_response(
            now,
            &reply(
                second,
                200,
                &[(
                    HeaderName::Contact,
                    "<sip:w7f3a9@127.0.0.1:5070;transport=udp>;expires=300",
                )],
            ),
        );
        let (_, states) = drain(&mut r);
        assert_eq!(
            states,
            [RegistrationState::Registered { expires_secs: 300 }]
        );
        assert_eq!(r.wake_at, Some(now + Duration::from_secs(270)));

        r.handle_timeout(now + Duration::from_secs(270));
        let (sent, _) = drain(&mut r);
        let refresh = sent
            .iter()
            .find_map(|m| m.headers.get(&HeaderName::Authorization))
            .expect("a REGISTER with credentials");
        assert!(
            refresh.contains("nc=00000002"),
            "the refresh answers the same nonce: {refresh}"
        );
    }

    #[test]
    fn a_wrong_password_fails_once_and_backs_off() {
        let now = Instant::now();
        let mut r = Registration::new(config(), "cid".into(), "ftag".into());
        r.start(now);
        let (sent, _) = drain(&mut r);
        let challenge = [(
            HeaderName::WwwAuthenticate,
            "Digest realm=\"wink.test\", nonce=\"n1\"",
        )];
        r.on_response(now, &reply(&sent[0], 401, &challenge));
        let (sent, _) = drain(&mut r);
        let again = [(
            HeaderName::WwwAuthenticate,
            "Digest realm=\"wink.test\", nonce=\"n2\"",
        )];
        r.on_response(now, &reply(&sent[0], 401, &again));
        let (sent, states) = drain(&mut r);
        assert!(sent.is_empty(), "no loop of wrong answers");
        assert_eq!(
            states,
            [RegistrationState::Failed {
                code: Some(401),
                reason: "wrong username or password".into()
            }]
        );
        // A refusal is not probed: the retry waits out the back-off, 30–60 s.
        let retry = r.poll_timeout().expect("a retry");
        assert!(retry >= now + BASE_TIME && retry <= now + 2 * BASE_TIME);
        r.handle_timeout(retry);
        let (sent, _) = drain(&mut r);
        assert_eq!(sent.len(), 1, "retried after the back-off");
        r.on_transaction_failed(retry, "no response");
        assert!(
            r.wake_at
                .is_some_and(|at| at >= retry + 2 * BASE_TIME && at <= retry + 4 * BASE_TIME),
            "the back-off doubles: {:?}",
            r.wake_at.map(|at| at - retry)
        );
    }

    #[test]
    fn interval_too_brief_retries_with_min_expires() {
        let now = Instant::now();
        let mut r = Registration::new(config(), "cid".into(), "ftag".into());
        r.start(now);
        let (sent, _) = drain(&mut r);
        r.on_response(
            now,
            &reply(&sent[0], 423, &[(HeaderName::MinExpires, "3600")]),
        );
        let (sent, _) = drain(&mut r);
        assert_eq!(sent[0].headers.get(&HeaderName::Expires), Some("3600"));
    }

    #[test]
    fn unregister_sends_expires_zero_and_reports_it() {
        let now = Instant::now();
        let mut r = registered_for_600_s(now);
        r.stop(now);
        let (sent, _) = drain(&mut r);
        assert_eq!(sent[0].headers.get(&HeaderName::Expires), Some("0"));
        r.on_response(now, &reply(&sent[0], 200, &[]));
        let (_, states) = drain(&mut r);
        assert_eq!(states, [RegistrationState::Unregistered]);
        assert_eq!(r.poll_timeout(), None);
    }

    #[test]
    fn a_new_address_is_registered_at_once_and_the_old_one_dropped_in_the_same_register() {
        let now = Instant::now();
        let mut r = registered_for_600_s(now);

        let moved = "sip:w7f3a9@10.77.2.2:5070;transport=udp";
        r.move_contact(now, moved.into());
        let (sent, states) = drain(&mut r);
        assert_eq!(states, [RegistrationState::Registering]);
        assert_eq!(sent[0].call_id(), Some("cid"), "the same registration");
        assert_eq!(
            sent[0]
                .headers
                .all(&HeaderName::Contact)
                .collect::<Vec<_>>(),
            [
                format!("<{moved}>"),
                "<sip:w7f3a9@127.0.0.1:5070;transport=udp>;expires=0".to_owned()
            ]
        );
        r.on_response(now, &reply(&sent[0], 200, &[(HeaderName::Expires, "600")]));
        let (_, states) = drain(&mut r);
        assert_eq!(
            states,
            [RegistrationState::Registered { expires_secs: 600 }]
        );

        r.handle_timeout(now + refresh_delay(600));
        let (sent, _) = drain(&mut r);
        let refresh = sent
            .iter()
            .find(|m| m.method() == Some(Method::Register))
            .expect("a refresh");
        assert_eq!(
            refresh
                .headers
                .all(&HeaderName::Contact)
                .collect::<Vec<_>>(),
            [format!("<{moved}>")],
            "the old contact is dropped once"
        );
    }

    #[test]
    fn refresh_margin_is_a_tenth_and_at_least_five_seconds() {
        assert_eq!(refresh_delay(600), Duration::from_secs(540));
        assert_eq!(refresh_delay(30), Duration::from_secs(25));
        assert_eq!(refresh_delay(3), Duration::from_secs(1));
    }
}
