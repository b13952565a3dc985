//! Errors of the settlement layer.

use tributary_node::NodeError;

/// Result alias of the settlement layer.
pub type Result<T, E = L1Error> = core::result::Result<T, E>;

/// Why an L1 read or write failed.
#[derive(Debug, thiserror::Error)]
pub enum L1Error {
    /// The L1 JSON-RPC endpoint failed or answered something unexpected.
    #[error("L1 RPC: {0}")]
    Rpc(String),
    /// The beacon (blob) API failed or served blobs that do not match their versioned hashes.
    #[error("blob API: {0}")]
    Blobs(String),
    /// A contract call reverted (decoded with the contracts' ABI where possible).
    #[error("L1 transaction reverted: {0}")]
    Reverted(String),
    /// The L1 chain does not contain a block this node relies on any more (a reorg deeper than
    /// the confirmation depth).
    #[error(
        "L1 reorg beyond the confirmation depth at block {number}: expected {expected}, L1 has {actual}"
    )]
    DeepReorg {
        /// The L1 block number.
        number: u64,
        /// The hash the node relied on.
        expected: alloy_primitives::B256,
        /// The hash the L1 has now.
        actual: alloy_primitives::B256,
    },
    /// Derivation stopped (an L1 reorg under it, or a block that could not be executed).
    #[error("derivation: {0}")]
    Derivation(String),
    /// The L2 node failed.
    #[error(transparent)]
    Node(#[from] NodeError),
    /// The L2 store failed.
    #[error(transparent)]
    Store(#[from] tributary_storage::StoreError),
    /// The local L2 chain is not what the L1 contracts say (wrong genesis, wrong chain id…).
    #[error("configuration mismatch: {0}")]
    Mismatch(String),
}

impl L1Error {
    /// An RPC failure with context.
    pub(crate) fn rpc(context: &str, e: impl std::fmt::Display) -> Self {
        Self::Rpc(format!("{context}: {e}"))
    }
}
