//! Ordering for block building.

use std::{
    cmp::Ordering,
    collections::{BinaryHeap, HashMap, HashSet, VecDeque},
    sync::Arc,
};

use alloy_primitives::Address;

use crate::PoolTransaction;

/// Executable transactions, best first: by effective tip at the block's base fee, arrival order
/// on ties, each sender's transactions in nonce order (like reth's `BestTransactions`).
///
/// A snapshot of the pending set taken by [`TxPool::best_transactions`](crate::TxPool); the pool
/// is not locked while iterating. A sender whose next transaction cannot pay the base fee is
/// skipped from there on (its later nonces would not execute either).
#[derive(Debug)]
pub struct BestTransactions {
    base_fee: u64,
    queues: HashMap<Address, VecDeque<(Arc<PoolTransaction>, u64)>>,
    heap: BinaryHeap<Candidate>,
    invalid: HashSet<Address>,
}

#[derive(Debug)]
struct Candidate {
    tip: u128,
    seq: u64,
    tx: Arc<PoolTransaction>,
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Candidate {}
impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        // max-heap: higher tip first, then earlier arrival
        self.tip
            .cmp(&other.tip)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

impl BestTransactions {
    pub(crate) fn new(
        base_fee: u64,
        pending: impl IntoIterator<Item = (Address, VecDeque<(Arc<PoolTransaction>, u64)>)>,
    ) -> Self {
        let mut best = Self {
            base_fee,
            queues: HashMap::new(),
            heap: BinaryHeap::new(),
            invalid: HashSet::new(),
        };
        for (sender, queue) in pending {
            best.queues.insert(sender, queue);
            best.push_next(sender);
        }
        best
    }

    fn push_next(&mut self, sender: Address) {
        let Some(queue) = self.queues.get_mut(&sender) else {
            return;
        };
        let Some((tx, seq)) = queue.pop_front() else {
            self.queues.remove(&sender);
            return;
        };
        match tx.effective_tip(self.base_fee) {
            Some(tip) => self.heap.push(Candidate { tip, seq, tx }),
            // cannot pay the base fee: neither can anything after it be executed
            None => {
                self.queues.remove(&sender);
            }
        }
    }

    /// The executor rejected the last transaction of `sender`: yield nothing more from it.
    pub fn mark_invalid(&mut self, sender: Address) {
        self.invalid.insert(sender);
        self.queues.remove(&sender);
    }
}

impl Iterator for BestTransactions {
    type Item = Arc<PoolTransaction>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let Candidate { tx, .. } = self.heap.pop()?;
            let sender = tx.sender();
            if self.invalid.contains(&sender) {
                continue;
            }
            self.push_next(sender);
            return Some(tx);
        }
    }
}
