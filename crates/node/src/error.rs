//! Errors of the node core.

use tributary_execution::ExecutionError;
use tributary_storage::StoreError;

/// Result alias of the node core.
pub type Result<T, E = NodeError> = core::result::Result<T, E>;

/// Why the node could not start, build a block or answer a state query.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// The store failed (see [`StoreError::is_fatal`]).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A block could not be executed at all.
    #[error(transparent)]
    Execution(#[from] ExecutionError),
    /// The genesis could not be built, or the datadir holds another chain's genesis.
    #[error("genesis: {0}")]
    Genesis(String),
    /// A blocking task was cancelled or panicked (a bug; the node stops).
    #[error("blocking task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    /// Stored data does not decode as the node wrote it.
    #[error("corrupt store: {0}")]
    Corrupt(String),
    /// The L1 origin of the next block is not available yet (the L1 follower is behind or saw
    /// a reorg deeper than its confirmation depth); production retries.
    #[error("L1 origin unavailable: {0}")]
    Origin(String),
    /// The node is shutting down.
    #[error("node is shutting down")]
    ShuttingDown,
}

impl NodeError {
    /// Whether the node must stop (its store or its own code failed) rather than report the
    /// error to one caller and go on.
    pub fn is_fatal(&self) -> bool {
        match self {
            Self::Store(e) => e.is_fatal(),
            Self::Execution(e) => e.is_fatal(),
            Self::Genesis(_) | Self::Task(_) | Self::Corrupt(_) => true,
            Self::Origin(_) | Self::ShuttingDown => false,
        }
    }
}
