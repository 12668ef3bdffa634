//! Calls and short messages through kamailio while a seeded relay drops 20% of the
//! datagrams both ways (and delays and reorders the rest): retransmission makes every one
//! of them succeed. Replay a failure with `WINK_RELAY_SEED=<seed printed below>`.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::sync::broadcast;
use tokio::time::timeout;
use wink_config::{
    AccountSettings, AssembleOptions, Assembled, Paths, SecretBackend, Settings, assemble,
};
use wink_domain::{AccountAddress, CallState, Command, CommandOutcome, OutboundProxy, PhoneEvent};
use wink_ports::{AccountId, CallResult, DeliveryState, Password, RegistrationState, SecretStore};
use wink_secrets::FileSecretStore;
use wink_tests::relay::{Impairment, LossyRelay};

const CALLS: usize = 20;
const MESSAGES: usize = 20;
const STEP: Duration = Duration::from_secs(60);

async fn phone_for(user: &str, proxy: SocketAddr, dir: &std::path::Path) -> Assembled {
    let paths = Paths::under(dir);
    let mut settings = Settings {
        secrets: SecretBackend::File,
        ..Settings::default()
    };
    let mut account =
        AccountSettings::new(AccountAddress::parse(&format!("{user}@wink.test")).unwrap());
    account.outbound_proxy = Some(OutboundProxy::parse(&format!("{proxy};transport=udp")).unwrap());
    settings.default_account = Some(account.id());
    settings.accounts.push(account);
    FileSecretStore::new(paths.secrets_file())
        .set_password(
            &AccountId::new(format!("{user}@wink.test")).unwrap(),
            &Password::new(format!("{user}-pw")),
        )
        .await
        .unwrap();
    let options = AssembleOptions {
        bind: Some("127.0.0.1:0".parse().unwrap()),
        audio: wink_config::AudioSelection::None,
        ..AssembleOptions::default()
    };
    assemble(&settings, &paths, options)
        .await
        .expect("the phone starts")
}

async fn wait_for<T>(
    events: &mut broadcast::Receiver<PhoneEvent>,
    what: &str,
    mut pick: impl FnMut(&PhoneEvent) -> Option<T>,
) -> T {
    let found = timeout(STEP, async {
        loop {
            match events.recv().await {
                Ok(event) => {
                    if let Some(found) = pick(&event) {
                        return found;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => {
                    panic!("the phone stopped while waiting for {what}")
                }
            }
        }
    })
    .await;
    found.unwrap_or_else(|_| panic!("no {what} within {} s", STEP.as_secs()))
}

async fn register(phone: &Assembled, user: &str) {
    let account = AccountId::new(format!("{user}@wink.test")).unwrap();
    let mut events = phone.phone.subscribe();
    phone
        .phone
        .execute(Command::Register(account.clone()))
        .await
        .unwrap();
    let state = wait_for(&mut events, "a registration verdict", |e| match e {
        PhoneEvent::Registration { account: a, state }
            if *a == account && !matches!(state, RegistrationState::Registering) =>
        {
            Some(state.clone())
        }
        _ => None,
    })
    .await;
    assert!(
        matches!(state, RegistrationState::Registered { .. }),
        "{user}: {state:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_and_messages_survive_20_percent_loss_both_ways() {
    let kamailio: SocketAddr = wink_tests::require_kamailio().parse().unwrap();
    let seed: u64 = std::env::var("WINK_RELAY_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_125);
    println!("relay seed {seed}");
    let impairment = |seed| Impairment {
        loss: 0.2,
        delay: Duration::from_millis(5),
        jitter: Duration::from_millis(20),
        seed,
    };
    let alice_relay = LossyRelay::start(kamailio, impairment(seed)).await;
    let bob_relay = LossyRelay::start(kamailio, impairment(seed + 1)).await;
    let (alice_dir, bob_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let alice = phone_for("alice10", alice_relay.local_addr(), alice_dir.path()).await;
    let bob = phone_for("bob10", bob_relay.local_addr(), bob_dir.path()).await;
    register(&alice, "alice10").await;
    register(&bob, "bob10").await;

    // Bob answers every call.
    let bob_phone = bob.phone.clone();
    let mut bob_events = bob.phone.subscribe();
    let answering = tokio::spawn(async move {
        let mut ended = 0;
        while let Ok(event) = bob_events.recv().await {
            match event {
                PhoneEvent::IncomingCall { session, .. } => {
                    let _ = bob_phone.execute(Command::Answer(session)).await;
                }
                PhoneEvent::CallEnded { .. } => ended += 1,
                PhoneEvent::MessageReceived { .. } => {}
                _ => {}
            }
            if ended == CALLS {
                return ended;
            }
        }
        ended
    });

    let mut events = alice.phone.subscribe();
    for n in 1..=CALLS {
        let outcome = alice
            .phone
            .execute(Command::Call {
                target: "bob10@wink.test".into(),
                account: None,
            })
            .await
            .unwrap();
        let CommandOutcome::Session(session) = outcome else {
            panic!("{outcome:?}")
        };
        // What the phone said meanwhile, for the message of a failure.
        let mut said = Vec::new();
        wait_for(&mut events, &format!("call {n} established"), |e| {
            said.push(format!("{e:?}"));
            match e {
                PhoneEvent::CallState {
                    session: s,
                    state: CallState::Established,
                } if *s == session => Some(()),
                PhoneEvent::CallEnded {
                    session: s, result, ..
                } if *s == session => {
                    panic!("call {n} ended early: {result:?}; events: {said:#?}")
                }
                _ => None,
            }
        })
        .await;
        alice
            .phone
            .execute(Command::HangUp(session.clone()))
            .await
            .unwrap();
        let result = wait_for(&mut events, &format!("call {n} to end"), |e| match e {
            PhoneEvent::CallEnded {
                session: s, result, ..
            } if *s == session => Some(*result),
            _ => None,
        })
        .await;
        assert_eq!(result, CallResult::Answered, "call {n}");
    }
    let bob_ended = timeout(STEP, answering)
        .await
        .expect("bob saw every BYE")
        .unwrap();
    assert_eq!(bob_ended, CALLS, "bob saw every call end");

    let mut bob_events = bob.phone.subscribe();
    for n in 1..=MESSAGES {
        let text = format!("message {n}");
        let outcome = alice
            .phone
            .execute(Command::SendMessage {
                target: "bob10".into(),
                text: text.clone(),
                account: None,
            })
            .await
            .unwrap();
        let CommandOutcome::Message(id) = outcome else {
            panic!("{outcome:?}")
        };
        let state = wait_for(
            &mut events,
            &format!("message {n} delivered"),
            |e| match e {
                PhoneEvent::MessageState { id: m, state, .. }
                    if *m == id
                        && matches!(state, DeliveryState::Delivered | DeliveryState::Failed) =>
                {
                    Some(*state)
                }
                _ => None,
            },
        )
        .await;
        assert_eq!(state, DeliveryState::Delivered, "message {n}");
        wait_for(
            &mut bob_events,
            &format!("bob to read message {n}"),
            |e| match e {
                PhoneEvent::MessageReceived { body, .. } if *body == text => Some(()),
                _ => None,
            },
        )
        .await;
    }

    let (forwarded_a, dropped_a) = alice_relay.stats();
    let (forwarded_b, dropped_b) = bob_relay.stats();
    println!(
        "alice relay: {forwarded_a} forwarded, {dropped_a} dropped; bob relay: {forwarded_b} forwarded, {dropped_b} dropped"
    );
    assert!(
        dropped_a > 20 && dropped_b > 20,
        "the relays really dropped datagrams"
    );
    alice.agent.shutdown().await;
    bob.agent.shutdown().await;
}
