//! Why a block does not check against its witness.
//!
//! Three kinds, told apart by [`StatelessError::kind`]:
//!
//! - the **witness is incomplete** ([`StatelessError::MissingWitnessData`]): execution needed a
//!   trie node, a contract's code or a block hash the witness does not hold. A node or code
//!   whose bytes were altered is keyed by its own hash, so it shows up here as absent;
//! - the **inputs are malformed or inconsistent** (headers that do not decode or do not chain to
//!   the block's parent, a transaction that does not decode or whose signature does not
//!   recover, an invalid stored node or code);
//! - the **block is wrong** ([`StatelessError::RootMismatch`], [`StatelessError::HeaderMismatch`],
//!   [`StatelessError::LogsBloomMismatch`], [`StatelessError::TransactionRejected`]): executing
//!   the block's transactions on the witnessed pre-state does not give what its header claims.

use alloy::consensus::crypto::RecoveryError;
use alloy_primitives::{B256, Bloom};
use core::convert::Infallible;
use tributary_execution::{BlockTxError, ExecutionError, RejectReason};
use tributary_trie::TrieError;

/// Result alias of this crate.
pub type Result<T, E = StatelessError> = core::result::Result<T, E>;

/// A piece of pre-state the block needs and the witness does not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MissingData {
    /// A trie node (account trie or a storage trie) referenced by this hash.
    #[error("trie node {0}")]
    TrieNode(B256),
    /// The bytecode with this hash.
    #[error("code {0}")]
    Code(B256),
    /// The hash of this block (read by `BLOCKHASH`): its header is not in the witness.
    #[error("hash of block {0}")]
    BlockHash(u64),
    /// The witness has no headers: the parent header (the trusted pre-state root) is missing.
    #[error("parent header")]
    ParentHeader,
}

/// A header field the verifier recomputes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderField {
    /// `stateRoot`.
    StateRoot,
    /// `receiptsRoot`.
    ReceiptsRoot,
    /// `transactionsRoot`.
    TransactionsRoot,
    /// `gasUsed`.
    GasUsed,
    /// `number` (parent's + 1).
    Number,
    /// `baseFeePerGas` (EIP-1559 from the parent).
    BaseFee,
}

impl core::fmt::Display for HeaderField {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::StateRoot => "state root",
            Self::ReceiptsRoot => "receipts root",
            Self::TransactionsRoot => "transactions root",
            Self::GasUsed => "gas used",
            Self::Number => "number",
            Self::BaseFee => "base fee",
        })
    }
}

/// Broad classes of [`StatelessError`], for callers that react by class (a prover challenges
/// an output for [`ErrorKind::InvalidBlock`], and asks for a better witness otherwise).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The witness lacks data the block needs.
    IncompleteWitness,
    /// The witness or the block's encoding is malformed or does not belong to this block.
    InvalidInput,
    /// The block's header claims what its execution does not produce.
    InvalidBlock,
}

/// The block does not check against the witness.
#[derive(Debug, thiserror::Error)]
pub enum StatelessError {
    /// Execution needed data the witness does not hold.
    #[error("the witness lacks the {0}")]
    MissingWitnessData(MissingData),
    /// A witness header is not valid RLP of a header.
    #[error("witness header {index} does not decode: {source}")]
    HeaderDecode {
        /// Position in `headers`.
        index: usize,
        /// The RLP error.
        #[source]
        source: alloy_rlp::Error,
    },
    /// Witness header `index` is not the child of header `index - 1`.
    #[error("witness header {index} is not the child of the header before it")]
    BrokenHeaderChain {
        /// Position in `headers`.
        index: usize,
    },
    /// The last witness header is not the block's parent.
    #[error("the witness' last header hashes to {actual}, the block's parent is {expected}")]
    ParentHashMismatch {
        /// The block's `parentHash`.
        expected: B256,
        /// Hash of the last witness header.
        actual: B256,
    },
    /// A transaction of the block does not decode, has a type blocks cannot carry, or its
    /// signature does not recover.
    #[error("transaction {index}: {source}")]
    Transaction {
        /// Position in the block.
        index: usize,
        /// What is wrong with it.
        #[source]
        source: BlockTxError<RecoveryError>,
    },
    /// A trie node the witness holds (and the pre-state references) is not a valid node, or a
    /// leaf is not a valid account or storage value.
    #[error("invalid witness state: {0}")]
    InvalidState(#[source] TrieError<Infallible>),
    /// A witnessed code is not valid bytecode.
    #[error("witness code {hash} is not valid bytecode: {reason}")]
    InvalidCode {
        /// Hash of the code.
        hash: B256,
        /// revm's reason.
        reason: String,
    },
    /// The executor left out a signed transaction (nonce, balance, gas, …): a block must
    /// include every transaction it lists.
    #[error("transaction {index} ({hash}) is invalid in this block: {reason}")]
    TransactionRejected {
        /// Position in the block.
        index: usize,
        /// Its hash.
        hash: B256,
        /// Why the executor rejected it.
        reason: RejectReason,
    },
    /// The block could not be executed at all (a system call failed, a deposit without source
    /// hash, an invalid block environment).
    #[error("block execution failed: {0}")]
    Execution(#[source] ExecutionError),
    /// A root recomputed from the block does not match the header's.
    #[error("{field} mismatch: header has {expected}, recomputed {actual}")]
    RootMismatch {
        /// Which root.
        field: HeaderField,
        /// The header's value.
        expected: B256,
        /// The recomputed value.
        actual: B256,
    },
    /// A numeric header field recomputed from the parent or the execution does not match.
    #[error("{field} mismatch: header has {expected}, recomputed {actual}")]
    HeaderMismatch {
        /// Which field.
        field: HeaderField,
        /// The header's value.
        expected: u64,
        /// The recomputed value.
        actual: u64,
    },
    /// The logs bloom recomputed from the receipts does not match the header's.
    #[error("logs bloom mismatch")]
    LogsBloomMismatch {
        /// The header's bloom.
        expected: Box<Bloom>,
        /// The recomputed bloom.
        actual: Box<Bloom>,
    },
}

impl StatelessError {
    /// The class of the failure.
    pub const fn kind(&self) -> ErrorKind {
        match self {
            Self::MissingWitnessData(_) => ErrorKind::IncompleteWitness,
            Self::HeaderDecode { .. }
            | Self::BrokenHeaderChain { .. }
            | Self::ParentHashMismatch { .. }
            | Self::Transaction { .. }
            | Self::InvalidState(_)
            | Self::InvalidCode { .. } => ErrorKind::InvalidInput,
            Self::TransactionRejected { .. }
            | Self::Execution(_)
            | Self::RootMismatch { .. }
            | Self::HeaderMismatch { .. }
            | Self::LogsBloomMismatch { .. } => ErrorKind::InvalidBlock,
        }
    }

    /// Maps a trie error over the witness store: a missing node is missing witness data.
    pub(crate) fn from_trie(e: TrieError<Infallible>) -> Self {
        match e {
            TrieError::MissingNode { hash } => {
                Self::MissingWitnessData(MissingData::TrieNode(hash))
            }
            other => Self::InvalidState(other),
        }
    }
}
