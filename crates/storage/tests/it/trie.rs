//! The state trie over the SQLite node store: same roots, values and proofs as the in-memory
//! store, at old and new roots, after a reopen, and resumable from the stored head.

use crate::utils::{Rng, addr, commit, header, open, word};
use alloy_primitives::{Address, B256, U256, keccak256};
use revm::DatabaseRef;
use tributary_storage::{AccountInfo, BlockWrite, SqliteNodeStore, Store};
use tributary_trie::{
    AccountChange, EMPTY_ROOT_HASH, KECCAK_EMPTY, MemoryNodeStore, StateTrie, StateUpdate,
    key::account_key, proof::proof, state::account_proof,
};

const ACCOUNTS: u64 = 60;
const SLOTS: u64 = 12;

fn random_changes(rng: &mut Rng, block: u64) -> Vec<(Address, AccountChange)> {
    let mut picked: Vec<u64> = (0..20).map(|_| rng.below(ACCOUNTS)).collect();
    picked.sort_unstable();
    picked.dedup();
    picked
        .into_iter()
        .map(|i| {
            let change = if block > 0 && rng.below(10) == 0 {
                AccountChange {
                    info: None,
                    ..Default::default()
                }
            } else {
                let code_hash = if i % 7 == 0 {
                    keccak256(i.to_be_bytes())
                } else {
                    KECCAK_EMPTY
                };
                AccountChange {
                    info: Some(AccountInfo {
                        nonce: block,
                        balance: U256::from(rng.next()),
                        code_hash,
                    }),
                    wipe_storage: rng.below(15) == 0,
                    storage: (0..rng.below(6))
                        .map(|_| {
                            let v = if rng.below(4) == 0 { 0 } else { rng.next() };
                            (word(rng.below(SLOTS)), U256::from(v))
                        })
                        .collect(),
                }
            };
            (addr(i), change)
        })
        .collect()
}

/// Applies `changes` to a trie over the SQLite node store on a blocking thread (the sync path
/// must not run on an async worker).
async fn apply_sqlite(
    trie: StateTrie,
    nodes: SqliteNodeStore,
    changes: Vec<(Address, AccountChange)>,
) -> (StateTrie, StateUpdate) {
    tokio::task::spawn_blocking(move || {
        let mut trie = trie;
        let update = trie.apply(&nodes, changes).unwrap();
        (trie, update)
    })
    .await
    .unwrap()
}

fn block_write(
    number: u64,
    parent: B256,
    changes: Vec<(Address, AccountChange)>,
    update: StateUpdate,
) -> BlockWrite {
    BlockWrite {
        header: header(number, parent, update.root),
        transactions: vec![],
        state: changes,
        code: vec![],
        trie_nodes: update.new_nodes,
    }
}

/// Checks every account (and a few slots) at `root` against the in-memory store, and that the
/// proofs verify.
fn check_root(nodes: &SqliteNodeStore, memory: &MemoryNodeStore, root: B256) {
    let slots: Vec<B256> = (0..4).map(word).collect();
    for i in 0..ACCOUNTS + 2 {
        let a = addr(i);
        let from_sqlite = account_proof(nodes, root, &a, &slots).unwrap();
        let from_memory = account_proof(memory, root, &a, &slots).unwrap();
        assert_eq!(from_sqlite, from_memory, "account {a} at root {root}");
        let p = proof(nodes, root, &account_key(&a)).unwrap();
        p.verify(root).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn state_trie_over_sqlite_matches_memory_across_blocks_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let mut memory = MemoryNodeStore::new();
    let mut mem_trie = StateTrie::new(EMPTY_ROOT_HASH);
    let mut sql_trie = StateTrie::new(EMPTY_ROOT_HASH);
    let mut rng = Rng(0xfeed);
    let mut roots = Vec::new();
    let mut parent = B256::ZERO;
    for n in 0..8 {
        let changes = random_changes(&mut rng, n);
        let (t, update) = apply_sqlite(sql_trie, store.node_store(), changes.clone()).await;
        sql_trie = t;
        let mem_update = mem_trie.apply(&memory, changes.clone()).unwrap();
        assert_eq!(update, mem_update, "block {n}");
        memory.apply(&mem_update);
        roots.push(update.root);
        parent = commit(&store, &block_write(n, parent, changes, update)).await;
    }
    assert_eq!(
        roots.iter().collect::<std::collections::HashSet<_>>().len(),
        roots.len()
    );
    store.close().await;

    // Reopen with an empty cache: every node now comes from SQLite.
    let store = open(dir.path()).await;
    let head = store.head().await.unwrap().unwrap();
    assert_eq!(
        (head.number, head.hash, head.state_root),
        (7, parent, *roots.last().unwrap())
    );
    let nodes = store.node_store();
    assert_eq!(nodes.cached(), 0);
    {
        let (nodes, memory, roots) = (nodes.clone(), memory.clone(), roots.clone());
        tokio::task::spawn_blocking(move || {
            for root in roots {
                check_root(&nodes, &memory, root);
            }
        })
        .await
        .unwrap();
    }

    // The flat tables hold exactly the latest trie state.
    for i in 0..ACCOUNTS {
        let a = addr(i);
        let in_trie = mem_trie.account(&memory, &a).unwrap();
        let flat = store.account(a).await.unwrap();
        assert_eq!(
            flat.map(|f| (f.nonce, f.balance, f.code_hash)),
            in_trie.map(|t| (t.nonce, t.balance, t.code_hash)),
            "account {a}"
        );
        for s in 0..SLOTS {
            assert_eq!(
                store.storage(a, word(s)).await.unwrap(),
                mem_trie.storage(&memory, &a, &word(s)).unwrap(),
                "{a} slot {s}"
            );
        }
    }

    // Resume from the stored head: one more block, same root as the in-memory run.
    let changes = random_changes(&mut rng, 8);
    let (_, update) = apply_sqlite(
        StateTrie::new(head.state_root),
        nodes.clone(),
        changes.clone(),
    )
    .await;
    let mem_update = mem_trie.apply(&memory, changes.clone()).unwrap();
    assert_eq!(update, mem_update);
    memory.apply(&mem_update);
    let new_root = update.root;
    commit(&store, &block_write(8, head.hash, changes, update)).await;
    tokio::task::spawn_blocking(move || {
        nodes.clear_cache();
        check_root(&nodes, &memory, new_root);
        check_root(&nodes, &memory, roots[0]);
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn state_reader_serves_revm_from_the_flat_tables() {
    let dir = tempfile::tempdir().unwrap();
    let store: Store = open(dir.path()).await;
    let code = alloy_primitives::Bytes::from_static(&[0x60, 0x2a, 0x60, 0x00, 0x55]);
    let code_hash = keccak256(&code);
    let changes = vec![(
        addr(1),
        AccountChange {
            info: Some(AccountInfo {
                nonce: 4,
                balance: U256::from(99),
                code_hash,
            }),
            storage: vec![(word(3), U256::from(33))],
            ..Default::default()
        },
    )];
    let mut memory = MemoryNodeStore::new();
    let update = StateTrie::new(EMPTY_ROOT_HASH)
        .apply(&memory, changes.clone())
        .unwrap();
    memory.apply(&update);
    let mut b0 = block_write(0, B256::ZERO, changes, update);
    b0.code.push((code_hash, code.clone()));
    let h0 = commit(&store, &b0).await;

    let reader = store.state_reader();
    tokio::task::spawn_blocking(move || {
        let info = reader.basic_ref(addr(1)).unwrap().unwrap();
        assert_eq!(
            (info.nonce, info.balance, info.code_hash),
            (4, U256::from(99), code_hash)
        );
        assert_eq!(
            reader.code_by_hash_ref(code_hash).unwrap().original_bytes(),
            code
        );
        assert!(reader.code_by_hash_ref(KECCAK_EMPTY).unwrap().is_empty());
        assert_eq!(
            reader.storage_ref(addr(1), U256::from(3)).unwrap(),
            U256::from(33)
        );
        assert_eq!(
            reader.storage_ref(addr(1), U256::from(4)).unwrap(),
            U256::ZERO
        );
        assert!(reader.basic_ref(addr(2)).unwrap().is_none());
        assert_eq!(reader.block_hash_ref(0).unwrap(), h0);
        let err = reader.block_hash_ref(1).unwrap_err();
        assert!(err.is_fatal(), "{err}");
        let err = reader.code_by_hash_ref(B256::repeat_byte(1)).unwrap_err();
        assert!(err.is_fatal(), "{err}");
    })
    .await
    .unwrap();
}
