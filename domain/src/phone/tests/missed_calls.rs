//! The missed-call count survives a restart: counted from the store since the user last
//! looked, and looking is remembered.

use super::*;

#[tokio::test]
async fn the_count_is_restored_from_the_store_and_clearing_remembers_when() {
    let mut mocks = Mocks::new();
    mocks
        .storage
        .expect_missed_viewed_at()
        .times(1)
        .returning(|| Ok(Some(UnixMillis(500))));
    mocks
        .storage
        .expect_missed_count()
        .withf(|since| *since == UnixMillis(500))
        .times(1)
        .returning(|_| Ok(3));
    mocks
        .storage
        .expect_set_missed_viewed_at()
        .times(1)
        .returning(|_| Ok(()));
    let (mut phone, mut events, _) = phone(mocks);
    phone.restore_missed_calls().await;
    assert_eq!(phone.missed_calls(), 3);
    assert_eq!(drain(&mut events), [PhoneEvent::MissedCalls(3)]);
    phone.execute(Command::ClearMissedCalls).await.unwrap();
    assert_eq!(phone.missed_calls(), 0);
}
