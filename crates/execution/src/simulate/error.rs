//! Errors of simulation and tracing, worded as geth words them.
//!
//! Every variant belongs to one [`SimulationErrorKind`], which is all the RPC edge needs to pick a
//! JSON-RPC code; the `Display` text is the message to send (geth's wording where wallets and
//! tools match on it), except for [`SimulationErrorKind::Internal`], whose detail belongs in logs.

use alloy::sol_types::{Panic, Revert, SolError};
use alloy_primitives::{Address, Bytes};
use op_revm::{OpHaltReason, OpTransactionError};
use revm::context_interface::result::{HaltReason, InvalidTransaction, OutOfGasError};

use crate::{ExecutionError, RejectReason};

/// How the RPC layer should answer a [`SimulationError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimulationErrorKind {
    /// The request itself is malformed or asks for something unsupported: `-32602` (invalid
    /// params) with the message.
    InvalidParams,
    /// The call is invalid against the block or the state (fees, balance, intrinsic gas, chain
    /// id): `-32000` with the message (geth's wording).
    Rejected,
    /// The call reverted: code `3`, message `execution reverted[: reason]`, `data` = the revert
    /// data ([`SimulationError::revert_data`]).
    Reverted,
    /// The call halted or cannot succeed within the gas allowed: `-32000` with the message
    /// (`out of gas`, `gas required exceeds allowance (N)`, …).
    Failed,
    /// A fault of the node (state view, EVM internals, a stored block that does not replay):
    /// `-32603` with a generic message; log the detail.
    Internal,
}

/// A simulation (`eth_call`, `eth_estimateGas`, `eth_createAccessList`) or trace failed.
#[derive(Debug, thiserror::Error)]
pub enum SimulationError {
    /// Both legacy and EIP-1559 fee fields were given.
    #[error("both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified")]
    ConflictingFeeFields,
    /// `data` and `input` were both given with different contents.
    #[error(
        "both \"data\" and \"input\" are set and not equal. Please use \"input\" to pass transaction call data"
    )]
    ConflictingInput,
    /// Blob fields were given; there are no blob transactions on this L2.
    #[error("blob transactions are not supported")]
    BlobsNotSupported,
    /// A state override cannot be applied.
    #[error("invalid state override for {address}: {reason}")]
    InvalidStateOverride {
        /// The overridden account.
        address: Address,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A block override cannot be applied.
    #[error("invalid block override: {reason}")]
    InvalidBlockOverride {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The tracer is not one of those supported (struct logger, callTracer, prestateTracer,
    /// 4byteTracer, noopTracer).
    #[error("unsupported tracer: {tracer}")]
    UnsupportedTracer {
        /// The requested tracer.
        tracer: String,
    },
    /// The `tracerConfig` does not fit the tracer.
    #[error("invalid tracer config")]
    InvalidTracerConfig,
    /// A tracing option that is not supported (e.g. `txIndex` on `debug_traceCall`).
    #[error("unsupported tracing option: {option}")]
    UnsupportedTracingOption {
        /// The option's JSON name.
        option: &'static str,
    },
    /// The transaction to trace is not in the block.
    #[error("transaction index {index} out of range (block has {len} transactions)")]
    TransactionIndexOutOfRange {
        /// Requested index.
        index: usize,
        /// Number of transactions in the block.
        len: usize,
    },
    /// The request's chain id is not this chain's.
    #[error("chainId does not match node's (have={have}, want={want})")]
    ChainIdMismatch {
        /// The request's chain id.
        have: u64,
        /// This chain's id.
        want: u64,
    },
    /// The value to send is not below the sender's balance (`eth_estimateGas` with a gas price).
    #[error("insufficient funds for transfer")]
    InsufficientFundsForTransfer,
    /// The EVM found the call (or traced transaction) invalid.
    #[error("{}", rejection_message(.0))]
    Rejected(RejectReason),
    /// Execution reverted (`REVERT`), with the revert data.
    #[error("{}", revert_message(.output))]
    Reverted {
        /// The revert data (ABI-encoded error, or anything the contract returned).
        output: Bytes,
    },
    /// Execution halted (out of gas, invalid opcode, …).
    #[error("{}", halt_message(.reason))]
    Halted {
        /// Why it halted.
        reason: OpHaltReason,
    },
    /// `eth_estimateGas`: the call does not succeed even with the highest gas allowed.
    #[error("gas required exceeds allowance ({cap})")]
    GasRequiredExceedsAllowance {
        /// The highest gas limit tried.
        cap: u64,
    },
    /// The state view or the EVM failed, or a block could not be replayed.
    #[error(transparent)]
    Execution(#[from] ExecutionError),
}

impl SimulationError {
    /// How the RPC should answer this error.
    pub const fn kind(&self) -> SimulationErrorKind {
        match self {
            Self::ConflictingFeeFields
            | Self::ConflictingInput
            | Self::BlobsNotSupported
            | Self::InvalidStateOverride { .. }
            | Self::InvalidBlockOverride { .. }
            | Self::UnsupportedTracer { .. }
            | Self::InvalidTracerConfig
            | Self::UnsupportedTracingOption { .. }
            | Self::TransactionIndexOutOfRange { .. } => SimulationErrorKind::InvalidParams,
            Self::ChainIdMismatch { .. }
            | Self::InsufficientFundsForTransfer
            | Self::Rejected(_) => SimulationErrorKind::Rejected,
            Self::Reverted { .. } => SimulationErrorKind::Reverted,
            Self::Halted { .. } | Self::GasRequiredExceedsAllowance { .. } => {
                SimulationErrorKind::Failed
            }
            Self::Execution(_) => SimulationErrorKind::Internal,
        }
    }

    /// The revert data, for the JSON-RPC error's `data` field.
    pub const fn revert_data(&self) -> Option<&Bytes> {
        match self {
            Self::Reverted { output } => Some(output),
            _ => None,
        }
    }
}

/// The reason carried by revert data: the string of `Error(string)`, or geth's text for a
/// `Panic(uint256)` code. `None` for custom errors and anything else (the data is still returned).
pub fn revert_reason(output: &[u8]) -> Option<String> {
    if let Ok(revert) = Revert::abi_decode(output) {
        return Some(revert.reason);
    }
    Panic::abi_decode(output)
        .ok()
        .map(|panic| panic.as_geth_str().into_owned())
}

/// geth's message for a revert: `execution reverted`, with `: reason` when the data decodes.
pub(crate) fn revert_message(output: &[u8]) -> String {
    match revert_reason(output) {
        Some(reason) => format!("execution reverted: {reason}"),
        None => "execution reverted".to_owned(),
    }
}

/// geth's message for a halt (core/vm/errors.go), falling back to revm's text.
pub(crate) fn halt_message(reason: &OpHaltReason) -> String {
    let base = match reason {
        OpHaltReason::Base(base) => base,
        OpHaltReason::FailedDeposit => return "failed deposit".to_owned(),
    };
    let text = match base {
        HaltReason::OutOfGas(OutOfGasError::InvalidOperand) => "gas uint64 overflow",
        HaltReason::OutOfGas(_) => "out of gas",
        HaltReason::InvalidFEOpcode => "invalid opcode: INVALID",
        HaltReason::OpcodeNotFound | HaltReason::NotActivated => "invalid opcode",
        HaltReason::InvalidJump => "invalid jump destination",
        HaltReason::StackUnderflow => "stack underflow",
        HaltReason::StackOverflow => "stack limit reached 1024",
        HaltReason::OutOfOffset => "return data out of bounds",
        HaltReason::CreateCollision => "contract address collision",
        HaltReason::NonceOverflow => "nonce uint64 overflow",
        HaltReason::CreateContractSizeLimit => "max code size exceeded",
        HaltReason::CreateContractStartingWithEF => "invalid code: must not begin with 0xef",
        HaltReason::CreateInitCodeSizeLimit => "max initcode size exceeded",
        HaltReason::StateChangeDuringStaticCall | HaltReason::CallNotAllowedInsideStatic => {
            "write protection"
        }
        HaltReason::OutOfFunds => "insufficient balance for transfer",
        HaltReason::CallTooDeep => "max call depth exceeded",
        other => return other.to_string(),
    };
    text.to_owned()
}

/// geth's message for a transaction the EVM refused (core/error.go, txpool/errors.go).
fn rejection_message(reason: &RejectReason) -> String {
    let invalid = match reason {
        RejectReason::Invalid(OpTransactionError::Base(invalid)) => invalid,
        RejectReason::BlockGasExhausted { .. } => return "exceeds block gas limit".to_owned(),
        RejectReason::BlobTransaction => return "transaction type not supported".to_owned(),
        RejectReason::Invalid(other) => return other.to_string(),
    };
    match invalid {
        InvalidTransaction::PriorityFeeGreaterThanMaxFee => {
            "max priority fee per gas higher than max fee per gas".to_owned()
        }
        InvalidTransaction::GasPriceLessThanBasefee => {
            "max fee per gas less than block base fee".to_owned()
        }
        InvalidTransaction::CallerGasLimitMoreThanBlock => "exceeds block gas limit".to_owned(),
        InvalidTransaction::CallGasCostMoreThanGasLimit {
            initial_gas,
            gas_limit,
        } => format!("intrinsic gas too low: have {gas_limit}, want {initial_gas}"),
        InvalidTransaction::GasFloorMoreThanGasLimit {
            gas_floor,
            gas_limit,
        } => {
            format!("insufficient gas for floor data gas cost: have {gas_limit}, want {gas_floor}")
        }
        InvalidTransaction::RejectCallerWithCode => "sender not an eoa".to_owned(),
        InvalidTransaction::LackOfFundForMaxFee { fee, balance } => {
            format!("insufficient funds for gas * price + value: have {balance} want {fee}")
        }
        InvalidTransaction::OverflowPaymentInTransaction => "gas uint64 overflow".to_owned(),
        InvalidTransaction::NonceOverflowInTransaction => "nonce has max value".to_owned(),
        InvalidTransaction::NonceTooHigh { tx, state } => {
            format!("nonce too high: tx: {tx} state: {state}")
        }
        InvalidTransaction::NonceTooLow { tx, state } => {
            format!("nonce too low: tx: {tx} state: {state}")
        }
        InvalidTransaction::CreateInitCodeSizeLimit => "max initcode size exceeded".to_owned(),
        InvalidTransaction::InvalidChainId => "invalid chain id".to_owned(),
        InvalidTransaction::TxGasLimitGreaterThanCap { .. } => {
            "transaction gas limit too high".to_owned()
        }
        InvalidTransaction::EmptyAuthorizationList => {
            "EIP-7702 transaction with empty auth list".to_owned()
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::U256;

    #[test]
    fn revert_reasons_decode_error_string_and_panic() {
        let data = Revert::from("nope").abi_encode();
        assert_eq!(revert_reason(&data).as_deref(), Some("nope"));
        assert_eq!(revert_message(&data), "execution reverted: nope");

        let panic = Panic {
            code: U256::from(0x11),
        }
        .abi_encode();
        assert_eq!(
            revert_message(&panic),
            "execution reverted: arithmetic underflow or overflow"
        );

        // a custom error (or garbage) has no reason; the data is still carried
        let custom = [0xde, 0xad, 0xbe, 0xef, 1, 2];
        assert_eq!(revert_reason(&custom), None);
        assert_eq!(revert_message(&custom), "execution reverted");
        let err = SimulationError::Reverted {
            output: Bytes::copy_from_slice(&custom),
        };
        assert_eq!(err.kind(), SimulationErrorKind::Reverted);
        assert_eq!(err.revert_data().map(|d| d.len()), Some(6));
    }

    #[test]
    fn messages_follow_geth() {
        let funds = SimulationError::Rejected(RejectReason::Invalid(OpTransactionError::Base(
            InvalidTransaction::LackOfFundForMaxFee {
                fee: Box::new(U256::from(10)),
                balance: Box::new(U256::from(1)),
            },
        )));
        assert!(
            funds
                .to_string()
                .starts_with("insufficient funds for gas * price + value")
        );
        assert_eq!(funds.kind(), SimulationErrorKind::Rejected);

        let intrinsic = SimulationError::Rejected(RejectReason::Invalid(OpTransactionError::Base(
            InvalidTransaction::CallGasCostMoreThanGasLimit {
                initial_gas: 21_000,
                gas_limit: 20_000,
            },
        )));
        assert_eq!(
            intrinsic.to_string(),
            "intrinsic gas too low: have 20000, want 21000"
        );

        let oog = SimulationError::Halted {
            reason: OpHaltReason::Base(HaltReason::OutOfGas(OutOfGasError::Basic)),
        };
        assert_eq!(oog.to_string(), "out of gas");
        assert_eq!(oog.kind(), SimulationErrorKind::Failed);

        let cap = SimulationError::GasRequiredExceedsAllowance { cap: 30_000_000 };
        assert_eq!(cap.to_string(), "gas required exceeds allowance (30000000)");

        let io = ExecutionError::Database(Box::new(std::io::Error::other("disk")));
        assert_eq!(
            SimulationError::from(io).kind(),
            SimulationErrorKind::Internal
        );
        assert_eq!(
            SimulationError::InvalidTracerConfig.kind(),
            SimulationErrorKind::InvalidParams
        );
    }
}
