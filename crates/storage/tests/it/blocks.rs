//! Committing blocks, reading them back, atomicity, contiguity and reopening.

use crate::utils::{addr, block, commit, log, open, tx, word};
use alloy::{consensus::ReceiptEnvelope, eips::eip2718::Decodable2718};
use alloy_primitives::{B256, Bytes, U256, keccak256};
use sqlx::{Connection, SqliteConnection};
use tributary_storage::{AccountInfo, LogFilter, StoreConfig, StoreError};
use tributary_trie::{AccountChange, KECCAK_EMPTY};

fn info(nonce: u64, balance: u64, code_hash: B256) -> Option<AccountInfo> {
    Some(AccountInfo {
        nonce,
        balance: U256::from(balance),
        code_hash,
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn commit_blocks_and_read_everything_back() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    assert_eq!(store.head().await.unwrap(), None);
    assert_eq!(store.genesis_hash().await.unwrap(), None);

    let code = Bytes::from_static(&[0x60, 0x00, 0x60, 0x00, 0xf3]);
    let code_hash = keccak256(&code);
    let genesis = block(
        0,
        B256::ZERO,
        vec![],
        vec![
            (
                addr(1),
                AccountChange {
                    info: info(0, 1_000, KECCAK_EMPTY),
                    ..Default::default()
                },
            ),
            (
                addr(2),
                AccountChange {
                    info: info(1, 0, code_hash),
                    storage: vec![(word(1), U256::from(11)), (word(2), U256::from(22))],
                    ..Default::default()
                },
            ),
        ],
    );
    let mut genesis = genesis;
    genesis.code.push((code_hash, code.clone()));
    let h0 = commit(&store, &genesis).await;

    let b1 = block(
        1,
        h0,
        vec![
            tx(1, 0, vec![]),
            tx(
                1,
                1,
                vec![
                    log(addr(2), &[word(7)], b"a"),
                    log(addr(2), &[word(7), word(8)], b"b"),
                ],
            ),
            tx(1, 2, vec![log(addr(3), &[], b"c")]),
        ],
        vec![
            (
                addr(1),
                AccountChange {
                    info: info(1, 900, KECCAK_EMPTY),
                    ..Default::default()
                },
            ),
            (
                addr(2),
                AccountChange {
                    info: info(1, 0, code_hash),
                    // slot 1 cleared, slot 2 rewritten, slot 3 new
                    storage: vec![
                        (word(1), U256::ZERO),
                        (word(2), U256::from(23)),
                        (word(3), U256::from(33)),
                    ],
                    ..Default::default()
                },
            ),
        ],
    );
    let h1 = commit(&store, &b1).await;

    let b2 = block(
        2,
        h1,
        vec![tx(2, 0, vec![log(addr(2), &[word(9)], b"d")])],
        vec![
            // deleted account: its storage goes too
            (
                addr(2),
                AccountChange {
                    info: None,
                    ..Default::default()
                },
            ),
            (
                addr(4),
                AccountChange {
                    info: info(0, 5, KECCAK_EMPTY),
                    ..Default::default()
                },
            ),
        ],
    );
    let h2 = commit(&store, &b2).await;

    // Head and identity.
    let head = store.head().await.unwrap().unwrap();
    assert_eq!((head.number, head.hash), (2, h2));
    assert_eq!(store.genesis_hash().await.unwrap(), Some(h0));

    // Headers by number and hash.
    for (n, h, b) in [(0, h0, &genesis), (1, h1, &b1), (2, h2, &b2)] {
        let by_number = store.header_by_number(n).await.unwrap().unwrap();
        assert_eq!(by_number.hash(), h);
        assert_eq!(by_number.inner(), &b.header);
        let by_hash = store.header_by_hash(h).await.unwrap().unwrap();
        assert_eq!(by_hash.inner(), &b.header);
        assert_eq!(store.block_hash(n).await.unwrap(), Some(h));
    }
    assert!(store.header_by_number(3).await.unwrap().is_none());
    assert!(
        store
            .header_by_hash(B256::repeat_byte(9))
            .await
            .unwrap()
            .is_none()
    );

    // Transactions.
    let txs = store.block_transactions(1).await.unwrap();
    assert_eq!(txs.len(), 3);
    for (i, (stored, written)) in txs.iter().zip(&b1.transactions).enumerate() {
        assert_eq!(stored.hash, written.hash);
        assert_eq!(stored.raw, written.raw);
        assert_eq!(stored.sender, written.sender);
        assert_eq!(
            (stored.block_number, stored.block_hash, stored.index),
            (1, h1, i as u64)
        );
        assert_eq!(
            store.transaction(written.hash).await.unwrap().as_ref(),
            Some(stored)
        );
        assert_eq!(
            store.transaction_at(1, i as u64).await.unwrap().as_ref(),
            Some(stored)
        );
    }
    assert!(store.transaction_at(1, 3).await.unwrap().is_none());
    assert!(store.block_transactions(0).await.unwrap().is_empty());
    assert!(
        store
            .transaction(B256::repeat_byte(1))
            .await
            .unwrap()
            .is_none()
    );

    // Receipts: extras, block-level first log index, and the envelope decodes to the logs.
    let receipts = store.block_receipts(1).await.unwrap();
    assert_eq!(
        receipts
            .iter()
            .map(|r| r.first_log_index)
            .collect::<Vec<_>>(),
        [0, 0, 2]
    );
    for (r, t) in receipts.iter().zip(&b1.transactions) {
        assert_eq!(r.tx_hash, t.hash);
        assert_eq!((r.block_number, r.block_hash), (1, h1));
        assert_eq!(r.gas_used, t.gas_used);
        assert_eq!(r.effective_gas_price, t.effective_gas_price);
        assert_eq!(r.contract_address, t.contract_address);
        assert_eq!(r.l1_fee, t.l1_fee);
        assert_eq!(r.extra, t.extra);
        assert_eq!(r.encoded, t.receipt);
        let envelope = ReceiptEnvelope::decode_2718(&mut r.encoded.as_ref()).unwrap();
        assert_eq!(envelope.logs(), t.logs.as_slice());
        assert_eq!(store.receipt(t.hash).await.unwrap().as_ref(), Some(r));
    }
    assert!(store.receipt(B256::repeat_byte(1)).await.unwrap().is_none());
    assert_eq!(store.block_receipts(2).await.unwrap()[0].first_log_index, 0);

    // Logs of block 1 carry block-level indexes.
    let logs = store.logs(&LogFilter::range(1, 1), 10).await.unwrap();
    assert_eq!(
        logs.iter()
            .map(|l| (l.log_index, l.tx_index))
            .collect::<Vec<_>>(),
        [(0, 1), (1, 1), (2, 2)]
    );

    // Flat state after block 2.
    assert_eq!(
        store.account(addr(1)).await.unwrap(),
        info(1, 900, KECCAK_EMPTY)
    );
    assert_eq!(store.account(addr(2)).await.unwrap(), None);
    assert_eq!(
        store.account(addr(4)).await.unwrap(),
        info(0, 5, KECCAK_EMPTY)
    );
    for slot in 1..=3 {
        assert_eq!(
            store.storage(addr(2), word(slot)).await.unwrap(),
            U256::ZERO
        );
    }
    // Code stays (content-addressed, shared by history).
    assert_eq!(store.code(code_hash).await.unwrap(), Some(code));
    assert_eq!(store.code(B256::repeat_byte(3)).await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn storage_updates_zero_deletes_and_wipe() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let a = addr(7);
    let change = |storage: Vec<(B256, U256)>, wipe_storage| AccountChange {
        info: info(1, 1, KECCAK_EMPTY),
        wipe_storage,
        storage,
    };
    let h0 = commit(
        &store,
        &block(
            0,
            B256::ZERO,
            vec![],
            vec![(
                a,
                change(
                    vec![(word(1), U256::from(1)), (word(2), U256::from(2))],
                    false,
                ),
            )],
        ),
    )
    .await;
    assert_eq!(store.storage(a, word(1)).await.unwrap(), U256::from(1));
    // Wipe, then write slot 3 in the same block: only slot 3 remains.
    commit(
        &store,
        &block(
            1,
            h0,
            vec![],
            vec![(a, change(vec![(word(3), U256::from(3))], true))],
        ),
    )
    .await;
    assert_eq!(store.storage(a, word(1)).await.unwrap(), U256::ZERO);
    assert_eq!(store.storage(a, word(2)).await.unwrap(), U256::ZERO);
    assert_eq!(store.storage(a, word(3)).await.unwrap(), U256::from(3));

    // One slot written twice in one change: the last write wins, as applied in order.
    let h1 = store.head().await.unwrap().unwrap().hash;
    let h2 = commit(
        &store,
        &block(
            2,
            h1,
            vec![],
            vec![(
                a,
                change(
                    vec![
                        (word(3), U256::from(30)),
                        (word(3), U256::ZERO),
                        (word(4), U256::ZERO),
                        (word(4), U256::from(4)),
                    ],
                    false,
                ),
            )],
        ),
    )
    .await;
    assert_eq!(store.storage(a, word(3)).await.unwrap(), U256::ZERO);
    assert_eq!(store.storage(a, word(4)).await.unwrap(), U256::from(4));

    // Two changes of one account in a block are refused.
    let twice = block(
        3,
        h2,
        vec![],
        vec![(a, change(vec![], false)), (a, change(vec![], true))],
    );
    let err = store.commit_block(&twice).await.unwrap_err();
    assert!(
        matches!(err, StoreError::DuplicateAccount { address } if address == a),
        "{err}"
    );
    assert_eq!(store.head().await.unwrap().unwrap().number, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn rejects_blocks_that_do_not_extend_the_head() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;

    let err = store
        .commit_block(&block(1, B256::ZERO, vec![], vec![]))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NotNextBlock {
                expected: 0,
                got: 1
            }
        ),
        "{err}"
    );
    assert!(!err.is_fatal());

    let h0 = commit(&store, &block(0, B256::ZERO, vec![], vec![])).await;
    let err = store
        .commit_block(&block(0, B256::ZERO, vec![], vec![]))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NotNextBlock {
                expected: 1,
                got: 0
            }
        ),
        "{err}"
    );
    let err = store
        .commit_block(&block(2, h0, vec![], vec![]))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NotNextBlock {
                expected: 1,
                got: 2
            }
        ),
        "{err}"
    );
    let err = store
        .commit_block(&block(1, B256::repeat_byte(5), vec![], vec![]))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::ParentMismatch { number: 1, head, .. } if head == h0),
        "{err}"
    );

    // A state root whose node is neither new nor stored.
    let mut b1 = block(1, h0, vec![tx(1, 0, vec![])], vec![]);
    b1.header.state_root = B256::repeat_byte(0x77);
    let err = store.commit_block(&b1).await.unwrap_err();
    assert!(
        matches!(err, StoreError::MissingStateRoot { number: 1, .. }),
        "{err}"
    );
    assert!(!err.is_fatal());

    assert_eq!(store.head().await.unwrap().unwrap().hash, h0);
    assert!(
        store
            .transaction(b1.transactions[0].hash)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn chain_id_is_recorded_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    store.ensure_chain_id(4_242).await.unwrap();
    store.ensure_chain_id(4_242).await.unwrap();
    store.close().await;
    let store = open(dir.path()).await;
    let err = store.ensure_chain_id(1).await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::ChainIdMismatch {
                stored: 4_242,
                expected: 1
            }
        ),
        "{err}"
    );
    assert!(err.is_fatal());
}

/// Snapshot of everything block 1 of the atomicity tests could have touched.
async fn assert_block1_absent(
    store: &tributary_storage::Store,
    b1: &tributary_storage::BlockWrite,
    h0: B256,
) {
    let head = store.head().await.unwrap().unwrap();
    assert_eq!((head.number, head.hash), (0, h0));
    assert!(store.header_by_number(1).await.unwrap().is_none());
    assert!(
        store
            .header_by_hash(b1.header.hash_slow())
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.block_transactions(1).await.unwrap().is_empty());
    assert!(store.block_receipts(1).await.unwrap().is_empty());
    assert!(
        store
            .transaction(b1.transactions[0].hash)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .receipt(b1.transactions[0].hash)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .logs(&LogFilter::range(1, 10), 100)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.account(addr(1)).await.unwrap(),
        info(0, 100, KECCAK_EMPTY)
    );
    assert_eq!(store.account(addr(9)).await.unwrap(), None);
    assert_eq!(
        store.storage(addr(1), word(1)).await.unwrap(),
        U256::from(1)
    );
    for hash in b1.trie_nodes.keys() {
        assert_eq!(store.trie_node(*hash).await.unwrap(), None);
    }
    assert_eq!(store.code(b1.code[0].0).await.unwrap(), None);
}

/// Genesis plus a block 1 touching every table, with its first tx journaled in the pool.
async fn atomicity_setup(
    store: &tributary_storage::Store,
) -> (B256, tributary_storage::BlockWrite) {
    let h0 = commit(
        store,
        &block(
            0,
            B256::ZERO,
            vec![tx(0, 0, vec![])],
            vec![(
                addr(1),
                AccountChange {
                    info: info(0, 100, KECCAK_EMPTY),
                    storage: vec![(word(1), U256::from(1))],
                    ..Default::default()
                },
            )],
        ),
    )
    .await;
    let mut b1 = block(
        1,
        h0,
        vec![
            tx(1, 0, vec![log(addr(1), &[word(1)], b"x")]),
            tx(1, 1, vec![log(addr(1), &[], b"y")]),
        ],
        vec![
            (
                addr(1),
                AccountChange {
                    info: info(1, 50, KECCAK_EMPTY),
                    storage: vec![(word(1), U256::ZERO)],
                    ..Default::default()
                },
            ),
            (
                addr(9),
                AccountChange {
                    info: info(0, 50, KECCAK_EMPTY),
                    ..Default::default()
                },
            ),
        ],
    );
    let node = Bytes::from(vec![0xc0 + 1; 40]);
    b1.trie_nodes.insert(keccak256(&node), node);
    let code = Bytes::from_static(b"\x60\x01");
    b1.code.push((keccak256(&code), code));
    (h0, b1)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_duplicate_transaction_hash_rolls_back_the_whole_block() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let (h0, mut b1) = atomicity_setup(&store).await;
    // The last transaction repeats one of block 0: the primary key fails after the block row,
    // the other transactions, receipts and logs were written.
    let good = b1.clone();
    b1.transactions.push(tx(0, 0, vec![]));
    let err = store.commit_block(&b1).await.unwrap_err();
    assert!(err.is_constraint_violation(), "{err}");
    assert!(!err.is_fatal(), "{err}");
    assert_block1_absent(&store, &b1, h0).await;

    // The store is usable afterwards: the good block commits.
    let h1 = commit(&store, &good).await;
    assert_eq!(store.head().await.unwrap().unwrap().hash, h1);
    assert_eq!(
        store.account(addr(9)).await.unwrap(),
        info(0, 50, KECCAK_EMPTY)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failure_at_the_last_write_rolls_back_the_whole_block() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let (h0, b1) = atomicity_setup(&store).await;

    // Inject a failure into the very last statement of the commit (the head pointer), after
    // state, code, trie nodes and pool removals were written.
    let opts = StoreConfig::test(dir.path()).path;
    let mut conn = SqliteConnection::connect(&format!("sqlite://{}", opts.display()))
        .await
        .unwrap();
    sqlx::query(
        "CREATE TRIGGER fail_head BEFORE UPDATE ON meta WHEN NEW.key = 'head' \
         BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let err = store.commit_block(&b1).await.unwrap_err();
    assert!(err.to_string().contains("injected failure"), "{err}");
    assert_block1_absent(&store, &b1, h0).await;

    sqlx::query("DROP TRIGGER fail_head")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    commit(&store, &b1).await;
    assert_eq!(store.head().await.unwrap().unwrap().number, 1);
    assert_eq!(
        store
            .trie_node(*b1.trie_nodes.keys().next().unwrap())
            .await
            .unwrap()
            .as_ref(),
        b1.trie_nodes.values().next()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn reopen_gives_the_same_head_and_state() {
    let dir = tempfile::tempdir().unwrap();
    let (h1, b1) = {
        let store = open(dir.path()).await;
        let h0 = commit(&store, &block(0, B256::ZERO, vec![], vec![])).await;
        let b1 = block(
            1,
            h0,
            vec![tx(1, 0, vec![log(addr(5), &[word(5)], b"z")])],
            vec![(
                addr(5),
                AccountChange {
                    info: info(3, 77, KECCAK_EMPTY),
                    storage: vec![(word(5), U256::from(55))],
                    ..Default::default()
                },
            )],
        );
        let h1 = commit(&store, &b1).await;
        // No close: dropping the handles is all a crashing process would do.
        drop(store);
        (h1, b1)
    };
    let store = open(dir.path()).await;
    let head = store.head().await.unwrap().unwrap();
    assert_eq!(
        (head.number, head.hash, head.state_root),
        (1, h1, b1.header.state_root)
    );
    assert_eq!(
        store.account(addr(5)).await.unwrap(),
        info(3, 77, KECCAK_EMPTY)
    );
    assert_eq!(
        store.storage(addr(5), word(5)).await.unwrap(),
        U256::from(55)
    );
    assert_eq!(
        store
            .receipt(b1.transactions[0].hash)
            .await
            .unwrap()
            .unwrap()
            .encoded,
        b1.transactions[0].receipt
    );
    assert_eq!(
        store.logs(&LogFilter::range(0, 1), 10).await.unwrap().len(),
        1
    );
}
