//! Stateful validation, replacement, limits, eviction, ordering, block updates, restore.

use std::sync::Arc;

use alloy_primitives::{B256, U256, keccak256};
use tributary_txpool::{MinedTx, PoolConfig, PoolErrorKind, TxPool, TxState};

use crate::utils::*;

fn h(raw: &alloy_primitives::Bytes) -> B256 {
    keccak256(raw)
}

#[test]
fn already_known_and_nonce_too_low() {
    let (pool, state) = pool();
    let raw = eip1559(0, 0, 10 * GWEI, GWEI);
    pool.add_raw(raw.clone()).unwrap();
    assert_eq!(reject(&pool, raw), "already known");
    state.set_nonce(addr(1), 5);
    assert_eq!(
        reject(&pool, eip1559(1, 3, 10 * GWEI, GWEI)),
        "nonce too low: next nonce 5, tx nonce 3"
    );
    assert_eq!(pool.len(), 1);
}

#[test]
fn insufficient_funds_single_cumulative_and_l1_fee() {
    let (pool, state) = pool();
    // address 20 holds nothing
    let cost = 21_000 * 10 * GWEI + 1;
    assert_eq!(
        reject(&pool, eip1559(20, 0, 10 * GWEI, GWEI)),
        format!(
            "insufficient funds for gas * price + value: balance 0, tx cost {cost}, overshot {cost}"
        )
    );
    // enough for exactly one
    state.set_balance(addr(20), U256::from(cost));
    pool.add_raw(eip1559(20, 0, 10 * GWEI, GWEI)).unwrap();
    assert_eq!(
        reject(&pool, eip1559(20, 1, 10 * GWEI, GWEI)),
        format!(
            "insufficient funds for gas * price + value: balance {cost}, tx cost {}, overshot {cost}",
            2 * cost
        )
    );
    // the L1 data fee hook adds to the cost
    let state = Arc::new(tributary_txpool::test_utils::MemoryState::new());
    state.set_balance(addr(21), U256::from(cost));
    let pool = TxPool::new(PoolConfig::test(), state)
        .with_l1_fee_estimator(Arc::new(|raw: &[u8]| U256::from(raw.len())));
    let raw = eip1559(21, 0, 10 * GWEI, GWEI);
    let err = pool.add_raw(raw.clone()).unwrap_err();
    assert_eq!(
        err.kind,
        PoolErrorKind::InsufficientFunds {
            balance: U256::from(cost),
            cost: U256::from(cost + raw.len() as u128),
            overshot: U256::from(raw.len()),
        }
    );
    assert!(!err.kind.is_bad_transaction());
}

#[test]
fn replacement_needs_ten_percent_on_both() {
    let (pool, _) = pool();
    let old = eip1559(0, 0, 100 * GWEI, 10 * GWEI);
    pool.add_raw(old.clone()).unwrap();
    // +9 %
    assert_eq!(
        reject(&pool, eip1559(0, 0, 109 * GWEI, 109 * GWEI / 10)),
        "replacement transaction underpriced"
    );
    // +10 % fee cap, tip unchanged
    assert_eq!(
        reject(&pool, eip1559(0, 0, 110 * GWEI, 10 * GWEI)),
        "replacement transaction underpriced"
    );
    // +10 % on both
    let new = eip1559(0, 0, 110 * GWEI, 11 * GWEI);
    let added = pool.add_raw(new.clone()).unwrap();
    assert_eq!(added.replaced, Some(h(&old)));
    assert_eq!(added.removed().collect::<Vec<_>>(), vec![h(&old)]);
    assert!(pool.get(&h(&old)).is_none());
    assert_eq!(pool.len(), 1);
    // configurable bump
    let (pool, _) = pool_with(PoolConfig::test().with_price_bump_percent(50), 1);
    pool.add_raw(eip1559(0, 0, 100 * GWEI, 10 * GWEI)).unwrap();
    assert_eq!(
        reject(&pool, eip1559(0, 0, 149 * GWEI, 15 * GWEI)),
        "replacement transaction underpriced"
    );
    pool.add_raw(eip1559(0, 0, 150 * GWEI, 15 * GWEI)).unwrap();
}

#[test]
fn account_limit() {
    let (pool, _) = pool_with(PoolConfig::test().with_max_account_slots(3), 2);
    for n in 0..3 {
        pool.add_raw(eip1559(0, n, 10 * GWEI, GWEI)).unwrap();
    }
    assert_eq!(
        reject(&pool, eip1559(0, 3, 10 * GWEI, GWEI)),
        "account limit exceeded"
    );
    // a replacement is not an extra slot; other senders are unaffected
    pool.add_raw(eip1559(0, 2, 20 * GWEI, 2 * GWEI)).unwrap();
    pool.add_raw(eip1559(1, 0, 10 * GWEI, GWEI)).unwrap();
}

#[test]
fn queued_promoted_when_gap_fills() {
    let (pool, _) = pool();
    let mut sub = pool.subscribe_pending();
    let q2 = eip1559(0, 2, 10 * GWEI, GWEI);
    let q1 = eip1559(0, 1, 10 * GWEI, GWEI);
    assert_eq!(pool.add_raw(q2.clone()).unwrap().state, TxState::Queued);
    assert_eq!(pool.add_raw(q1.clone()).unwrap().state, TxState::Queued);
    assert_eq!(pool.status().pending, 0);
    assert_eq!(pool.status().queued, 2);
    assert_eq!(pool.pending_nonce(addr(0)).unwrap(), 0);
    assert!(pool.best_transactions(1).next().is_none());
    assert!(sub.try_recv().is_err());
    let p0 = eip1559(0, 0, 10 * GWEI, GWEI);
    let added = pool.add_raw(p0.clone()).unwrap();
    assert_eq!(added.state, TxState::Pending);
    assert_eq!(added.promoted, vec![h(&q1), h(&q2)]);
    assert_eq!(pool.status().pending, 3);
    assert_eq!(pool.status().queued, 0);
    assert_eq!(pool.pending_nonce(addr(0)).unwrap(), 3);
    for expected in [h(&p0), h(&q1), h(&q2)] {
        assert_eq!(sub.try_recv().unwrap(), expected);
    }
    let content = pool.content();
    assert_eq!(content[&addr(0)].pending.len(), 3);
}

#[test]
fn eviction_under_global_limit() {
    let (pool, _) = pool_with(
        PoolConfig::test()
            .with_max_pool_size(3)
            .with_initial_base_fee(GWEI as u64),
        8,
    );
    let a = eip1559(0, 0, 10 * GWEI, 3 * GWEI);
    let b = eip1559(1, 0, 10 * GWEI, GWEI); // worst
    let c = eip1559(2, 0, 10 * GWEI, 2 * GWEI);
    for raw in [&a, &b, &c] {
        pool.add_raw(raw.clone()).unwrap();
    }
    // no better than the worst: refused, nothing evicted
    assert_eq!(
        reject(&pool, eip1559(3, 0, 10 * GWEI, GWEI)),
        "txpool is full"
    );
    assert_eq!(pool.len(), 3);
    // better: the worst goes
    let d = eip1559(3, 0, 10 * GWEI, 4 * GWEI);
    let added = pool.add_raw(d).unwrap();
    assert_eq!(added.discarded, vec![h(&b)]);
    // next worst is c
    let e = eip1559(4, 0, 10 * GWEI, 5 * GWEI);
    assert_eq!(pool.add_raw(e).unwrap().discarded, vec![h(&c)]);
    assert_eq!(pool.len(), 3);
    // effective tip counts, not the tip: fee cap barely above the base fee
    let f = eip1559(5, 0, GWEI + 1, 10 * GWEI / 10);
    assert_eq!(reject(&pool, f), "txpool is full");
    // the tail goes first: sender 0's nonce 1 pays less than everything else
    let (pool, _) = pool_with(
        PoolConfig::test()
            .with_max_pool_size(3)
            .with_initial_base_fee(GWEI as u64),
        8,
    );
    let s0n0 = eip1559(0, 0, 10 * GWEI, GWEI);
    let s0n1 = eip1559(0, 1, 10 * GWEI, 2 * GWEI);
    pool.add_raw(s0n0).unwrap();
    pool.add_raw(s0n1.clone()).unwrap();
    pool.add_raw(eip1559(1, 0, 10 * GWEI, 3 * GWEI)).unwrap();
    assert_eq!(
        pool.add_raw(eip1559(2, 0, 10 * GWEI, 4 * GWEI))
            .unwrap()
            .discarded,
        vec![h(&s0n1)]
    );
    assert_eq!(pool.status().pending, 3);
}

#[test]
fn best_transactions_order() {
    let (pool, _) = pool();
    // sender 0: low tip then high tip; sender 1: medium; sender 2 cannot pay base fee 5 gwei
    let s0n0 = eip1559(0, 0, 100 * GWEI, GWEI);
    let s0n1 = eip1559(0, 1, 100 * GWEI, 9 * GWEI);
    let s1n0 = eip1559(1, 0, 100 * GWEI, 3 * GWEI);
    let s1n1 = eip1559(1, 1, 100 * GWEI, 2 * GWEI);
    let s2n0 = eip1559(2, 0, 4 * GWEI, 4 * GWEI);
    let s3n0 = legacy(3, 0, 7 * GWEI, Some(CHAIN_ID)); // tip 2 gwei at 5 gwei base fee
    for raw in [&s0n1, &s0n0, &s1n0, &s1n1, &s2n0, &s3n0] {
        pool.add_raw(raw.clone()).unwrap();
    }
    let order: Vec<_> = pool
        .best_transactions(5 * GWEI as u64)
        .map(|tx| tx.hash())
        .collect();
    assert_eq!(
        order,
        vec![h(&s1n0), h(&s1n1), h(&s3n0), h(&s0n0), h(&s0n1)]
    );
    // at base fee 0 sender 2 is in
    assert_eq!(pool.best_transactions(0).count(), 6);
    // a rejected sender yields nothing more
    let mut best = pool.best_transactions(5 * GWEI as u64);
    let first = best.next().unwrap();
    best.mark_invalid(first.sender());
    let rest: Vec<_> = best.map(|tx| tx.hash()).collect();
    assert_eq!(rest, vec![h(&s3n0), h(&s0n0), h(&s0n1)]);
}

#[test]
fn block_committed_removes_mined_and_stale_and_promotes() {
    let (pool, state) = pool();
    let n0 = eip1559(0, 0, 10 * GWEI, GWEI);
    let n1 = eip1559(0, 1, 10 * GWEI, GWEI);
    let n3 = eip1559(0, 3, 10 * GWEI, GWEI);
    let other = eip1559(1, 0, 10 * GWEI, GWEI);
    for raw in [&n0, &n1, &n3, &other] {
        pool.add_raw(raw.clone()).unwrap();
    }
    assert_eq!((pool.status().pending, pool.status().queued), (3, 1));
    // block mined n0, n1 and a nonce-2 transaction the pool never saw
    state.set_nonce(addr(0), 3);
    let mined = [
        MinedTx {
            hash: h(&n0),
            sender: addr(0),
            nonce: 0,
        },
        MinedTx {
            hash: h(&n1),
            sender: addr(0),
            nonce: 1,
        },
        MinedTx {
            hash: B256::repeat_byte(7),
            sender: addr(0),
            nonce: 2,
        },
    ];
    let out = pool.on_block_committed(&mined, 2 * GWEI as u64);
    assert_eq!(out.removed, vec![h(&n0), h(&n1)]);
    assert_eq!(out.promoted, vec![h(&n3)]);
    assert_eq!((pool.status().pending, pool.status().queued), (2, 0));
    assert_eq!(pool.base_fee(), 2 * GWEI as u64);
    assert_eq!(pool.pending_nonce(addr(0)).unwrap(), 4);
    // mark_invalid demotes what follows
    let n4 = eip1559(0, 4, 10 * GWEI, GWEI);
    pool.add_raw(n4.clone()).unwrap();
    assert!(pool.mark_invalid(h(&n3)));
    assert!(!pool.mark_invalid(h(&n3)));
    assert_eq!((pool.status().pending, pool.status().queued), (1, 1));
    assert_eq!(
        pool.content()[&addr(0)]
            .queued
            .keys()
            .copied()
            .collect::<Vec<_>>(),
        vec![4]
    );
}

#[test]
fn restore_after_restart() {
    let (pool, state) = pool();
    let mut journal = Vec::new();
    let txs = [
        eip1559(0, 1, 10 * GWEI, GWEI), // queued first
        eip1559(1, 0, 10 * GWEI, 2 * GWEI),
        eip1559(0, 0, 10 * GWEI, GWEI),
        eip1559(2, 0, 10 * GWEI, GWEI),
    ];
    for raw in &txs {
        let added = pool.add_raw(raw.clone()).unwrap();
        let entry = added.journal_entry();
        assert_eq!((entry.hash, entry.raw.clone()), (h(raw), raw.clone()));
        journal.push(entry);
    }
    let before: Vec<_> = pool.all_by_arrival().iter().map(|t| t.hash()).collect();
    drop(pool);
    // restart: sender 2's transaction was mined meanwhile
    state.set_nonce(addr(2), 1);
    let restored = TxPool::new(PoolConfig::test(), state.clone());
    let results = restored.restore(journal.iter().map(|e| e.raw.clone()).collect());
    assert!(results[..3].iter().all(|r| r.is_ok()));
    let err = results[3].as_ref().unwrap_err();
    assert_eq!(err.hash, h(&txs[3]));
    assert_eq!(err.to_string(), "nonce too low: next nonce 1, tx nonce 0");
    let after: Vec<_> = restored.all_by_arrival().iter().map(|t| t.hash()).collect();
    assert_eq!(after, before[..3].to_vec());
    assert_eq!(restored.status().pending, 3);
    assert_eq!(
        restored
            .best_transactions(0)
            .map(|t| t.hash())
            .collect::<Vec<_>>(),
        pool_order(&[&txs[1], &txs[2], &txs[0]])
    );
}

fn pool_order(raws: &[&alloy_primitives::Bytes]) -> Vec<B256> {
    raws.iter().map(|r| h(r)).collect()
}
