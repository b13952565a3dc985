//! The sequencer's choice of L1 origin for each new L2 block (docs/derivation.md, "L2 blocks").
//!
//! The origin advances by one L1 block whenever the next confirmed block exists, chains to the
//! current origin and is not newer than the L2 block's timestamp; otherwise it stays. The
//! timestamp is held within `max_sequencer_drift` of the origin (equal timestamps are allowed),
//! so a stalled L1 freezes L2 time instead of breaking the rules. When the origin advances, the
//! block carries that L1 block's deposits, built by derivation's own functions so that the
//! sequencer and derivation cannot disagree.

use std::{collections::BTreeMap, sync::Arc};

use alloy::consensus::Header;
use tributary_derivation::{L1BlockInfo, deposit_transactions, l1_info};
use tributary_node::{BlockOrigin, NodeError, OriginSource};
use tributary_primitives::RollupConfig;

use crate::L1View;

/// How many recent L2 blocks' origins are remembered (a build may be retried on the same
/// parent; the pipeline is one block deep).
const REMEMBERED: u64 = 64;

/// [`OriginSource`] over the confirmed L1 blocks of an [`L1View`].
#[derive(Debug)]
pub struct L1Origin {
    view: Arc<L1View>,
    rollup: RollupConfig,
    /// L2 block number → (origin, sequence number).
    origins: BTreeMap<u64, (L1BlockInfo, u64)>,
}

impl L1Origin {
    /// Continues after L2 block `head_number`, whose origin is `head_origin` and sequence
    /// number `head_sequence`.
    pub fn new(
        view: Arc<L1View>,
        rollup: RollupConfig,
        head_number: u64,
        head_origin: L1BlockInfo,
        head_sequence: u64,
    ) -> Self {
        Self {
            view,
            rollup,
            origins: BTreeMap::from([(head_number, (head_origin, head_sequence))]),
        }
    }
}

impl OriginSource for L1Origin {
    fn catching_up(&self) -> bool {
        let current = self.origins.last_key_value().map(|(_, (o, _))| o.number);
        let newest = self.view.newest().map(|b| b.info.number);
        matches!((current, newest), (Some(c), Some(n)) if n > c + 1)
    }

    fn next(&mut self, parent: &Header, now: u64) -> Result<BlockOrigin, NodeError> {
        let Some((current, sequence)) = self.origins.get(&parent.number).cloned() else {
            return Err(NodeError::Origin(format!(
                "the origin of block {} is unknown",
                parent.number
            )));
        };
        let wanted = now.max(parent.timestamp);
        let advance = if self.view.halted().is_some() {
            None
        } else {
            self.view.block(current.number + 1).filter(|next| {
                next.info.parent_hash == current.hash && next.info.timestamp <= wanted
            })
        };
        let (origin, sequence, deposits) = match advance {
            Some(next) => (
                next.info.clone(),
                0,
                deposit_transactions(&next.info, &next.deposits),
            ),
            None => (current, sequence + 1, Vec::new()),
        };
        let timestamp = wanted
            .min(
                origin
                    .timestamp
                    .saturating_add(self.rollup.max_sequencer_drift),
            )
            .max(parent.timestamp);
        let number = parent.number + 1;
        self.origins.insert(number, (origin.clone(), sequence));
        while self
            .origins
            .first_key_value()
            .is_some_and(|(n, _)| n + REMEMBERED < number)
        {
            self.origins.pop_first();
        }
        Ok(BlockOrigin {
            timestamp,
            info: l1_info(&origin, sequence, &self.rollup),
            prevrandao: origin.mix_hash,
            parent_beacon_block_root: origin.parent_beacon_block_root,
            deposits,
        })
    }
}
