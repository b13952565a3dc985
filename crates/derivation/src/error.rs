//! Errors: why a batch is skipped ([`InvalidBatch`], part of the protocol) and why derivation
//! cannot go on ([`DeriveError`], the caller's problem).

use std::convert::Infallible;

use alloy_primitives::B256;
use tributary_primitives::BatchCodecError;

/// `Result` of derivation, with the executor's error type `E`.
pub type Result<T, E = Infallible> = std::result::Result<T, DeriveError<E>>;

/// The rule a batch breaks (docs/derivation.md, "Derivation rules"). An invalid batch is skipped
/// whole; the L1 chain it came from stays valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidBatch {
    /// Every block of the batch is at or below the head: already derived (a re-fed L1 block, a
    /// duplicate).
    #[error("stale batch: blocks {first_block}..={last_block} are at or below the head {head}")]
    Stale {
        /// The event's first block.
        first_block: u64,
        /// The event's last block.
        last_block: u64,
        /// The head's number.
        head: u64,
    },
    /// The event's range holds more than [`MAX_BLOCKS_PER_BATCH`](crate::MAX_BLOCKS_PER_BATCH)
    /// blocks. The Rollup contract reverts such a batch, so this cannot come from a real Rollup;
    /// the range is not filled with empty blocks.
    #[error(
        "batch range {first_block}..={last_block} is longer than {max} blocks",
        max = crate::MAX_BLOCKS_PER_BATCH
    )]
    RangeTooLong {
        /// The event's first block.
        first_block: u64,
        /// The event's last block.
        last_block: u64,
    },
    /// The batch starts after the next block: a block is missing in between.
    #[error("batch starts at block {first_block}, expected {expected}")]
    FirstBlockMismatch {
        /// The next block's number.
        expected: u64,
        /// The batch's first block.
        first_block: u64,
    },
    /// The bytes are not a batch (version, codec, decompression cap, RLP).
    #[error("batch does not decode: {0}")]
    Decode(#[from] BatchCodecError),
    /// The batch has no blocks.
    #[error("batch has no blocks")]
    Empty,
    /// The payload's range differs from the `BatchSubmitted` event's.
    #[error(
        "batch holds {payload_blocks} blocks from {payload_first}, its event says \
         {event_first}..={event_last}"
    )]
    RangeMismatch {
        /// The event's first block.
        event_first: u64,
        /// The event's last block.
        event_last: u64,
        /// The payload's first block.
        payload_first: u64,
        /// The number of blocks in the payload.
        payload_blocks: usize,
    },
    /// The batch starts at or below the head but not over forced blocks only.
    #[error(
        "batch starts at block {first_block}, at or below the head {head}, over blocks that were \
         not forced"
    )]
    OverlapsDerived {
        /// The batch's first block.
        first_block: u64,
        /// The head's number.
        head: u64,
    },
    /// The batch re-covers a forced block with different content (timestamp, origin or
    /// transactions).
    #[error("batch contradicts forced block {number}")]
    ContradictsForcedBlock {
        /// The forced block.
        number: u64,
    },
    /// `parent_hash` is not the hash of the block before the first.
    #[error("batch parent hash {got} is not the parent's hash {expected}")]
    ParentHashMismatch {
        /// Hash of the block before the first.
        expected: B256,
        /// The batch's `parent_hash`.
        got: B256,
    },
    /// A block's origin is neither its parent's origin nor the next L1 block.
    #[error("block {number} has origin {origin}, its parent's is {parent_origin}")]
    OriginNotContiguous {
        /// The block.
        number: u64,
        /// Its origin number.
        origin: u64,
        /// The parent's origin number.
        parent_origin: u64,
    },
    /// A block's origin is after the L1 block that includes the batch.
    #[error("block {number} has origin {origin}, after the batch's L1 block {inclusion}")]
    OriginAfterInclusion {
        /// The block.
        number: u64,
        /// Its origin number.
        origin: u64,
        /// The L1 block carrying the batch.
        inclusion: u64,
    },
    /// A block's origin is not an L1 block derivation knows.
    #[error("block {number} has origin {origin}, an unknown L1 block")]
    OriginUnknown {
        /// The block.
        number: u64,
        /// Its origin number.
        origin: u64,
    },
    /// A block's timestamp is before its parent's.
    #[error("block {number} timestamp {timestamp} is before its parent's {parent_timestamp}")]
    TimestampBeforeParent {
        /// The block.
        number: u64,
        /// Its timestamp.
        timestamp: u64,
        /// The parent's timestamp.
        parent_timestamp: u64,
    },
    /// A block's timestamp is before its origin's.
    #[error("block {number} timestamp {timestamp} is before its origin's {origin_timestamp}")]
    TimestampBeforeOrigin {
        /// The block.
        number: u64,
        /// Its timestamp.
        timestamp: u64,
        /// The origin's timestamp.
        origin_timestamp: u64,
    },
    /// A block's timestamp is more than `max_sequencer_drift` after its origin's.
    #[error("block {number} timestamp {timestamp} is after the drift limit {max}")]
    TimestampDrift {
        /// The block.
        number: u64,
        /// Its timestamp.
        timestamp: u64,
        /// The origin's timestamp plus `max_sequencer_drift`.
        max: u64,
    },
    /// `last_origin_hash` is not the canonical hash of the last block's origin (the batch was
    /// built on a reorged-out L1 block).
    #[error("batch last origin hash {got} is not the canonical {expected}")]
    LastOriginHashMismatch {
        /// The canonical hash of the last block's origin.
        expected: B256,
        /// The batch's `last_origin_hash`.
        got: B256,
    },
    /// A transaction is not a canonical EIP-2718 encoding of a known type.
    #[error("block {number} transaction {index} does not decode: {reason}")]
    TxDecode {
        /// The block.
        number: u64,
        /// The transaction's index in the batch block.
        index: usize,
        /// The decoder's message.
        reason: String,
    },
    /// A deposit (type `0x7E`): only derivation creates deposits.
    #[error("block {number} transaction {index} is a deposit")]
    DepositTx {
        /// The block.
        number: u64,
        /// The transaction's index in the batch block.
        index: usize,
    },
    /// A blob transaction (type `0x03`): L2 has no blobs.
    #[error("block {number} transaction {index} is a blob transaction")]
    BlobTx {
        /// The block.
        number: u64,
        /// The transaction's index in the batch block.
        index: usize,
    },
    /// A legacy transaction without a chain id (pre-EIP-155, replayable).
    #[error("block {number} transaction {index} has no chain id")]
    UnprotectedTx {
        /// The block.
        number: u64,
        /// The transaction's index in the batch block.
        index: usize,
    },
    /// A transaction for another chain.
    #[error("block {number} transaction {index} has chain id {chain_id}, expected {expected}")]
    WrongChainId {
        /// The block.
        number: u64,
        /// The transaction's index in the batch block.
        index: usize,
        /// Its chain id.
        chain_id: u64,
        /// The L2 chain id.
        expected: u64,
    },
    /// A signature that does not recover a sender (invalid, or high `s`).
    #[error("block {number} transaction {index} has an invalid signature")]
    BadSignature {
        /// The block.
        number: u64,
        /// The transaction's index in the batch block.
        index: usize,
    },
}

impl InvalidBatch {
    /// Whether the batch was merely already derived (re-fed L1 blocks on resume), not wrong.
    pub const fn is_stale(&self) -> bool {
        matches!(self, Self::Stale { .. })
    }

    /// Whether derivation fills the range of a batch skipped for this reason with empty blocks,
    /// given that the event's range starts at the next block (docs/derivation.md, "Derivation
    /// rules" 1): every reason but [`Self::Stale`] and [`Self::RangeTooLong`].
    pub const fn fills_range(&self) -> bool {
        !matches!(self, Self::Stale { .. } | Self::RangeTooLong { .. })
    }
}

/// Why derivation cannot take an L1 block. `E` is the executor's error.
#[derive(Debug, thiserror::Error)]
pub enum DeriveError<E = Infallible> {
    /// The block is not the next one by number.
    #[error("L1 block {got} pushed, expected {expected}")]
    NotContiguous {
        /// The next L1 block number.
        expected: u64,
        /// The pushed block's number.
        got: u64,
    },
    /// The block does not build on the last one pushed: L1 reorganised. Derivation must restart
    /// from an L2 head whose origin both L1 chains share.
    #[error("L1 reorg at block {number}: parent hash {parent_hash}, expected {expected}")]
    L1Reorg {
        /// The pushed block's number.
        number: u64,
        /// Hash of the last block pushed.
        expected: B256,
        /// The pushed block's parent hash.
        parent_hash: B256,
    },
    /// The origin given to [`Deriver::new`](crate::Deriver::new) is not the head's.
    #[error(
        "head origin is L1 block {head_number} ({head_hash}), the origin given is {number} ({hash})"
    )]
    HeadOriginMismatch {
        /// The head's origin number.
        head_number: u64,
        /// The head's origin hash.
        head_hash: B256,
        /// The given origin's number.
        number: u64,
        /// The given origin's hash.
        hash: B256,
    },
    /// Executing a derived block failed. The head is the last block executed; the deriver is
    /// halted.
    #[error("executing derived block {number} failed: {source}")]
    Execute {
        /// The block that failed.
        number: u64,
        /// The executor's error.
        #[source]
        source: E,
    },
    /// A previous push failed to execute a block; build a new deriver from the caller's head.
    #[error("derivation halted after an execution error")]
    Halted,
}

impl<E> DeriveError<E> {
    /// Whether the error means the L1 chain changed under derivation (reorg or a gap), so the
    /// caller must re-fetch L1 and restart from an earlier head.
    pub const fn is_l1(&self) -> bool {
        matches!(self, Self::NotContiguous { .. } | Self::L1Reorg { .. })
    }
}
