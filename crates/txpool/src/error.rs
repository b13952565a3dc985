//! Errors of the transaction pool.
//!
//! Every rejection is a [`PoolError`]: the transaction hash plus a [`PoolErrorKind`]. The
//! `Display` of an error is geth's message (same prefix, same wording) so that the RPC layer can
//! hand it to wallets unchanged as a `-32000` error; wallets and libraries (ethers, viem, MetaMask)
//! match on these prefixes. Classify errors with [`PoolErrorKind::is_bad_transaction`], never by
//! string.

use alloy_primitives::{B256, U256};

/// Result alias of the pool.
pub type PoolResult<T> = Result<T, PoolError>;

/// A transaction the pool rejected: its hash and why.
///
/// For bytes that do not decode, the hash is `keccak256` of the bytes (what the hash of the
/// transaction would have been).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}")]
pub struct PoolError {
    /// Hash of the rejected transaction.
    pub hash: B256,
    /// Why it was rejected.
    pub kind: PoolErrorKind,
}

impl PoolError {
    /// A new error for the transaction `hash`.
    pub const fn new(hash: B256, kind: PoolErrorKind) -> Self {
        Self { hash, kind }
    }
}

/// Why a transaction was rejected. Messages follow geth (`core/txpool/errors.go`,
/// `core/error.go`, `core/txpool/validation.go`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PoolErrorKind {
    /// the encoded transaction is larger than the pool accepts.
    #[error("oversized data: transaction size {size}, limit {limit}")]
    OversizedData {
        /// Size of the EIP-2718 encoding in bytes.
        size: usize,
        /// Configured limit.
        limit: usize,
    },
    /// the bytes are not a valid EIP-2718 transaction.
    #[error("rlp: {0}")]
    Decode(String),
    /// the transaction type is not accepted over RPC (blob transactions, deposits, unknown types).
    #[error("transaction type not supported")]
    TxTypeNotSupported {
        /// The EIP-2718 type byte.
        ty: u8,
    },
    /// a legacy transaction without an EIP-155 chain id.
    #[error("only replay-protected (EIP-155) transactions allowed over RPC")]
    UnprotectedTransaction,
    /// the transaction is signed for another chain.
    #[error("invalid chain id: have {have}, want {want}")]
    InvalidChainId {
        /// Chain id of the transaction.
        have: u64,
        /// Chain id of this chain.
        want: u64,
    },
    /// the signature does not recover to a sender (malformed or high-`s`, EIP-2).
    #[error("invalid sender")]
    InvalidSender,
    /// the gas limit does not cover the intrinsic gas.
    #[error("intrinsic gas too low: gas {gas}, minimum needed {needed}")]
    IntrinsicGasTooLow {
        /// Gas limit of the transaction.
        gas: u64,
        /// Intrinsic gas.
        needed: u64,
    },
    /// the gas limit does not cover the EIP-7623 calldata floor.
    #[error("insufficient gas for floor data gas cost: gas {gas}, minimum needed {needed}")]
    FloorDataGas {
        /// Gas limit of the transaction.
        gas: u64,
        /// Floor data gas.
        needed: u64,
    },
    /// the gas limit is above the block gas limit: it could never be included.
    #[error("exceeds block gas limit")]
    ExceedsBlockGasLimit {
        /// Gas limit of the transaction.
        gas: u64,
        /// Block gas limit.
        limit: u64,
    },
    /// max priority fee per gas above max fee per gas.
    #[error("max priority fee per gas higher than max fee per gas")]
    TipAboveFeeCap,
    /// max fee per gas below the pool's minimum (the base fee floor).
    #[error("transaction underpriced: gas fee cap {fee_cap}, minimum needed {minimum}")]
    Underpriced {
        /// Max fee per gas (gas price for legacy transactions).
        fee_cap: u128,
        /// Configured minimum.
        minimum: u128,
    },
    /// contract creation with init code above the EIP-3860 limit.
    #[error("max initcode size exceeded: code size {size}, limit {limit}")]
    MaxInitCodeSizeExceeded {
        /// Init code size.
        size: usize,
        /// Limit.
        limit: usize,
    },
    /// EIP-7702 transaction without authorizations.
    #[error("EIP-7702 transaction with empty auth list")]
    EmptyAuthList,
    /// nonce below the account's nonce: already used.
    #[error("nonce too low: next nonce {next}, tx nonce {nonce}")]
    NonceTooLow {
        /// The account's next nonce.
        next: u64,
        /// Nonce of the transaction.
        nonce: u64,
    },
    /// balance does not cover `gas * max fee + value + L1 data fee` of this and the sender's
    /// other pooled transactions.
    #[error(
        "insufficient funds for gas * price + value: balance {balance}, tx cost {cost}, overshot {overshot}"
    )]
    InsufficientFunds {
        /// Balance of the sender.
        balance: U256,
        /// Cost of the pooled transactions of the sender including this one.
        cost: U256,
        /// `cost - balance`.
        overshot: U256,
    },
    /// the same transaction is already in the pool.
    #[error("already known")]
    AlreadyKnown,
    /// a transaction with the same sender and nonce is pooled and this one does not pay the
    /// required bump on both the fee cap and the tip.
    #[error("replacement transaction underpriced")]
    ReplacementUnderpriced,
    /// the sender has as many transactions pooled as allowed.
    #[error("account limit exceeded")]
    AccountLimitExceeded {
        /// Configured per-sender limit.
        limit: usize,
    },
    /// the pool is full and this transaction pays no more than the worst pooled one.
    #[error("txpool is full")]
    PoolFull,
    /// the state provider failed to read the sender's account.
    #[error("internal error: state unavailable: {0}")]
    State(String),
}

impl PoolErrorKind {
    /// Whether the transaction itself is at fault: invalid whatever the pool's or chain's state.
    ///
    /// - encoding, type, chain id, signature, intrinsic gas, fee cap order, init code size and the
    ///   gas limit above the block limit: bad transaction (the same bytes are always rejected);
    /// - nonce, balance, already known, replacement, limits and the fee floor depend on state or
    ///   configuration: not a bad transaction (it may be accepted later or elsewhere);
    /// - a state read failure is the node's fault.
    pub const fn is_bad_transaction(&self) -> bool {
        match self {
            Self::OversizedData { .. }
            | Self::Decode(_)
            | Self::TxTypeNotSupported { .. }
            | Self::UnprotectedTransaction
            | Self::InvalidChainId { .. }
            | Self::InvalidSender
            | Self::IntrinsicGasTooLow { .. }
            | Self::FloorDataGas { .. }
            | Self::ExceedsBlockGasLimit { .. }
            | Self::TipAboveFeeCap
            | Self::MaxInitCodeSizeExceeded { .. }
            | Self::EmptyAuthList => true,
            Self::Underpriced { .. }
            | Self::NonceTooLow { .. }
            | Self::InsufficientFunds { .. }
            | Self::AlreadyKnown
            | Self::ReplacementUnderpriced
            | Self::AccountLimitExceeded { .. }
            | Self::PoolFull
            | Self::State(_) => false,
        }
    }

    /// Whether the error is the node's fault (the RPC layer answers `-32603` and logs it).
    pub const fn is_internal(&self) -> bool {
        matches!(self, Self::State(_))
    }
}
