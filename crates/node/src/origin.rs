//! The L1 origin of each new block: what the L1-info deposit says and which deposits follow it
//! (docs/derivation.md, "L2 blocks").
//!
//! The block builder asks an [`OriginSource`] for the origin of every block it builds. `--dev`
//! has no L1 and uses [`FixedOrigin`]; the settlement layer provides one that follows L1 and
//! hands over the Portal's deposits when the origin advances.

use alloy::consensus::Header;
use alloy_primitives::{B256, U256};
use op_alloy_consensus::TxDeposit;
use tributary_primitives::{BlockRef, L1Info, RollupConfig};

use crate::Result;

/// The L1-derived inputs of one L2 block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockOrigin {
    /// The block's timestamp: the source may hold it back so that it stays within the
    /// sequencer drift of the origin (docs/derivation.md).
    pub timestamp: u64,
    /// The L1-info deposit's fields (origin, sequence number, L1 fees, scalars).
    pub info: L1Info,
    /// The origin's mixHash: the block's PREVRANDAO.
    pub prevrandao: B256,
    /// The origin's parent beacon block root (zero when L1 has none).
    pub parent_beacon_block_root: B256,
    /// User deposits to execute after the L1-info deposit (non-empty only when the origin
    /// changed with this block).
    pub deposits: Vec<TxDeposit>,
}

/// Chooses the L1 origin of the next block.
pub trait OriginSource: Send + 'static {
    /// The origin and timestamp of the block after `parent`, built at wall-clock time `now`
    /// (seconds). The timestamp is never below the parent's.
    fn next(&mut self, parent: &Header, now: u64) -> Result<BlockOrigin>;

    /// Whether the origin lags the L1 blocks available to it, so that blocks should come at
    /// the block time rather than the idle heartbeat until it caught up.
    fn catching_up(&self) -> bool {
        false
    }
}

/// The origin of a chain without L1 (`--dev`): every block keeps the genesis' L1 origin, with
/// fixed L1 fees, so the L1 data fee is charged as on a real deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixedOrigin {
    origin: BlockRef,
    timestamp: u64,
    base_fee: U256,
    base_fee_scalar: u32,
    blob_base_fee_scalar: u32,
}

impl FixedOrigin {
    /// The genesis origin `origin` (stamped `timestamp`) with L1 base fee `base_fee` and the
    /// rollup's L1 fee scalars.
    pub const fn new(
        origin: BlockRef,
        timestamp: u64,
        base_fee: U256,
        rollup: &RollupConfig,
    ) -> Self {
        Self {
            origin,
            timestamp,
            base_fee,
            base_fee_scalar: rollup.base_fee_scalar,
            blob_base_fee_scalar: rollup.blob_base_fee_scalar,
        }
    }
}

impl OriginSource for FixedOrigin {
    fn next(&mut self, parent: &Header, now: u64) -> Result<BlockOrigin> {
        Ok(BlockOrigin {
            timestamp: now.max(parent.timestamp),
            info: L1Info {
                number: self.origin.number,
                timestamp: self.timestamp,
                base_fee: self.base_fee,
                // EIP-4844's minimum: no blobs without an L1
                blob_base_fee: U256::from(1),
                hash: self.origin.hash,
                // the origin never changes: every block is one more since genesis
                sequence_number: parent.number + 1,
                batcher_hash: B256::ZERO,
                base_fee_scalar: self.base_fee_scalar,
                blob_base_fee_scalar: self.blob_base_fee_scalar,
            },
            prevrandao: B256::ZERO,
            parent_beacon_block_root: B256::ZERO,
            deposits: Vec::new(),
        })
    }
}
