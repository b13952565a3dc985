//! Per-block update cost of the incremental trie against a full `HashBuilder` rebuild.
//!
//! `cargo bench -p tributary-trie --bench update [-- ACCOUNTS UPDATES BLOCKS]`
//! (defaults: 100 000 accounts, 1 000 updates per block, 10 blocks). Plain timer, no harness.

use alloy_primitives::{B256, Bytes, U256, keccak256};
use alloy_trie::{EMPTY_ROOT_HASH, HashBuilder, KECCAK_EMPTY, Nibbles, TrieAccount};
use std::{collections::BTreeMap, time::Instant};
use tributary_trie::{MemoryNodeStore, RecordingStore, Trie};

fn account_rlp(i: u64) -> Bytes {
    let account = TrieAccount::new(
        i,
        U256::from(i) * U256::from(1_000_000_007u64),
        EMPTY_ROOT_HASH,
        KECCAK_EMPTY,
    );
    alloy_rlp::encode(account).into()
}

fn key(i: u64) -> B256 {
    keccak256(i.to_be_bytes())
}

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let accounts = args.first().copied().unwrap_or(100_000);
    let updates = args.get(1).copied().unwrap_or(1_000);
    let blocks = args.get(2).copied().unwrap_or(10);

    // Genesis: all accounts in one commit.
    let mut store = MemoryNodeStore::new();
    let mut model = BTreeMap::new();
    let start = Instant::now();
    let mut trie = Trie::new(EMPTY_ROOT_HASH);
    for i in 0..accounts {
        let value = account_rlp(i);
        trie.insert(&store, &key(i), value.clone()).unwrap();
        model.insert(key(i), value);
    }
    let genesis = trie.commit();
    store.apply(&genesis);
    println!(
        "genesis: {accounts} accounts in {:?}, {} nodes, {} KiB",
        start.elapsed(),
        store.len(),
        store.size_bytes() / 1024
    );

    let mut root = genesis.root;
    let mut warm = Trie::new(root);
    let (mut cold_ns, mut warm_ns, mut rebuild_ns, mut witness_nodes, mut new_nodes) =
        (0, 0, 0, 0, 0);
    let mut seed = 0u64;
    for block in 0..blocks {
        // 90% updates of existing accounts, 10% new accounts.
        let changes: Vec<(B256, Bytes)> = (0..updates)
            .map(|j| {
                seed += 1;
                let r = u64::from_be_bytes(keccak256(seed.to_be_bytes())[..8].try_into().unwrap());
                let i = if j % 10 == 0 {
                    accounts + block * updates + j
                } else {
                    r % accounts
                };
                (key(i), account_rlp(r))
            })
            .collect();

        // Cold: a trie opened at the block's pre-state root, every node loaded from the store
        // (what a per-block witness recorder does).
        let recording = RecordingStore::new(&store);
        let start = Instant::now();
        let mut cold = Trie::new(root);
        for (k, v) in &changes {
            cold.insert(&recording, k, v.clone()).unwrap();
        }
        let update = cold.commit();
        cold_ns += start.elapsed().as_nanos();
        witness_nodes += recording.take_witness().len();

        // Warm: one trie kept across blocks (top levels stay loaded).
        let start = Instant::now();
        for (k, v) in &changes {
            warm.insert(&store, k, v.clone()).unwrap();
        }
        let warm_update = warm.commit();
        warm_ns += start.elapsed().as_nanos();
        assert_eq!(warm_update.root, update.root);

        // Full rebuild over all leaves, sorted (the model is kept sorted, so sorting is free).
        for (k, v) in &changes {
            model.insert(*k, v.clone());
        }
        let start = Instant::now();
        let mut hb = HashBuilder::default();
        for (k, v) in &model {
            hb.add_leaf(Nibbles::unpack(k), v);
        }
        let rebuilt = hb.root();
        rebuild_ns += start.elapsed().as_nanos();
        assert_eq!(
            rebuilt, update.root,
            "incremental root differs from the rebuild"
        );

        new_nodes += update.new_nodes.len();
        store.apply(&update);
        root = update.root;
    }

    let per_block = |ns: u128| ns as f64 / blocks as f64 / 1e6;
    let per_op = |ns: u128| ns as f64 / (blocks * updates) as f64 / 1e3;
    println!("{blocks} blocks × {updates} updates over ~{accounts} accounts:");
    println!(
        "  incremental, cold trie: {:8.2} ms/block  {:6.2} µs/update",
        per_block(cold_ns),
        per_op(cold_ns)
    );
    println!(
        "  incremental, warm trie: {:8.2} ms/block  {:6.2} µs/update",
        per_block(warm_ns),
        per_op(warm_ns)
    );
    println!(
        "  HashBuilder rebuild:    {:8.2} ms/block",
        per_block(rebuild_ns)
    );
    println!(
        "  rebuild / cold = {:.1}×, rebuild / warm = {:.1}×",
        rebuild_ns as f64 / cold_ns as f64,
        rebuild_ns as f64 / warm_ns as f64
    );
    println!(
        "  per block: {} new nodes, {} nodes read (witness) on average; store now {} nodes, {} KiB",
        new_nodes / blocks as usize,
        witness_nodes / blocks as usize,
        store.len(),
        store.size_bytes() / 1024
    );
}
