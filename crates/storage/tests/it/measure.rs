//! Measurements, printed and not asserted. Run with
//! `cargo test -p tributary-storage --release -- --ignored --nocapture measure`
//! (or without `--release`: dependencies are optimised in the dev profile).

use crate::utils::{Rng, addr, commit, header, log, open, tx_salted, word};
use alloy_primitives::{B256, Bytes, U256, keccak256, map::B256Map};
use std::time::Instant;
use tributary_storage::{AccountInfo, BlockWrite};
use tributary_trie::{AccountChange, KECCAK_EMPTY, NodeStore};

const TXS: u64 = 1_000;
const BLOCKS: u64 = 10;

/// A block of 1,000 transactions, each with a receipt and two 3-topic logs, touching two
/// accounts and one slot per transaction, with 4,000 new 200-byte trie nodes.
fn big_block(n: u64, parent: B256, rng: &mut Rng) -> BlockWrite {
    let transactions = (0..TXS)
        .map(|i| {
            let logs = (0..2)
                .map(|k| {
                    log(
                        addr(i % 50),
                        &[word(k), word(rng.below(1000)), word(i)],
                        &[7u8; 64],
                    )
                })
                .collect();
            tx_salted(n, i, 0, logs)
        })
        .collect();
    let state = (0..TXS)
        .map(|i| {
            (
                // distinct within a block (7919 is prime to 100,000), overlapping across blocks
                addr((i * 7919 + n * 31) % 100_000),
                AccountChange {
                    info: Some(AccountInfo {
                        nonce: n,
                        balance: U256::from(rng.next()),
                        code_hash: KECCAK_EMPTY,
                    }),
                    storage: vec![(word(rng.below(1_000)), U256::from(rng.next()))],
                    ..Default::default()
                },
            )
        })
        .collect();
    let mut trie_nodes = B256Map::default();
    for _ in 0..4 * TXS {
        let node: Bytes = (0..200)
            .map(|_| rng.next() as u8)
            .collect::<Vec<_>>()
            .into();
        trie_nodes.insert(keccak256(&node), node);
    }
    let root = *trie_nodes.keys().next().unwrap();
    BlockWrite {
        header: header(n, parent, root),
        transactions,
        state,
        code: vec![],
        trie_nodes,
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "measurement; run explicitly"]
async fn measure_commit_throughput() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let mut rng = Rng(1);
    let mut parent = B256::ZERO;
    let blocks: Vec<_> = (0..BLOCKS)
        .map(|n| {
            let b = big_block(n, parent, &mut rng);
            parent = b.header.hash_slow();
            b
        })
        .collect();
    let start = Instant::now();
    for b in &blocks {
        commit(&store, b).await;
    }
    let secs = start.elapsed().as_secs_f64();
    let size = std::fs::metadata(dir.path().join(tributary_storage::DEFAULT_DB_FILE))
        .unwrap()
        .len()
        + std::fs::metadata(
            dir.path()
                .join(format!("{}-wal", tributary_storage::DEFAULT_DB_FILE)),
        )
        .map_or(0, |m| m.len());
    println!(
        "commit: {BLOCKS} blocks x {TXS} txs (2 logs each, 1000 accounts + slots, 4000 trie nodes) in {secs:.2}s: \
         {:.2} blocks/s, {:.0} txs/s, {:.1} ms/block, db+wal {} MiB",
        BLOCKS as f64 / secs,
        (BLOCKS * TXS) as f64 / secs,
        secs * 1000.0 / BLOCKS as f64,
        size >> 20
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "measurement; run explicitly"]
async fn measure_sync_reads() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path()).await;
    let mut rng = Rng(2);
    let b = big_block(0, B256::ZERO, &mut rng);
    let hashes: Vec<B256> = b.trie_nodes.keys().copied().collect();
    commit(&store, &b).await;
    let memory = {
        let mut m = tributary_trie::MemoryNodeStore::new();
        m.extend(b.trie_nodes.clone());
        m
    };

    // Async reads from a task (the RPC path).
    let start = Instant::now();
    for h in &hashes {
        assert!(store.trie_node(*h).await.unwrap().is_some());
    }
    let async_us = start.elapsed().as_secs_f64() * 1e6 / hashes.len() as f64;

    let nodes = store.node_store();
    let (miss_us, hit_us, mem_us) = tokio::task::spawn_blocking(move || {
        nodes.clear_cache();
        let start = Instant::now();
        for h in &hashes {
            assert!(nodes.get(h).unwrap().is_some());
        }
        let miss = start.elapsed().as_secs_f64() * 1e6 / hashes.len() as f64;
        // The test config caches 64 nodes: re-read the last 64 to measure hits.
        let hot = &hashes[hashes.len() - 64..];
        let start = Instant::now();
        for _ in 0..100 {
            for h in hot {
                assert!(nodes.get(h).unwrap().is_some());
            }
        }
        let hit = start.elapsed().as_secs_f64() * 1e6 / (100 * hot.len()) as f64;
        let start = Instant::now();
        for h in &hashes {
            assert!(memory.get(h).unwrap().is_some());
        }
        let mem = start.elapsed().as_secs_f64() * 1e6 / hashes.len() as f64;
        (miss, hit, mem)
    })
    .await
    .unwrap();
    println!(
        "trie node reads, per node: async (read pool) {async_us:.1} us; sync via Handle::block_on \
         (cache miss) {miss_us:.1} us; cache hit {hit_us:.2} us; MemoryNodeStore {mem_us:.2} us"
    );
}
