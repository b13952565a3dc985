//! The transaction-pool journal.

use crate::utils::{addr, block, commit, open, tx};
use alloy_primitives::{B256, Bytes};
use tributary_storage::PoolTx;

fn pool_tx(i: u64) -> PoolTx {
    let t = tx(99, i, vec![]);
    PoolTx {
        hash: t.hash,
        sender: addr(i % 2),
        nonce: i,
        inserted_at: 1_000 + i,
        raw: t.raw,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn journal_survives_reopen_in_arrival_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    // Arrival order differs from nonce and hash order.
    let txs: Vec<_> = [3, 0, 4, 1, 2].into_iter().map(pool_tx).collect();
    for t in &txs {
        assert!(store.pool_insert(t).await.unwrap());
    }
    // Already known.
    assert!(!store.pool_insert(&txs[0]).await.unwrap());
    assert_eq!(
        store
            .pool_remove(&[txs[2].hash, B256::repeat_byte(1)])
            .await
            .unwrap(),
        1
    );
    drop(store);

    let store = open(dir.path()).await;
    let loaded = store.pool_load().await.unwrap();
    let expected: Vec<_> = txs
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 2)
        .map(|(_, t)| t.clone())
        .collect();
    assert_eq!(loaded, expected);
    // Nonces and times keep their full u64 range.
    let big = PoolTx {
        nonce: u64::MAX,
        inserted_at: u64::MAX - 1,
        raw: Bytes::from_static(b"x"),
        ..pool_tx(9)
    };
    store.pool_insert(&big).await.unwrap();
    assert_eq!(store.pool_load().await.unwrap().last(), Some(&big));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_journal_is_independent_of_block_commits() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let included = tx(0, 0, vec![]);
    let mined = PoolTx {
        hash: included.hash,
        sender: included.sender,
        nonce: 0,
        inserted_at: 1,
        raw: included.raw.clone(),
    };
    let pending = pool_tx(5);
    store
        .pool_insert_many(&[mined.clone(), pending.clone()])
        .await
        .unwrap();
    // committing a block neither needs nor touches the journal (its own file, its own writer)
    commit(&store, &block(0, B256::ZERO, vec![included], vec![])).await;
    assert_eq!(
        store.pool_load().await.unwrap(),
        vec![mined.clone(), pending.clone()]
    );
    // the node removes included transactions once their block is durable
    assert_eq!(store.pool_remove(&[mined.hash]).await.unwrap(), 1);
    assert_eq!(store.pool_load().await.unwrap(), vec![pending]);
}

#[tokio::test(flavor = "multi_thread")]
async fn batch_insert_keeps_arrival_order_and_skips_known_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    assert!(store.pool_insert(&pool_tx(7)).await.unwrap());
    // more rows than one multi-row statement holds, with one already journaled
    let batch: Vec<_> = (0..600).rev().map(pool_tx).collect();
    assert_eq!(store.pool_insert_many(&batch).await.unwrap(), 599);
    assert_eq!(store.pool_insert_many(&[]).await.unwrap(), 0);
    drop(store);

    let store = open(dir.path()).await;
    let loaded = store.pool_load().await.unwrap();
    let expected: Vec<_> = std::iter::once(pool_tx(7))
        .chain(batch.into_iter().filter(|t| t.nonce != 7))
        .collect();
    assert_eq!(loaded, expected);
}
