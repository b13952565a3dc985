//! What derivation reads (L1 blocks with their deposits and batches), what it produces (block
//! inputs) and where it stands (the L2 head).

use alloy::consensus::{TxEnvelope, transaction::Recovered};
use alloy_primitives::{Address, B256, Bytes, U256};
use op_alloy_consensus::TxDeposit;
use tributary_primitives::{BlockRef, L1Info};

use crate::InvalidBatch;

/// What derivation needs of one L1 block's header (fetched by the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct L1BlockInfo {
    /// Block number.
    pub number: u64,
    /// Block hash.
    pub hash: B256,
    /// Hash of the parent block.
    pub parent_hash: B256,
    /// Block timestamp (seconds).
    pub timestamp: u64,
    /// EIP-1559 base fee.
    pub base_fee: u64,
    /// EIP-4844 blob base fee (1, EIP-4844's minimum, when the L1 has no blobs).
    pub blob_base_fee: U256,
    /// The header's mixHash (PREVRANDAO): the `mix_hash` of the L2 blocks with this origin.
    pub mix_hash: B256,
    /// The header's parent beacon block root (zero when the L1 has none).
    pub parent_beacon_block_root: B256,
}

impl L1BlockInfo {
    /// The block as `(number, hash)`.
    pub const fn block_ref(&self) -> BlockRef {
        BlockRef {
            number: self.number,
            hash: self.hash,
        }
    }
}

/// One `TransactionDeposited` log of the Portal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepositLog {
    /// The log's index within its L1 block (over all the block's receipts).
    pub log_index: u64,
    /// The depositor on L2 (already aliased by the Portal when it is an L1 contract).
    pub from: Address,
    /// The recipient (zero for contract creations).
    pub to: Address,
    /// The event's `version` topic (only 0 is known).
    pub version: U256,
    /// The event's `opaqueData`: `abi.encodePacked(mint, value, gasLimit, isCreation, data)`.
    pub opaque_data: Bytes,
}

/// One `BatchSubmitted` event of the Rollup with the batch's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchData {
    /// The event's `batchIndex`.
    pub batch_index: u64,
    /// The event's `firstBlock`.
    pub first_block: u64,
    /// The event's `lastBlock`.
    pub last_block: u64,
    /// The batch: the `submitBatch` calldata's `data`, or the decoded contents of the blobs,
    /// concatenated in order.
    pub data: Bytes,
}

/// One canonical L1 block, as derivation reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct L1BlockData {
    /// The header fields.
    pub info: L1BlockInfo,
    /// The Portal's `TransactionDeposited` logs, in log order.
    pub deposits: Vec<DepositLog>,
    /// The Rollup's `BatchSubmitted` events with their data, in log order.
    pub batches: Vec<BatchData>,
}

impl L1BlockData {
    /// A block without deposits or batches.
    pub const fn empty(info: L1BlockInfo) -> Self {
        Self {
            info,
            deposits: Vec::new(),
            batches: Vec::new(),
        }
    }
}

/// The derived inputs of one L2 block, ready to execute (docs/derivation.md, "L2 blocks").
///
/// The block's transactions are, in order: the L1-info deposit built from [`Self::l1_info`], the
/// user [`Self::deposits`], then [`Self::transactions`]. Its header takes `mix_hash` and
/// `parent_beacon_block_root` from [`Self::origin`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockInput {
    /// L2 block number (the parent's + 1).
    pub number: u64,
    /// Block timestamp.
    pub timestamp: u64,
    /// The L1 origin.
    pub origin: L1BlockInfo,
    /// The fields of the L1-info deposit (origin, sequence number, L1 fees, scalars).
    pub l1_info: L1Info,
    /// The user deposits of the origin, in log order; empty unless the origin changed with this
    /// block.
    pub deposits: Vec<TxDeposit>,
    /// The sequenced transactions, with their senders recovered.
    pub transactions: Vec<Recovered<TxEnvelope>>,
    /// Whether derivation inserted this block (forced inclusion) rather than a batch carrying it.
    /// Forced blocks carry their origin's deposits and may be re-covered by a later batch; empty
    /// blocks filling an invalid batch's range are not forced (see [`Self::filled`]).
    pub forced: bool,
    /// Whether this is an empty block derivation inserted in place of a block of an invalid batch
    /// ([`DeriveEvent::EmptyBlocks`]): the parent's origin and timestamp, sequence number the
    /// parent's + 1, no deposits and no sequenced transactions. Never also [`Self::forced`].
    pub filled: bool,
}

impl BlockInput {
    /// The block's sequence number (L2 blocks since the origin changed).
    pub const fn sequence_number(&self) -> u64 {
        self.l1_info.sequence_number
    }
}

/// Where derivation stands: the last derived (and executed) L2 block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct L2Head {
    /// Block number.
    pub number: u64,
    /// Block hash (as execution computed it).
    pub hash: B256,
    /// Block timestamp.
    pub timestamp: u64,
    /// The block's L1 origin.
    pub origin: BlockRef,
    /// The block's sequence number (L2 blocks since the origin changed).
    pub sequence_number: u64,
}

/// Executes derived blocks: the real executor in the sequencer and the prover, a recorder in
/// tests.
pub trait Execute {
    /// Why a block could not be executed.
    type Error;

    /// Executes the block on top of the previous one and returns its block hash.
    fn execute(&mut self, input: &BlockInput) -> Result<B256, Self::Error>;
}

/// What one [`push`](crate::Deriver::push) did, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeriveEvent {
    /// A valid batch: its new blocks were derived and executed.
    BatchAccepted {
        /// The event's batch index.
        batch_index: u64,
        /// The batch's first block.
        first_block: u64,
        /// The batch's last block.
        last_block: u64,
    },
    /// A batch skipped whole: invalid, or stale (already derived). When an invalid batch's event
    /// range starts at the next block, [`Self::EmptyBlocks`] follows for that range.
    BatchSkipped {
        /// The event's batch index.
        batch_index: u64,
        /// The rule it breaks.
        reason: InvalidBatch,
    },
    /// Empty blocks inserted in place of the range of the invalid batch just skipped (the
    /// previous event), so that the L2 numbering stays the Rollup contract's: each block has
    /// the parent's origin and timestamp, sequence number the parent's + 1 and only the L1-info
    /// deposit ([`BlockInput::filled`]).
    EmptyBlocks {
        /// The first inserted block (the invalid batch's first block).
        first_block: u64,
        /// The last inserted block (the invalid batch's last block).
        last_block: u64,
    },
    /// Deposit-only blocks inserted because an L1 block left the sequencing window without
    /// becoming an origin.
    ForcedBlocks {
        /// The first inserted block.
        first_block: u64,
        /// The last inserted block.
        last_block: u64,
    },
}
