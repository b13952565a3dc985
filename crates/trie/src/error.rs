//! Errors of trie reads, updates and proofs.
//!
//! Every fallible operation reads nodes through a [`NodeStore`](crate::NodeStore), so the error is
//! generic over the store's own error type `E` (the in-memory store uses
//! [`Infallible`](core::convert::Infallible)). Everything else is a consistency fault: the store
//! does not hold a node that a parent references, or holds bytes that are not a valid trie node.

use alloy_primitives::B256;

/// Result alias for trie operations over a store whose error type is `E`.
pub type Result<T, E> = core::result::Result<T, TrieError<E>>;

/// An error while reading or updating the trie.
#[derive(Debug, thiserror::Error)]
pub enum TrieError<E> {
    /// The node store itself failed (I/O, database, ...).
    #[error("node store: {0}")]
    Store(#[source] E),
    /// A node referenced by hash is not in the store: the store is missing history, or the root
    /// the trie was opened at was never committed.
    #[error("trie node {hash} is missing from the node store")]
    MissingNode {
        /// Hash of the missing node.
        hash: B256,
    },
    /// The bytes stored under `hash` are not a valid trie node.
    #[error("trie node {hash} does not decode: {source}")]
    Decode {
        /// Hash under which the bytes were stored (the root hash for inline nodes' parents).
        hash: B256,
        /// The RLP error.
        #[source]
        source: alloy_rlp::Error,
    },
    /// The node decodes but breaks a structural rule of a secure trie with 32-byte keys
    /// (a path longer than 64 nibbles, an extension whose child is not a branch, ...).
    #[error("trie node {hash} is malformed: {reason}")]
    Malformed {
        /// Hash of the offending node (or of the hashed node that embeds it).
        hash: B256,
        /// What rule the node breaks.
        reason: &'static str,
    },
    /// A leaf value is not what the state layer expects (a `TrieAccount` RLP in the account
    /// trie, an RLP word in a storage trie).
    #[error("leaf value for key {key} does not decode: {source}")]
    Value {
        /// Hashed trie key of the leaf.
        key: B256,
        /// The RLP error.
        #[source]
        source: alloy_rlp::Error,
    },
}

impl<E> TrieError<E> {
    /// True when the error means the stored trie data is inconsistent (missing or corrupt nodes)
    /// rather than a transient store failure. Such errors do not go away on retry; they indicate
    /// lost history or a bug, and the node should stop rather than build on that state.
    pub const fn is_corruption(&self) -> bool {
        match self {
            // The store reported its own failure; it decides whether that is transient.
            Self::Store(_) => false,
            // A referenced node is absent or unreadable: the content-addressed history is broken.
            Self::MissingNode { .. }
            | Self::Decode { .. }
            | Self::Malformed { .. }
            | Self::Value { .. } => true,
        }
    }

    /// Returns the store's error, if this is one.
    pub const fn as_store(&self) -> Option<&E> {
        match self {
            Self::Store(e) => Some(e),
            _ => None,
        }
    }
}
