//! The keyring store against a real gnome-keyring (Secret Service) on a private D-Bus.

use wink_ports::{AccountId, Password, SecretStore};
use wink_secrets::KeyringStore;
use wink_tests::require_secret_service;

#[tokio::test]
async fn passwords_round_trip_through_gnome_keyring() {
    require_secret_service();
    let store = KeyringStore::connect()
        .await
        .expect("the Secret Service answers");
    let account = AccountId::new(format!("keyring-test-{}@wink.test", std::process::id())).unwrap();

    assert_eq!(store.get_password(&account).await.unwrap(), None);
    store
        .set_password(&account, &Password::new("correct horse ☎"))
        .await
        .unwrap();
    assert_eq!(
        store
            .get_password(&account)
            .await
            .unwrap()
            .unwrap()
            .expose(),
        "correct horse ☎"
    );

    // A second connection (as a restarted app would make) reads the same secret.
    let reconnected = KeyringStore::connect().await.unwrap();
    assert_eq!(
        reconnected
            .get_password(&account)
            .await
            .unwrap()
            .unwrap()
            .expose(),
        "correct horse ☎"
    );

    store
        .set_password(&account, &Password::new("replaced"))
        .await
        .unwrap();
    assert_eq!(
        store
            .get_password(&account)
            .await
            .unwrap()
            .unwrap()
            .expose(),
        "replaced"
    );
    assert!(store.delete_password(&account).await.unwrap());
    assert!(!store.delete_password(&account).await.unwrap());
    assert_eq!(store.get_password(&account).await.unwrap(), None);
}

#[tokio::test]
async fn accounts_do_not_see_each_others_passwords() {
    require_secret_service();
    let store = KeyringStore::connect().await.unwrap();
    let pid = std::process::id();
    let alice = AccountId::new(format!("alice-{pid}@wink.test")).unwrap();
    let bob = AccountId::new(format!("bob-{pid}@wink.test")).unwrap();
    store
        .set_password(&alice, &Password::new("a"))
        .await
        .unwrap();
    store.set_password(&bob, &Password::new("b")).await.unwrap();
    assert_eq!(
        store.get_password(&alice).await.unwrap().unwrap().expose(),
        "a"
    );
    assert_eq!(
        store.get_password(&bob).await.unwrap().unwrap().expose(),
        "b"
    );
    store.delete_password(&alice).await.unwrap();
    assert_eq!(
        store.get_password(&bob).await.unwrap().unwrap().expose(),
        "b"
    );
    store.delete_password(&bob).await.unwrap();
}
