//! The L1 blocks derivation still needs: from the head's origin (the oldest block a new L2 block
//! may take as its origin) to the last block pushed, each with its user deposits.

use std::collections::VecDeque;

use op_alloy_consensus::TxDeposit;

use crate::L1BlockInfo;

/// A known L1 block and the deposit transactions of its Portal logs.
#[derive(Debug, Clone)]
pub(crate) struct KnownL1 {
    pub(crate) info: L1BlockInfo,
    pub(crate) deposits: Vec<TxDeposit>,
}

/// Contiguous known L1 blocks, oldest first.
///
/// Forced inclusion keeps the head's origin within `sequencing_window` blocks of the newest, so
/// the window holds at most about `sequencing_window + 1` blocks.
#[derive(Debug, Clone)]
pub(crate) struct L1Window {
    blocks: VecDeque<KnownL1>,
}

impl L1Window {
    /// A window holding only `origin` (its deposits are already in the chain).
    pub(crate) fn new(origin: L1BlockInfo) -> Self {
        Self {
            blocks: VecDeque::from([KnownL1 {
                info: origin,
                deposits: Vec::new(),
            }]),
        }
    }

    /// The block with this number, if known.
    pub(crate) fn get(&self, number: u64) -> Option<&KnownL1> {
        let oldest = self.blocks.front()?.info.number;
        let index = usize::try_from(number.checked_sub(oldest)?).ok()?;
        self.blocks.get(index)
    }

    /// Appends the next block (the caller checked it extends the newest).
    pub(crate) fn push(&mut self, block: KnownL1) {
        self.blocks.push_back(block);
    }

    /// Forgets blocks older than `number`, keeping at least the newest.
    pub(crate) fn prune_below(&mut self, number: u64) {
        while self.blocks.len() > 1 && self.blocks.front().is_some_and(|b| b.info.number < number) {
            self.blocks.pop_front();
        }
    }

    /// Number of blocks held.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.blocks.len()
    }
}

#[cfg(test)]
mod tests {
    use alloy_primitives::B256;

    use super::*;

    fn info(number: u64) -> L1BlockInfo {
        L1BlockInfo {
            number,
            hash: B256::with_last_byte(number as u8),
            parent_hash: B256::ZERO,
            timestamp: number * 12,
            base_fee: 1,
            blob_base_fee: alloy_primitives::U256::from(1),
            mix_hash: B256::ZERO,
            parent_beacon_block_root: B256::ZERO,
        }
    }

    #[test]
    fn get_and_prune_keep_the_newest() {
        let mut w = L1Window::new(info(5));
        for n in 6..=8 {
            w.push(KnownL1 {
                info: info(n),
                deposits: Vec::new(),
            });
        }
        assert_eq!(w.get(7).map(|b| b.info.number), Some(7));
        assert!(w.get(4).is_none() && w.get(9).is_none());
        w.prune_below(7);
        assert_eq!(w.len(), 2);
        assert!(w.get(6).is_none());
        w.prune_below(100);
        assert_eq!(w.len(), 1);
        assert_eq!(w.get(8).map(|b| b.info.number), Some(8));
    }
}
