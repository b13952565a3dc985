//! Where the chain stands against L1: the `safe` and `finalized` heads and the L1 heads the
//! settlement layer follows (docs/derivation.md, "Safe and finalized").
//!
//! The node only keeps the numbers; the settlement layer (`tributary-l1`) moves them as batches
//! and outputs land on L1. Without an L1 (`--dev`) nothing is ever posted and `safe` and
//! `finalized` follow the head, as anvil does.

use serde::Serialize;

/// The node's view of L1 settlement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    /// Whether an L1 is followed at all (`false` in `--dev`).
    pub l1_enabled: bool,
    /// Whether the L1 follower is caught up with the L1 head (minus the confirmation depth) and
    /// saw no reorg deeper than that depth.
    pub l1_synced: bool,
    /// The latest L1 block number seen.
    pub l1_head: u64,
    /// The latest L1 block at the confirmation depth (the newest block origins may use).
    pub l1_confirmed: u64,
    /// The highest L2 block covered by a batch included in a confirmed L1 block.
    pub safe: u64,
    /// The highest L2 block covered by a finalized output root.
    pub finalized: u64,
}
