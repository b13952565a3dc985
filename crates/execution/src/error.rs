//! Errors of block execution.
//!
//! Two kinds of failure are kept apart:
//!
//! - [`RejectReason`]: one *transaction* is invalid for this block (bad nonce, not enough balance,
//!   gas limit above what is left in the block, …). It is not an error of the block: the executor
//!   records it in [`BlockOutput::rejected`](crate::BlockOutput::rejected), leaves the state
//!   untouched and goes on with the next transaction. The block builder drops such transactions; a
//!   verifier treats any rejection as an invalid batch.
//! - [`ExecutionError`]: the *block* cannot be executed at all (the state view failed, the block
//!   environment is invalid, a system call reverted, a deposit is malformed). Nothing is returned.

use alloy_primitives::{Address, B256};
use op_revm::OpTransactionError;
use revm::context_interface::result::InvalidTransaction;

/// Result alias for this crate.
pub type Result<T, E = ExecutionError> = core::result::Result<T, E>;

/// Boxed error of the caller's state view (its `DatabaseRef::Error`).
pub type DatabaseError = Box<dyn core::error::Error + Send + Sync + 'static>;

/// The block could not be executed.
#[derive(Debug, thiserror::Error)]
pub enum ExecutionError {
    /// The state view returned an error while the EVM read from it.
    #[error("state read failed: {0}")]
    Database(#[source] DatabaseError),
    /// The block environment was rejected by the EVM (e.g. missing prevrandao).
    #[error("invalid block environment: {reason}")]
    InvalidBlockEnv {
        /// The EVM's description of the problem.
        reason: String,
    },
    /// A pre-block system call (EIP-2935, EIP-4788) did not succeed.
    #[error("system call to {contract} failed: {reason}")]
    SystemCall {
        /// The system contract that was called.
        contract: Address,
        /// Why it failed (revert, halt or invalid).
        reason: String,
    },
    /// A deposit transaction has a zero source hash; op-revm would treat it as a normal transaction.
    #[error("deposit at index {index} has a zero source hash")]
    DepositWithoutSourceHash {
        /// Position of the deposit in the block's transaction list.
        index: usize,
    },
    /// The EVM failed with an error that is neither a database nor a transaction error.
    #[error("evm failure on tx {hash}: {reason}")]
    Evm {
        /// Hash of the transaction being executed.
        hash: B256,
        /// The EVM's message.
        reason: String,
    },
}

impl ExecutionError {
    /// Whether the failure comes from the node itself (storage), as opposed to the block's
    /// content. A fatal error says nothing about the block's validity: retry or stop, never mark
    /// the block invalid because of it.
    pub const fn is_fatal(&self) -> bool {
        match self {
            // storage failed: the block's validity is unknown
            Self::Database(_) => true,
            // an internal EVM failure is a bug or resource problem, not a property of the block
            Self::Evm { .. } => true,
            // these are properties of the inputs: the same inputs fail again
            Self::InvalidBlockEnv { .. }
            | Self::SystemCall { .. }
            | Self::DepositWithoutSourceHash { .. } => false,
        }
    }
}

/// Bytes that are not a transaction of a Tributary block ([`BlockTx::decode_2718`]).
///
/// `E` is the error of the sender lookup the caller supplies (a signature recovery, or
/// [`Infallible`](core::convert::Infallible) for a stored sender).
///
/// [`BlockTx::decode_2718`]: crate::BlockTx::decode_2718
#[derive(Debug, thiserror::Error)]
pub enum BlockTxError<E> {
    /// Not a valid EIP-2718 encoding of a known transaction type.
    #[error("transaction does not decode: {0}")]
    Decode(#[source] alloy::eips::eip2718::Eip2718Error),
    /// A known type that Tributary blocks do not carry (OP's post-exec type `0x7D`).
    #[error("transaction type {ty:#04x} is not allowed in a block")]
    Unsupported {
        /// The EIP-2718 type byte.
        ty: u8,
    },
    /// The sender of a signed transaction could not be determined.
    #[error("transaction sender: {0}")]
    Sender(#[source] E),
}

/// Why a non-deposit transaction was left out of the block.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RejectReason {
    /// The transaction's gas limit exceeds the gas left in the block.
    #[error("gas limit {gas_limit} exceeds the {remaining} gas left in the block")]
    BlockGasExhausted {
        /// The transaction's gas limit.
        gas_limit: u64,
        /// Block gas limit minus the gas used so far.
        remaining: u64,
    },
    /// Blob (EIP-4844) transactions do not exist on this L2.
    #[error("blob transactions are not supported")]
    BlobTransaction,
    /// The EVM found the transaction invalid against the block or the state.
    #[error("{0}")]
    Invalid(OpTransactionError),
}

impl RejectReason {
    /// The underlying EVM validation error, if any (for the RPC's geth-style messages).
    pub const fn invalid_transaction(&self) -> Option<&InvalidTransaction> {
        match self {
            Self::Invalid(OpTransactionError::Base(e)) => Some(e),
            _ => None,
        }
    }

    /// Whether the transaction could become valid in a later block without being re-signed
    /// (its nonce is ahead, or the block is full), so a pool should keep it rather than drop it.
    pub const fn is_retryable(&self) -> bool {
        match self {
            // the next block starts with a fresh gas budget
            Self::BlockGasExhausted { .. } => true,
            // a gap in nonces can be filled, and a balance can be topped up
            Self::Invalid(OpTransactionError::Base(
                InvalidTransaction::NonceTooHigh { .. }
                | InvalidTransaction::LackOfFundForMaxFee { .. },
            )) => true,
            // the base fee can fall below the fee cap again
            Self::Invalid(OpTransactionError::Base(
                InvalidTransaction::GasPriceLessThanBasefee,
            )) => true,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_failures_are_fatal_block_content_errors_are_not() {
        let io = std::io::Error::other("disk");
        assert!(ExecutionError::Database(Box::new(io)).is_fatal());
        assert!(!ExecutionError::DepositWithoutSourceHash { index: 0 }.is_fatal());
        let call = ExecutionError::SystemCall {
            contract: Address::ZERO,
            reason: "revert".into(),
        };
        assert!(!call.is_fatal());
    }

    #[test]
    fn retryable_rejections() {
        let nonce_low =
            RejectReason::Invalid(OpTransactionError::Base(InvalidTransaction::NonceTooLow {
                tx: 1,
                state: 2,
            }));
        assert!(!nonce_low.is_retryable());
        assert!(matches!(
            nonce_low.invalid_transaction(),
            Some(InvalidTransaction::NonceTooLow { tx: 1, state: 2 })
        ));
        let gap =
            RejectReason::Invalid(OpTransactionError::Base(InvalidTransaction::NonceTooHigh {
                tx: 3,
                state: 2,
            }));
        assert!(gap.is_retryable());
        assert!(
            RejectReason::BlockGasExhausted {
                gas_limit: 2,
                remaining: 1
            }
            .is_retryable()
        );
        assert!(!RejectReason::BlobTransaction.is_retryable());
        assert_eq!(RejectReason::BlobTransaction.invalid_transaction(), None);
    }
}
