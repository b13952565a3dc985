//! Errors of the store.
//!
//! One enum, [`StoreError`], for every operation. [`StoreError::is_fatal`] separates faults of
//! the database itself (I/O, corruption, failed migrations: the node should stop) from rejected
//! input (a block that does not extend the head, a log filter over the limit: the store is
//! unchanged and the caller may go on).

use alloy_primitives::B256;

/// Result alias for store operations.
pub type Result<T, E = StoreError> = core::result::Result<T, E>;

/// An error of the SQLite store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite (through sqlx) failed: I/O, locking, constraint, pool timeout.
    #[error("sqlite: {0}")]
    Database(#[from] sqlx::Error),
    /// The schema migrations failed to apply on open.
    #[error("schema migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// `commit_block` was given a block that is not the successor of the head.
    #[error("block {got} does not extend the head (expected block number {expected})")]
    NotNextBlock {
        /// The number the next block must have (0 for an empty store).
        expected: u64,
        /// The number of the block given.
        got: u64,
    },
    /// `commit_block` was given a block whose parent hash is not the head's hash.
    #[error("block {number} has parent hash {parent}, but the head hash is {head}")]
    ParentMismatch {
        /// Number of the block given.
        number: u64,
        /// Its parent hash.
        parent: B256,
        /// The stored head's hash.
        head: B256,
    },
    /// The block's state root is neither in the block's new trie nodes nor already stored, so
    /// the state it claims could not be read back after a restart.
    #[error("state root {root} of block {number} is not among the stored or new trie nodes")]
    MissingStateRoot {
        /// Number of the block given.
        number: u64,
        /// Its header's state root.
        root: B256,
    },
    /// `commit_block` was given two state changes for one account.
    #[error("block changes account {address} twice")]
    DuplicateAccount {
        /// The account.
        address: alloy_primitives::Address,
    },
    /// A value does not fit the column it goes to (a u64 above `i64::MAX` where SQLite ordering
    /// matters: block numbers, indexes, timestamps, gas).
    #[error("{what} {value} is out of range for the store")]
    OutOfRange {
        /// Which value.
        what: &'static str,
        /// The value.
        value: u64,
    },
    /// The store was created for another chain.
    #[error("store belongs to chain id {stored}, not {expected}")]
    ChainIdMismatch {
        /// Chain id recorded in the store.
        stored: u64,
        /// Chain id the caller runs.
        expected: u64,
    },
    /// A log query matches more logs than the caller allows.
    #[error("query returned more than {limit} results")]
    TooManyLogs {
        /// The caller's maximum.
        limit: usize,
    },
    /// A log filter is not usable (reversed block range, too many addresses or topics).
    #[error("invalid log filter: {reason}")]
    InvalidFilter {
        /// What is wrong.
        reason: &'static str,
    },
    /// The EVM asked for the hash of a block the store does not have.
    #[error("block {number} is not stored")]
    MissingBlock {
        /// The block number asked for.
        number: u64,
    },
    /// Stored bytes do not decode (wrong length, bad RLP, bad bytecode).
    #[error("stored {what} is corrupt: {reason}")]
    Corrupt {
        /// Which kind of record.
        what: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

impl StoreError {
    /// True if the store itself is unusable or inconsistent, so the node should stop rather than
    /// retry or go on: I/O and database faults, corrupt or missing data, a failed migration, a
    /// store of another chain. False when the request was rejected and nothing was written.
    pub fn is_fatal(&self) -> bool {
        match self {
            Self::Database(e) => match e {
                // Waiting for a pooled connection timed out: load, not damage.
                sqlx::Error::PoolTimedOut => false,
                // A constraint (duplicate transaction hash, ...) rejected the write; the
                // transaction rolled back and the store is as it was.
                sqlx::Error::Database(db) => !is_constraint(db.as_ref()),
                // I/O, protocol, decoding of our own columns, closed pool, ...
                _ => true,
            },
            // The schema is not what this code expects.
            Self::Migrate(_) => true,
            // Rejected input; nothing was written.
            Self::NotNextBlock { .. }
            | Self::ParentMismatch { .. }
            | Self::MissingStateRoot { .. }
            | Self::DuplicateAccount { .. }
            | Self::OutOfRange { .. }
            | Self::TooManyLogs { .. }
            | Self::InvalidFilter { .. } => false,
            // Running against another chain's data would serve wrong state.
            Self::ChainIdMismatch { .. } => true,
            // History the EVM needs is missing, or stored bytes are damaged.
            Self::MissingBlock { .. } | Self::Corrupt { .. } => true,
        }
    }

    /// True if SQLite rejected a write for violating a constraint (a duplicate transaction hash,
    /// a foreign key). The enclosing transaction rolled back.
    pub fn is_constraint_violation(&self) -> bool {
        matches!(self, Self::Database(sqlx::Error::Database(db)) if is_constraint(db.as_ref()))
    }

    /// Flattens a trie error over this store: store failures stay what they were, anything else
    /// (a missing or malformed node) means the trie data is damaged.
    pub fn from_trie(e: tributary_trie::TrieError<Self>) -> Self {
        match e {
            tributary_trie::TrieError::Store(e) => e,
            other => Self::corrupt("trie", other),
        }
    }

    pub(crate) fn corrupt(what: &'static str, reason: impl ToString) -> Self {
        Self::Corrupt {
            what,
            reason: reason.to_string(),
        }
    }
}

fn is_constraint(db: &dyn sqlx::error::DatabaseError) -> bool {
    use sqlx::error::ErrorKind;
    matches!(
        db.kind(),
        ErrorKind::UniqueViolation
            | ErrorKind::ForeignKeyViolation
            | ErrorKind::NotNullViolation
            | ErrorKind::CheckViolation
    )
}

/// Lets the EVM read state through the store ([`crate::StateReader`] is a `revm::DatabaseRef`).
impl revm::database_interface::DBErrorMarker for StoreError {}
