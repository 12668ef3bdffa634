//! Keep-alives: a silent registrar fails the account at once, and its return registers it
//! at once; a refusal is never probed; probes never pile up.

use super::tests::{config, drain, registered_for_600_s as registered, reply};
use super::*;

fn method(m: &Message) -> Option<Method> {
    match &m.start {
        crate::message::StartLine::Request { method, .. } => Some(method.clone()),
        _ => None,
    }
}

#[test]
fn a_silent_registrar_fails_the_account_and_its_return_registers_it_at_once() {
    let now = Instant::now();
    let mut r = registered(now);
    assert_eq!(
        r.poll_timeout(),
        Some(now + KEEPALIVE),
        "the probe comes before the refresh"
    );
    r.handle_timeout(now + KEEPALIVE);
    let (sent, states) = drain(&mut r);
    assert!(states.is_empty());
    assert_eq!(sent.len(), 1);
    assert_eq!(method(&sent[0]), Some(Method::Options));
    assert_eq!(
        sent[0].headers.get(&HeaderName::Route),
        Some("<sip:127.0.0.1:5060;transport=udp;lr>")
    );

    // Timer F: no answer. The account shows it now, in plain words.
    let silent_at = now + KEEPALIVE + Duration::from_secs(32);
    r.on_probe_failed(silent_at);
    let (sent, states) = drain(&mut r);
    assert!(sent.is_empty());
    let [
        RegistrationState::Failed {
            code: Some(408),
            reason,
        },
    ] = states.as_slice()
    else {
        panic!("one failure: {states:?}");
    };
    assert!(reason.contains("stopped answering"), "{reason}");

    // The probe goes on at once (its time has come), not after the back-off.
    assert!(r.poll_timeout().is_some_and(|at| at <= silent_at));
    r.handle_timeout(silent_at);
    let (sent, _) = drain(&mut r);
    assert_eq!(
        sent.iter().filter_map(method).collect::<Vec<_>>(),
        [Method::Options]
    );

    // The server answers: REGISTER at once, and registered.
    let back_at = silent_at + Duration::from_secs(3);
    r.on_probe_answered(back_at);
    let (sent, states) = drain(&mut r);
    assert_eq!(states, [RegistrationState::Registering]);
    assert_eq!(method(&sent[0]), Some(Method::Register));
    r.on_response(
        back_at,
        &reply(&sent[0], 200, &[(HeaderName::Expires, "600")]),
    );
    let (_, states) = drain(&mut r);
    assert_eq!(
        states,
        [RegistrationState::Registered { expires_secs: 600 }]
    );
}

#[test]
fn a_refused_registration_is_not_probed() {
    let now = Instant::now();
    let mut r = Registration::new(config(), "cid".into(), "ftag".into());
    r.start(now);
    let (sent, _) = drain(&mut r);
    r.on_response(now, &reply(&sent[0], 403, &[]));
    drain(&mut r);
    let retry = r.poll_timeout().expect("a retry");
    assert!(
        retry >= now + BASE_TIME,
        "no probe before the back-off's retry"
    );
    r.handle_timeout(retry - Duration::from_millis(1));
    assert_eq!(drain(&mut r).0.len(), 0);
    r.on_probe_answered(now);
    assert_eq!(
        drain(&mut r).0.len(),
        0,
        "an answer does not cut a refusal's back-off"
    );
}

#[test]
fn keepalives_never_pile_up_while_one_is_unanswered() {
    let now = Instant::now();
    let mut r = registered(now);
    r.handle_timeout(now + KEEPALIVE);
    assert_eq!(drain(&mut r).0.len(), 1);
    r.handle_timeout(now + 2 * KEEPALIVE);
    assert_eq!(drain(&mut r).0.len(), 0, "the first probe is still out");
    r.on_probe_answered(now + 2 * KEEPALIVE);
    r.handle_timeout(now + 3 * KEEPALIVE);
    assert_eq!(drain(&mut r).0.len(), 1);
}

#[test]
fn a_probe_refused_at_once_is_tried_again_5_s_after_it_was_sent() {
    let now = Instant::now();
    let mut r = registered(now);
    let sent_at = now + KEEPALIVE;
    r.handle_timeout(sent_at);
    drain(&mut r);
    // Over TCP a refused connection fails the probe at once.
    r.on_probe_failed(sent_at);
    let (_, states) = drain(&mut r);
    assert!(matches!(
        states.as_slice(),
        [RegistrationState::Failed { .. }]
    ));
    assert_eq!(r.poll_timeout(), Some(sent_at + SILENT_PROBE));
    r.handle_timeout(sent_at + SILENT_PROBE);
    let (sent, _) = drain(&mut r);
    assert_eq!(
        sent.iter().filter_map(method).collect::<Vec<_>>(),
        [Method::Options]
    );
}
