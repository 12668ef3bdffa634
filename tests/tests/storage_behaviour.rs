//! What the store promises, checked the same way on SQLite and on PostgreSQL (a real
//! server started by `scripts/peers/postgres.sh`): every test here runs twice.

use sea_orm::ConnectionTrait as _;
use sea_orm_migration::MigratorTrait as _;
use wink_ports::{
    AccountId, CallDirection, CallResult, ChatMessageRecord, ContactId, ContactRecord,
    DeliveryState, GroupId, GroupRecord, HistoryQuery, HistoryRecord, MediaKind, MessageId,
    SessionId, StorageError, StoragePort, UnixMillis,
};
use wink_storage::migration::Migrator;
use wink_tests::on_both_databases;
use wink_tests::store_target::Target;

on_both_databases!(
    history_pages_newest_first_with_every_filter_and_survives_a_reopen,
    the_missed_count_and_when_it_was_viewed_survive_a_reopen,
    queued_and_failed_messages_survive_a_reopen_and_their_state_moves_on,
    chat_search_finds_the_words_in_order_whatever_the_case_and_accents,
    contacts_and_groups_round_trip_and_refusals_say_why,
    contact_search_finds_names_aliases_addresses_and_numbers,
    contact_search_finds_what_the_contract_table_says,
    contacts_from_the_settings_file_are_imported_once_and_whole,
    every_earlier_schema_with_data_in_it_is_upgraded_in_place,
);

fn account() -> AccountId {
    AccountId::new("me@example.com").unwrap()
}

fn call(session: &str, remote: &str, started: i64, result: CallResult) -> HistoryRecord {
    HistoryRecord {
        session: SessionId::new(session).unwrap(),
        account: account(),
        direction: if result == CallResult::Missed {
            CallDirection::Incoming
        } else {
            CallDirection::Outgoing
        },
        remote: remote.into(),
        remote_display: Some("Ann Lee".into()),
        media: vec![MediaKind::Audio],
        started_at: UnixMillis(started),
        answered_at: (result == CallResult::Answered).then_some(UnixMillis(started + 1000)),
        ended_at: UnixMillis(started + 60_000),
        result,
        recording: Some("/rec/a.wav".into()),
    }
}

fn message(id: &str, at: i64, state: DeliveryState, body: &str) -> ChatMessageRecord {
    ChatMessageRecord {
        id: MessageId::new(id).unwrap(),
        account: account(),
        remote: "ann@example.com".into(),
        direction: CallDirection::Outgoing,
        content_type: "text/plain".into(),
        body: body.into(),
        at: UnixMillis(at),
        state,
    }
}

fn group(id: &str, name: &str, position: u32) -> GroupRecord {
    GroupRecord {
        id: GroupId::new(id).unwrap(),
        name: name.into(),
        position,
        collapsed: false,
    }
}

fn contact(id: &str, name: &str, group: &GroupRecord) -> ContactRecord {
    ContactRecord {
        id: ContactId::new(id).unwrap(),
        name: name.into(),
        sip_addresses: Vec::new(),
        phone_numbers: Vec::new(),
        aliases: Vec::new(),
        preferred_media: MediaKind::Audio,
        icon: None,
        group: group.id.clone(),
        position: 0,
        favorite: false,
    }
}

fn sessions(records: &[HistoryRecord]) -> Vec<&str> {
    records.iter().map(|r| r.session.as_str()).collect()
}

async fn history_pages_newest_first_with_every_filter_and_survives_a_reopen(target: Target) {
    let store = target.open().await;
    let mut chat = call("s5", "carol@example.com", 5_000, CallResult::Answered);
    chat.media = vec![MediaKind::Audio, MediaKind::Chat];
    let calls = [
        call("s1", "ann@example.com", 1_000, CallResult::Answered),
        call("s2", "bob@example.com", 2_000, CallResult::Missed),
        call("s3", "ann@example.com", 3_000, CallResult::Missed),
        call(
            "s4",
            "bob@example.com",
            4_000,
            CallResult::AnsweredElsewhere,
        ),
        chat,
    ];
    for record in &calls {
        store.add_history(record.clone()).await.unwrap();
    }
    store
        .add_message(message("m1", 1, DeliveryState::Received, "kept"))
        .await
        .unwrap();
    drop(store);

    let store = target.open().await;
    let page = |query: HistoryQuery| {
        let store = &store;
        async move { store.history(query).await.unwrap() }
    };
    let all = page(HistoryQuery::default()).await;
    assert_eq!(sessions(&all), ["s5", "s4", "s3", "s2", "s1"]);
    assert_eq!(all[0], calls[4], "every field kept");
    let missed = page(HistoryQuery {
        missed_only: true,
        ..HistoryQuery::default()
    })
    .await;
    assert_eq!(sessions(&missed), ["s3", "s2"]);
    let outgoing = page(HistoryQuery {
        direction: Some(CallDirection::Outgoing),
        ..HistoryQuery::default()
    })
    .await;
    assert_eq!(sessions(&outgoing), ["s5", "s4", "s1"]);
    let redial = page(HistoryQuery {
        direction: Some(CallDirection::Outgoing),
        limit: Some(1),
        ..HistoryQuery::default()
    })
    .await;
    assert_eq!(
        redial[0].remote, "carol@example.com",
        "the last dialed target"
    );
    let ann = page(HistoryQuery {
        remote: Some("ann@example.com".into()),
        ..HistoryQuery::default()
    })
    .await;
    assert_eq!(sessions(&ann), ["s3", "s1"]);
    let with_chat = page(HistoryQuery {
        media: Some(MediaKind::Chat),
        ..HistoryQuery::default()
    })
    .await;
    assert_eq!(sessions(&with_chat), ["s5"]);
    let with_audio = page(HistoryQuery {
        media: Some(MediaKind::Audio),
        since: Some(UnixMillis(3_000)),
        limit: Some(2),
        ..HistoryQuery::default()
    })
    .await;
    assert_eq!(sessions(&with_audio), ["s5", "s4"]);

    // A NUL from the network (a quoted-pair in a SIP display name) does not lose the call.
    let mut odd = call("s6", "nul@example.com", 6_000, CallResult::Missed);
    odd.remote_display = Some("Eve\0Mallory".into());
    store.add_history(odd).await.unwrap();
    let kept = page(HistoryQuery {
        limit: Some(1),
        ..HistoryQuery::default()
    })
    .await;
    let expected = match target {
        Target::Sqlite(_) => "Eve\0Mallory",
        Target::Postgres(_) => "Eve\u{2400}Mallory",
    };
    assert_eq!(kept[0].remote_display.as_deref(), Some(expected));

    store.clear_history().await.unwrap();
    assert!(page(HistoryQuery::default()).await.is_empty());
    assert_eq!(
        store
            .messages_with("ann@example.com", 10)
            .await
            .unwrap()
            .len(),
        1,
        "clearing the history keeps the chats"
    );
}

async fn the_missed_count_and_when_it_was_viewed_survive_a_reopen(target: Target) {
    let store = target.open().await;
    assert_eq!(store.missed_viewed_at().await.unwrap(), None);
    for (i, started) in [1_000, 2_000, 3_000].into_iter().enumerate() {
        let session = format!("missed-{i}");
        store
            .add_history(call(
                &session,
                "bob@example.com",
                started,
                CallResult::Missed,
            ))
            .await
            .unwrap();
    }
    store
        .add_history(call(
            "answered",
            "bob@example.com",
            4_000,
            CallResult::Answered,
        ))
        .await
        .unwrap();
    store.set_missed_viewed_at(UnixMillis(1_500)).await.unwrap();
    drop(store);
    let store = target.open().await;
    let viewed = store.missed_viewed_at().await.unwrap();
    assert_eq!(viewed, Some(UnixMillis(1_500)));
    assert_eq!(store.missed_count(viewed.unwrap()).await.unwrap(), 2);
    assert_eq!(store.missed_count(UnixMillis(0)).await.unwrap(), 3);
}

async fn queued_and_failed_messages_survive_a_reopen_and_their_state_moves_on(target: Target) {
    let store = target.open().await;
    for (i, state) in [
        DeliveryState::Delivered,
        DeliveryState::Queued,
        DeliveryState::Failed,
    ]
    .into_iter()
    .enumerate()
    {
        let id = format!("m{i}");
        store
            .add_message(message(
                &id,
                i as i64,
                state,
                "ünïcode ✓ \"quoted\"\nline two",
            ))
            .await
            .unwrap();
    }
    assert!(
        matches!(
            store
                .add_message(message("m0", 9, DeliveryState::Sent, "again"))
                .await,
            Err(StorageError::Conflict(_))
        ),
        "a duplicate id is a conflict"
    );
    drop(store);

    let store = target.open().await;
    let stored = store.messages_with("ann@example.com", 10).await.unwrap();
    assert_eq!(stored.len(), 3);
    assert_eq!(
        stored[1],
        message(
            "m1",
            1,
            DeliveryState::Queued,
            "ünïcode ✓ \"quoted\"\nline two"
        ),
        "a queued message comes back whole, to be sent again"
    );
    assert_eq!(stored[2].state, DeliveryState::Failed);
    let mut elsewhere = message("other-account", 5, DeliveryState::Failed, "not ours");
    elsewhere.account = AccountId::new("work@example.org").unwrap();
    store.add_message(elsewhere).await.unwrap();
    let mut incoming = message("incoming", 6, DeliveryState::Received, "to us");
    incoming.direction = CallDirection::Incoming;
    store.add_message(incoming).await.unwrap();
    let unsent_ids = |limit: usize| {
        let store = &store;
        async move {
            store
                .unsent_messages(&account(), limit)
                .await
                .unwrap()
                .into_iter()
                .map(|m| m.id.to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        unsent_ids(10).await,
        ["m1", "m2"],
        "queued and failed, ours, oldest first: what goes again at registration"
    );
    assert_eq!(
        unsent_ids(1).await,
        ["m2"],
        "the newest when there are more"
    );
    store
        .set_message_state(&MessageId::new("m1").unwrap(), DeliveryState::Sent)
        .await
        .unwrap();
    assert!(matches!(
        store
            .set_message_state(&MessageId::new("nope").unwrap(), DeliveryState::Sent)
            .await,
        Err(StorageError::NotFound(_))
    ));
    assert_eq!(unsent_ids(10).await, ["m2"]);
    let latest = store.messages_with("ann@example.com", 2).await.unwrap();
    let ids: Vec<&str> = latest.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(
        ids,
        ["other-account", "incoming"],
        "the latest two, oldest first"
    );
    let all = store.messages_with("ann@example.com", 10).await.unwrap();
    assert_eq!(all[1].id.as_str(), "m1");
    assert_eq!(all[1].state, DeliveryState::Sent, "the new state is stored");
    assert!(
        store
            .messages_with("nobody@example.com", 10)
            .await
            .unwrap()
            .is_empty()
    );

    // A NUL from the network is kept (PostgreSQL text cannot hold one: there it shows as ␀).
    store
        .add_message(message("nul", 10, DeliveryState::Received, "a\0b"))
        .await
        .unwrap();
    let kept = store.messages_with("ann@example.com", 1).await.unwrap();
    let expected = match target {
        Target::Sqlite(_) => "a\0b",
        Target::Postgres(_) => "a\u{2400}b",
    };
    assert_eq!(kept[0].body, expected);
}

async fn chat_search_finds_the_words_in_order_whatever_the_case_and_accents(target: Target) {
    let store = target.open().await;
    let bodies = [
        "Meet the pelican at the Café Müller",
        "write to ann@example.com about 100 tickets",
        "the cafe is closed; pelicans elsewhere",
        "donʼt panic, ŉ ⑴ ː",
    ];
    for (i, body) in bodies.iter().enumerate() {
        store
            .add_message(message(
                &format!("m{i}"),
                i as i64,
                DeliveryState::Received,
                body,
            ))
            .await
            .unwrap();
    }
    let found = |text: &'static str, limit: usize| {
        let store = &store;
        async move {
            store
                .search_messages(text, limit)
                .await
                .unwrap()
                .iter()
                .map(|m| m.id.to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(found("CAFÉ MÜLLER", 10).await, ["m0"], "any case");
    assert_eq!(found("cafe muller", 10).await, ["m0"], "accents folded");
    assert_eq!(found("café", 10).await, ["m2", "m0"], "newest first");
    assert_eq!(found("café", 1).await, ["m2"], "at most the limit");
    assert_eq!(
        found("pelic", 10).await,
        ["m2", "m0"],
        "the last word is a prefix"
    );
    assert_eq!(found("the pelican", 10).await, ["m0"], "the words in order");
    assert!(found("pelican the", 10).await.is_empty());
    assert_eq!(
        found("example.com", 10).await,
        ["m1"],
        "an address in the text"
    );
    assert_eq!(found("100%", 10).await, ["m1"], "% is not a wildcard");
    assert!(
        found("\" OR NEAR( ' :* <->", 10).await.is_empty(),
        "query syntax is plain text, not an error"
    );
    assert!(found("  ", 10).await.is_empty());
    // Letters that PostgreSQL's unaccent folds into quotes, colons or brackets.
    assert_eq!(found("donʼt", 10).await, ["m3"], "a modifier apostrophe");
    assert_eq!(found("ŉ ⑴ ː", 10).await, ["m3"]);
    assert_eq!(
        found("pelic\0an", 10).await,
        Vec::<String>::new(),
        "a NUL is a space, not the end of the query (found by fuzzing)"
    );
    assert_eq!(found("the\tpelican", 10).await, ["m0"], "a tab is a space");
}

async fn contacts_and_groups_round_trip_and_refusals_say_why(target: Target) {
    let store = target.open().await;
    let work = group("work", "Work", 1);
    store.save_group(work.clone()).await.unwrap();
    let ann = ContactRecord {
        sip_addresses: vec!["ann@example.com".into()],
        phone_numbers: vec!["+44 20 7946 0001".into()],
        aliases: vec!["annie".into()],
        preferred_media: MediaKind::Chat,
        icon: Some("/icons/ann.png".into()),
        favorite: true,
        ..contact("ann", "Ann Lee", &work)
    };
    store.save_contact(ann.clone()).await.unwrap();
    let orphan = ContactRecord {
        group: GroupId::new("nowhere").unwrap(),
        ..contact("bob", "Bob", &work)
    };
    assert!(matches!(
        store.save_contact(orphan).await,
        Err(StorageError::NotFound(_))
    ));
    drop(store);

    let store = target.open().await;
    assert_eq!(store.contacts().await.unwrap(), std::slice::from_ref(&ann));
    assert!(matches!(
        store.delete_group(&work.id).await,
        Err(StorageError::Conflict(_))
    ));
    let renamed = GroupRecord {
        name: "Office".into(),
        collapsed: true,
        ..work.clone()
    };
    store.save_group(renamed.clone()).await.unwrap();
    assert_eq!(store.groups().await.unwrap(), [renamed]);
    let moved = ContactRecord {
        name: "Ann Lee-Smith".into(),
        position: 3,
        ..ann.clone()
    };
    store.save_contact(moved.clone()).await.unwrap();
    assert_eq!(store.contacts().await.unwrap(), [moved]);
    store.delete_contact(&ann.id).await.unwrap();
    assert!(matches!(
        store.delete_contact(&ann.id).await,
        Err(StorageError::NotFound(_))
    ));
    store.delete_group(&work.id).await.unwrap();
    assert!(matches!(
        store.delete_group(&work.id).await,
        Err(StorageError::NotFound(_))
    ));
}

async fn contact_search_finds_names_aliases_addresses_and_numbers(target: Target) {
    let store = target.open().await;
    let friends = group("friends", "Friends", 0);
    store.save_group(friends.clone()).await.unwrap();
    let people = [
        ContactRecord {
            sip_addresses: vec!["ann@example.com".into()],
            phone_numbers: vec!["+44 20 7946 0001".into()],
            ..contact("1", "Ann Lee", &friends)
        },
        ContactRecord {
            aliases: vec!["Bobby".into()],
            phone_numbers: vec!["(555) 123-4567".into()],
            ..contact("2", "Bob Stone", &friends)
        },
        ContactRecord {
            sip_addresses: vec!["zoe@sip.example.org".into()],
            ..contact("3", "Zoë 50% Off", &friends)
        },
    ];
    for person in &people {
        store.save_contact(person.clone()).await.unwrap();
    }
    let names = |text: &'static str| {
        let store = &store;
        async move {
            store
                .search_contacts(text, 10)
                .await
                .unwrap()
                .into_iter()
                .map(|c| c.name)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(names("ann").await, ["Ann Lee"]);
    assert_eq!(names("LEE").await, ["Ann Lee"], "any case");
    assert_eq!(names("bobby").await, ["Bob Stone"], "an alias");
    assert_eq!(
        names("example").await,
        ["Ann Lee", "Zoë 50% Off"],
        "by name"
    );
    assert_eq!(names("ZOË").await, ["Zoë 50% Off"]);
    assert_eq!(
        names("555-1234").await,
        ["Bob Stone"],
        "digits, any punctuation"
    );
    assert_eq!(names("0044 20 7946").await, ["Ann Lee"], "00 for +");
    assert_eq!(names("50%").await, ["Zoë 50% Off"], "% is a character");
    assert!(names("5_%").await.is_empty(), "and _ too");
    assert!(names("   ").await.is_empty());
    assert!(names("ann\0").await.len() == 1, "a NUL is a space");
    assert_eq!(store.search_contacts("e", 1).await.unwrap().len(), 1);

    // The search follows edits and deletions.
    let renamed = ContactRecord {
        name: "Robert Stone".into(),
        ..people[1].clone()
    };
    store.save_contact(renamed).await.unwrap();
    assert!(names("bob stone").await.is_empty());
    assert_eq!(names("robert").await, ["Robert Stone"]);
    store.delete_contact(&people[0].id).await.unwrap();
    assert!(names("ann lee").await.is_empty());
    assert!(names("7946").await.is_empty());
}

/// The table every contact search is held to (the domain's search-as-you-type too), so
/// the store and the app find the same contacts for "089/123456" or "0044 20".
async fn contact_search_finds_what_the_contract_table_says(target: Target) {
    use wink_ports::contact_search::examples;
    let store = target.open().await;
    store.save_group(examples::group()).await.unwrap();
    for contact in examples::address_book() {
        store.save_contact(contact).await.unwrap();
    }
    for &(query, expected) in examples::QUERIES {
        let found: Vec<String> = store
            .search_contacts(query, 100)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(found, expected, "query {query:?}");
    }
}

async fn contacts_from_the_settings_file_are_imported_once_and_whole(target: Target) {
    let store = target.open().await;
    let work = group("g1", "Work", 0);
    let from_settings = vec![
        contact("1", "Ann Lee", &work),
        ContactRecord {
            position: 1,
            ..contact("2", "Bob", &work)
        },
    ];
    let broken = vec![contact("3", "Carol", &group("missing", "Missing", 1))];
    assert!(
        store
            .import_contacts_once(std::slice::from_ref(&work), &broken)
            .await
            .is_err(),
        "a contact whose group is missing fails the import"
    );
    assert!(
        store.groups().await.unwrap().is_empty(),
        "a failed import leaves nothing behind"
    );
    assert_eq!(
        store
            .import_contacts_once(std::slice::from_ref(&work), &from_settings)
            .await
            .unwrap(),
        Some(2)
    );
    drop(store);
    let store = target.open().await;
    assert_eq!(store.contacts().await.unwrap(), from_settings);
    assert_eq!(store.groups().await.unwrap(), std::slice::from_ref(&work));
    store.delete_contact(&from_settings[1].id).await.unwrap();
    assert_eq!(
        store
            .import_contacts_once(&[work], &from_settings)
            .await
            .unwrap(),
        None,
        "a second import does nothing: the user's later changes stand"
    );
    assert_eq!(store.contacts().await.unwrap().len(), 1);
}

/// For each earlier schema version: a store made by it, with a call, a message and a
/// contact in it (written the way that version could), opens migrated, rows intact.
async fn every_earlier_schema_with_data_in_it_is_upgraded_in_place(target: Target) {
    let versions = Migrator::migrations().len();
    let mut stores = Vec::new();
    for version in 1..versions {
        // One location per version: a fresh SQLite folder or PostgreSQL database each.
        let at = match &target {
            Target::Sqlite(_) => Target::sqlite(),
            Target::Postgres(_) => Target::postgres().await,
        };
        let old = at.connect_unmigrated().await;
        Migrator::up(&old, Some(version as u32)).await.unwrap();
        let record = call("old-1", "ann@example.com", 5, CallResult::Missed);
        wink_storage::add_history(&old, &record).await.unwrap();
        let old_message = message(
            "old-m",
            7,
            DeliveryState::Queued,
            "written before the search index existed",
        );
        wink_storage::add_message(&old, &old_message).await.unwrap();
        old.execute_unprepared(
            "INSERT INTO contact_groups (id, name, position, collapsed) VALUES ('g', 'Old', 0, false)",
        )
        .await
        .unwrap();
        // From m0006 on, a save also wrote the contact's search text.
        let (search_column, search_value) = if version >= 6 {
            (
                ", search_text",
                ", '\nolga old\nolga@example.com\n15550100\n'",
            )
        } else {
            ("", "")
        };
        old.execute_unprepared(&format!(
            "INSERT INTO contacts (id, name, addresses, phones, aliases, preferred_media, icon, \
             group_id, position, favorite{search_column}) VALUES ('c', 'Olga Old', \
             '[\"olga@example.com\"]', '[\"+1 555 0100\"]', '[]', 'audio', NULL, 'g', 0, \
             false{search_value})"
        ))
        .await
        .unwrap();
        old.close().await.unwrap();
        stores.push((version, at, record, old_message));
    }
    for (version, at, record, old_message) in stores {
        let store = at.open().await;
        assert_eq!(
            store.history(HistoryQuery::default()).await.unwrap(),
            [record],
            "from version {version}: the call is still there"
        );
        assert_eq!(
            store.search_messages("search index", 10).await.unwrap(),
            [old_message],
            "from version {version}: the old message is found"
        );
        let found = store.search_contacts("555 0100", 10).await.unwrap();
        assert_eq!(
            found.len(),
            1,
            "from version {version}: the old contact is searchable"
        );
        assert_eq!(found[0].sip_addresses, ["olga@example.com"]);
        store.set_missed_viewed_at(UnixMillis(1)).await.unwrap();
    }
}
