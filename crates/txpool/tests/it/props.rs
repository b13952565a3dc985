//! Property: random insert / mine / invalidate sequences keep the pool's invariants.

use std::collections::BTreeMap;

use alloy_primitives::Address;
use proptest::prelude::*;
use tributary_txpool::{MinedTx, PoolConfig};

use crate::utils::*;

#[derive(Debug, Clone)]
enum Op {
    /// sender, nonce offset from the account nonce, tip in gwei
    Add(u64, u64, u128),
    /// mine the best `n` transactions
    Mine(usize),
    /// executor rejects the k-th best transaction
    Invalid(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0u64..4, 0u64..6, 1u128..20).prop_map(|(s, n, t)| Op::Add(s, n, t)),
        2 => (0usize..6).prop_map(Op::Mine),
        1 => (0usize..4).prop_map(Op::Invalid),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold(ops in proptest::collection::vec(op(), 1..40)) {
        let config = PoolConfig::test().with_max_account_slots(4).with_max_pool_size(10);
        let (pool, state) = pool_with(config, 4);
        let mut nonces: BTreeMap<Address, u64> = BTreeMap::new();
        for op in ops {
            match op {
                Op::Add(s, offset, tip) => {
                    let nonce = nonces.get(&addr(s)).copied().unwrap_or(0) + offset;
                    let _ = pool.add_raw(eip1559(s, nonce, 100 * GWEI, tip * GWEI));
                }
                Op::Mine(n) => {
                    let mined: Vec<_> = pool.best_transactions(GWEI as u64).take(n)
                        .map(|tx| MinedTx { hash: tx.hash(), sender: tx.sender(), nonce: tx.nonce() })
                        .collect();
                    for m in &mined {
                        state.set_nonce(m.sender, m.nonce + 1);
                        nonces.insert(m.sender, m.nonce + 1);
                    }
                    let out = pool.on_block_committed(&mined, GWEI as u64);
                    for m in &mined {
                        prop_assert!(out.removed.contains(&m.hash));
                        prop_assert!(pool.get(&m.hash).is_none());
                    }
                }
                Op::Invalid(k) => {
                    if let Some(tx) = pool.best_transactions(GWEI as u64).nth(k) {
                        prop_assert!(pool.mark_invalid(tx.hash()));
                    }
                }
            }
            // invariants
            let content = pool.content();
            let status = pool.status();
            let (mut pending, mut queued) = (0, 0);
            for (sender, c) in &content {
                let next = nonces.get(sender).copied().unwrap_or(0);
                // pending: exactly the nonces next, next+1, ... without gaps
                let expected: Vec<u64> = (next..next + c.pending.len() as u64).collect();
                prop_assert_eq!(c.pending.keys().copied().collect::<Vec<_>>(), expected);
                // queued: above a gap
                if let Some(first) = c.queued.keys().next() {
                    prop_assert!(*first > next + c.pending.len() as u64);
                }
                prop_assert!(c.pending.len() + c.queued.len() <= 4);
                prop_assert!(c.pending.keys().chain(c.queued.keys()).all(|n| *n >= next));
                pending += c.pending.len();
                queued += c.queued.len();
            }
            prop_assert_eq!(status.pending, pending);
            prop_assert_eq!(status.queued, queued);
            prop_assert_eq!(pool.len(), pending + queued);
            prop_assert!(pool.len() <= 10);
            // best_transactions yields every pending tx once, in nonce order per sender
            let best: Vec<_> = pool.best_transactions(GWEI as u64).collect();
            prop_assert_eq!(best.len(), pending);
            let mut last: BTreeMap<Address, u64> = BTreeMap::new();
            for tx in &best {
                if let Some(prev) = last.insert(tx.sender(), tx.nonce()) {
                    prop_assert_eq!(tx.nonce(), prev + 1);
                }
            }
            for (sender, c) in &content {
                let pn = pool.pending_nonce(*sender).unwrap();
                prop_assert_eq!(pn, nonces.get(sender).copied().unwrap_or(0) + c.pending.len() as u64);
            }
        }
    }
}
