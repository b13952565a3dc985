//! Errors of the deployer library.

use alloy::{
    primitives::TxHash,
    providers::PendingTransactionError,
    transports::{RpcError, TransportErrorKind},
};
use tributary_contracts::ContractRevert;
use tributary_primitives::DeploymentError;

/// Result alias with [`DeployError`].
pub type Result<T, E = DeployError> = std::result::Result<T, E>;

/// Why a deployment failed.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    /// The configuration is inconsistent; nothing was sent.
    #[error("invalid deploy config: {reason}")]
    InvalidConfig {
        /// What is wrong.
        reason: String,
    },
    /// A JSON-RPC request to the L1 failed (connection, node error).
    #[error("l1 rpc: {0}")]
    Rpc(#[from] RpcError<TransportErrorKind>),
    /// Sending a deployment transaction failed; `revert` holds the decoded revert when there is one.
    #[error("deploying {contract}: {source}{}", revert.as_ref().map(|r| format!(" ({r})")).unwrap_or_default())]
    Send {
        /// The contract being deployed.
        contract: &'static str,
        /// The decoded revert, if the node returned revert data.
        revert: Option<Box<ContractRevert>>,
        /// The underlying error.
        #[source]
        source: Box<alloy::contract::Error>,
    },
    /// Waiting for a deployment receipt failed.
    #[error("waiting for the {contract} deployment: {source}")]
    Pending {
        /// The contract being deployed.
        contract: &'static str,
        /// The underlying error.
        #[source]
        source: PendingTransactionError,
    },
    /// A deployment transaction was mined but reverted.
    #[error("{contract} deployment reverted in transaction {tx}")]
    Reverted {
        /// The contract being deployed.
        contract: &'static str,
        /// The transaction.
        tx: TxHash,
    },
    /// A mined receipt lacks what the deployer needs (contract address, block).
    #[error("{contract} deployment receipt {tx} lacks {missing}")]
    IncompleteReceipt {
        /// The contract being deployed.
        contract: &'static str,
        /// The transaction.
        tx: TxHash,
        /// The missing field.
        missing: &'static str,
    },
    /// The resulting deployment does not validate or cannot be written.
    #[error(transparent)]
    Deployment(#[from] DeploymentError),
}

impl DeployError {
    /// Whether retrying the same deployment could succeed (node unreachable or a receipt timeout),
    /// as opposed to a configuration or contract problem.
    pub const fn is_transient(&self) -> bool {
        matches!(self, Self::Rpc(_) | Self::Pending { .. })
    }
}
