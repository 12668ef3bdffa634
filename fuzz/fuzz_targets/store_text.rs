//! What users type into the store: search text and store URLs. A search never fails with a
//! database error (FTS5 and tsquery syntax stay plain text), a store URL's password splits
//! out and goes back whole, and hiding it never panics.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use wink_ports::{
    AccountId, CallDirection, ChatMessageRecord, ContactId, ContactRecord, DeliveryState, GroupId,
    GroupRecord, MediaKind, MessageId, StoragePort, UnixMillis,
};
use wink_storage::SqlStore;

struct Fixture {
    runtime: tokio::runtime::Runtime,
    store: SqlStore,
    _dir: tempfile::TempDir,
}

/// One small store for the whole run: a few messages and contacts to search.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let dir = tempfile::tempdir().expect("a folder");
        let store = runtime.block_on(async {
            let (store, _) = SqlStore::open(&dir.path().join("wink.sqlite"))
                .await
                .expect("a store");
            let group = GroupRecord {
                id: GroupId::new("g").expect("id"),
                name: "G".into(),
                position: 0,
                collapsed: false,
            };
            store.save_group(group.clone()).await.expect("saved");
            for (i, text) in ["Café \"Müller\" 100%", "a_b OR c NEAR(d) *", "+1 (555) 010-9999"]
                .into_iter()
                .enumerate()
            {
                store
                    .add_message(ChatMessageRecord {
                        id: MessageId::new(format!("m{i}")).expect("id"),
                        account: AccountId::new("me@example.com").expect("id"),
                        remote: "ann@example.com".into(),
                        direction: CallDirection::Incoming,
                        content_type: "text/plain".into(),
                        body: text.into(),
                        at: UnixMillis(i as i64),
                        state: DeliveryState::Received,
                    })
                    .await
                    .expect("stored");
                store
                    .save_contact(ContactRecord {
                        id: ContactId::new(format!("c{i}")).expect("id"),
                        name: text.into(),
                        sip_addresses: vec![format!("user{i}@example.com")],
                        phone_numbers: vec![text.into()],
                        aliases: vec![text.into()],
                        preferred_media: MediaKind::Audio,
                        icon: None,
                        group: group.id.clone(),
                        position: 0,
                        favorite: false,
                    })
                    .await
                    .expect("stored");
            }
            store
        });
        Fixture {
            runtime,
            store,
            _dir: dir,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let fixture = fixture();
    fixture.runtime.block_on(async {
        if let Err(error) = fixture.store.search_messages(&text, 10).await {
            panic!("searching messages for {text:?} failed: {error}");
        }
        if let Err(error) = fixture.store.search_contacts(&text, 10).await {
            panic!("searching contacts for {text:?} failed: {error}");
        }
    });
    let _ = wink_storage::without_password(&text);
    let (bare, password) = wink_storage::split_password(&text);
    if let Some(password) = password {
        let again = wink_storage::with_password(&bare, &password);
        assert_eq!(
            wink_storage::split_password(&again).1.as_deref(),
            Some(password.as_str()),
            "the password goes back whole"
        );
    }
});
