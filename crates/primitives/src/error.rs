//! Errors of the primitives crate.
//!
//! Each area has its own enum ([`DeploymentError`], [`DepositError`], [`BatchError`]); [`Error`]
//! aggregates them for callers that handle them together.

use std::path::PathBuf;

use alloy_primitives::U256;

/// Result alias with [`Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Any error of this crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Loading, saving or validating a deployment file failed.
    #[error(transparent)]
    Deployment(#[from] DeploymentError),
    /// A `TransactionDeposited` payload is malformed.
    #[error(transparent)]
    Deposit(#[from] DepositError),
    /// A batch does not extend the batch chain.
    #[error(transparent)]
    Batch(#[from] BatchError),
    /// L1-info deposit calldata is malformed.
    #[error(transparent)]
    L1Info(#[from] L1InfoError),
    /// Batch bytes do not decode.
    #[error(transparent)]
    BatchCodec(#[from] crate::BatchCodecError),
}

/// Decoding the calldata of an L1-info deposit ([`L1Info`](crate::L1Info)).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum L1InfoError {
    /// The calldata does not have the Ecotone length.
    #[error("l1-info calldata is {len} bytes, expected {expected}")]
    Length {
        /// Length of the calldata.
        len: usize,
        /// The Ecotone length.
        expected: usize,
    },
    /// The calldata does not start with `setL1BlockValuesEcotone()`'s selector.
    #[error(
        "l1-info calldata has selector 0x{}, expected 0x440a5e20",
        alloy_primitives::hex::encode(selector)
    )]
    Selector {
        /// The selector found.
        selector: [u8; 4],
    },
}

/// Loading, saving or validating a [`Deployment`](crate::Deployment).
#[derive(Debug, thiserror::Error)]
pub enum DeploymentError {
    /// The file could not be read or written.
    #[error("deployment file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid deployment JSON.
    #[error("deployment file {path}: invalid json: {source}")]
    Json {
        /// The file (empty when parsing from a string).
        path: PathBuf,
        /// The parse error.
        #[source]
        source: serde_json::Error,
    },
    /// The deployment is well-formed JSON but inconsistent.
    #[error("invalid deployment: {reason}")]
    Invalid {
        /// What is wrong.
        reason: &'static str,
    },
}

impl DeploymentError {
    /// Whether the error is about the file's content (as opposed to the file system).
    pub const fn is_bad_content(&self) -> bool {
        matches!(self, Self::Json { .. } | Self::Invalid { .. })
    }
}

/// Decoding the `opaqueData` of a `TransactionDeposited` event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DepositError {
    /// The event's version is not one this code understands (only 0 exists).
    #[error("unsupported deposit version {version}")]
    UnsupportedVersion {
        /// The version topic of the event.
        version: U256,
    },
    /// The payload is shorter than its fixed-size head (mint, value, gasLimit, isCreation).
    #[error("deposit opaque data too short: {len} bytes, need at least {min}")]
    TooShort {
        /// Length of the payload.
        len: usize,
        /// Minimum length.
        min: usize,
    },
    /// The `isCreation` byte is neither 0 nor 1.
    #[error("deposit isCreation byte is {byte:#04x}, expected 0x00 or 0x01")]
    InvalidBool {
        /// The byte found.
        byte: u8,
    },
}

/// Extending the batch hash chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    /// The batch does not start at the next block to be batched.
    #[error("batch starts at block {first}, expected {expected}")]
    NotContiguous {
        /// The batch's first block.
        first: u64,
        /// The next block the chain expects.
        expected: u64,
    },
    /// The batch's last block is before its first, or is `u64::MAX` (the next block would overflow).
    #[error("invalid batch range: first {first}, last {last}")]
    InvalidRange {
        /// The batch's first block.
        first: u64,
        /// The batch's last block.
        last: u64,
    },
    /// A blob batch without blobs.
    #[error("blob batch has no blobs")]
    NoBlobs,
    /// A blob batch with a zero versioned hash (a missing blob).
    #[error("blob {index} has a zero versioned hash")]
    MissingBlob {
        /// Index of the blob in the transaction.
        index: usize,
    },
}
