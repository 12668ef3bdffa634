//! Versioned schema migrations. Each migration is applied once, in order, and recorded in
//! `seaql_migrations`; opening an older store upgrades it in place, so a "no such column"
//! can never reach a user. Never edit a migration that shipped: add the next one.

mod m0001_initial;
mod m0002_meta;
mod m0003_missed_index;
mod m0004_chat_search;
mod m0005_postgres_search;
mod m0006_contact_search;

pub(crate) use m0001_initial::{CallHistory, ChatMessages, ContactGroups, Contacts};
pub(crate) use m0002_meta::Meta;

use sea_orm_migration::{MigrationTrait, MigratorTrait};

/// Every migration, oldest first.
#[derive(Debug)]
pub struct Migrator;

#[sea_orm_migration::async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_initial::Migration),
            Box::new(m0002_meta::Migration),
            Box::new(m0003_missed_index::Migration),
            Box::new(m0004_chat_search::Migration),
            Box::new(m0005_postgres_search::Migration),
            Box::new(m0006_contact_search::Migration),
        ]
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectOptions, Database};
    use wink_ports::{HistoryQuery, UnixMillis};

    use super::*;

    /// A store left by the first version: only m0001, with rows in it.
    #[tokio::test]
    async fn a_first_version_store_with_data_is_upgraded_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wink.sqlite");
        let old = Database::connect(ConnectOptions::new(format!(
            "sqlite://{}?mode=rwc",
            path.display()
        )))
        .await
        .unwrap();
        Migrator::up(&old, Some(1)).await.unwrap();
        let record = wink_ports::HistoryRecord {
            session: wink_ports::SessionId::new("old-1").unwrap(),
            account: wink_ports::AccountId::new("me@example.com").unwrap(),
            direction: wink_ports::CallDirection::Incoming,
            remote: "ann@example.com".into(),
            remote_display: None,
            media: vec![wink_ports::MediaKind::Audio],
            started_at: UnixMillis(5),
            answered_at: None,
            ended_at: UnixMillis(6),
            result: wink_ports::CallResult::Missed,
            recording: None,
        };
        crate::add_history(&old, &record).await.unwrap();
        let message = wink_ports::ChatMessageRecord {
            id: wink_ports::MessageId::new("old-m").unwrap(),
            account: wink_ports::AccountId::new("me@example.com").unwrap(),
            remote: "ann@example.com".into(),
            direction: wink_ports::CallDirection::Incoming,
            content_type: "text/plain".into(),
            body: "written before the search index existed".into(),
            at: UnixMillis(7),
            state: wink_ports::DeliveryState::Received,
        };
        crate::add_message(&old, &message).await.unwrap();
        assert!(
            crate::meta::get_meta(&old, "x").await.is_err(),
            "no meta table yet"
        );
        old.close().await.unwrap();

        let opened = crate::open_sqlite(&path).await.unwrap();
        assert!(opened.kept_damaged_file.is_none());
        assert_eq!(
            crate::history(&opened.db, &HistoryQuery::default())
                .await
                .unwrap(),
            [record],
            "the old rows are still there"
        );
        assert_eq!(
            crate::search_messages(&opened.db, "search index", 10)
                .await
                .unwrap(),
            [message],
            "old messages are indexed by the upgrade"
        );
        crate::meta::set_meta(&opened.db, "x", "1").await.unwrap();
        assert_eq!(
            crate::meta::get_meta(&opened.db, "x")
                .await
                .unwrap()
                .as_deref(),
            Some("1")
        );
        let applied = Migrator::get_applied_migrations(&opened.db).await.unwrap();
        assert_eq!(applied.len(), Migrator::migrations().len());
    }
}
