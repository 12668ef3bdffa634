//! Accounts added, changed and removed while the phone runs (the desktop app's Add Account
//! dialog and preferences), without restarting it.

use super::*;

/// Mocks whose store has no unsent messages (a registration looks for them).
fn mocks_with_empty_outbox() -> Mocks {
    let mut mocks = Mocks::new();
    mocks
        .storage
        .expect_unsent_messages()
        .returning(|_, _| Ok(Vec::new()));
    mocks
}

fn other_account() -> Account {
    Account::sip(AccountAddress::parse("work@pbx.example.org").unwrap())
}

#[tokio::test]
async fn an_account_added_at_run_time_registers_and_can_be_the_default() {
    let mut mocks = Mocks::new();
    mocks
        .secrets
        .expect_get_password()
        .returning(|_| Ok(Some(Password::new("pw"))));
    mocks
        .signaling
        .expect_register()
        .withf(|r| r.address.to_string() == "sip:work@pbx.example.org")
        .times(1)
        .returning(|_| Ok(()));
    let (mut phone, _events, _) = phone(mocks);
    let added = other_account();
    assert_eq!(
        phone
            .execute(Command::Register(added.id.clone()))
            .await
            .unwrap_err(),
        PhoneError::UnknownAccount(added.id.clone())
    );
    phone
        .execute(Command::SetAccount(Box::new(added.clone())))
        .await
        .unwrap();
    assert_eq!(phone.accounts().len(), 2);
    phone
        .execute(Command::Register(added.id.clone()))
        .await
        .unwrap();
    phone
        .execute(Command::SetDefaultAccount(added.id.clone()))
        .await
        .unwrap();
    assert_eq!(phone.pick_account(None).unwrap().id, added.id);
}

#[tokio::test]
async fn replacing_an_account_keeps_its_registration_state() {
    let (mut phone, _events, _) = phone(mocks_with_empty_outbox());
    let state = RegistrationState::Registered { expires_secs: 600 };
    phone
        .on_signaling(SignalingEvent::Registration {
            account: account_id(),
            state: state.clone(),
        })
        .await;
    let mut changed = phone.accounts()[0].clone();
    changed.display_name = Some("Me".into());
    changed.registration = RegistrationState::Unregistered;
    phone
        .execute(Command::SetAccount(Box::new(changed)))
        .await
        .unwrap();
    assert_eq!(phone.accounts().len(), 1);
    assert_eq!(phone.accounts()[0].display_name.as_deref(), Some("Me"));
    assert_eq!(phone.accounts()[0].registration, state);
}

#[tokio::test]
async fn removing_a_registered_account_unregisters_it_first() {
    let mut mocks = mocks_with_empty_outbox();
    mocks
        .signaling
        .expect_unregister()
        .with(eq(account_id()))
        .times(1)
        .returning(|_| Ok(()));
    let (mut phone, _events, _) = phone(mocks);
    phone
        .on_signaling(SignalingEvent::Registration {
            account: account_id(),
            state: RegistrationState::Registered { expires_secs: 600 },
        })
        .await;
    phone
        .execute(Command::SetDefaultAccount(account_id()))
        .await
        .unwrap();
    phone
        .execute(Command::RemoveAccount(account_id()))
        .await
        .unwrap();
    assert!(phone.accounts().is_empty());
    assert_eq!(phone.pick_account(None).unwrap_err(), PhoneError::NoAccount);
    assert_eq!(
        phone
            .execute(Command::SetDefaultAccount(account_id()))
            .await
            .unwrap_err(),
        PhoneError::UnknownAccount(account_id())
    );
}
