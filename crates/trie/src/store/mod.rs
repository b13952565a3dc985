//! The node store interface: content-addressed, append-only storage of trie nodes.
//!
//! The trie only ever *reads* through [`NodeStore`]; writes leave the trie as the
//! [`TrieUpdate::new_nodes`](crate::TrieUpdate::new_nodes) of a commit and are persisted by the
//! storage layer in the same transaction as the block. Keeping the read trait apart from the
//! implementations (as revm's `DatabaseRef` is) lets the SQLite store, the in-memory store and the
//! witness recorder be swapped without touching the trie.

mod memory;
mod recording;

pub use memory::MemoryNodeStore;
pub use recording::RecordingStore;

use alloy_primitives::{B256, Bytes};
use std::sync::Arc;

/// Read access to trie nodes by hash.
///
/// `get(hash)` returns the RLP encoding of the node whose keccak256 is `hash`, or `None` if the
/// store does not hold it. Nodes are never deleted, so a node readable once stays readable; the
/// trie turns a `None` for a referenced node into
/// [`TrieError::MissingNode`](crate::TrieError::MissingNode).
///
/// Implementations must be cheap to share across threads (`&self`, `Send + Sync`): proofs for RPC
/// are served concurrently with block building.
pub trait NodeStore: Send + Sync {
    /// The store's error (I/O, database...). Use [`core::convert::Infallible`] if reads cannot fail.
    type Error: core::error::Error + Send + Sync + 'static;

    /// Returns the RLP bytes of the node with the given hash, if stored.
    fn get(&self, hash: &B256) -> Result<Option<Bytes>, Self::Error>;
}

impl<T: NodeStore + ?Sized> NodeStore for &T {
    type Error = T::Error;

    fn get(&self, hash: &B256) -> Result<Option<Bytes>, Self::Error> {
        (**self).get(hash)
    }
}

impl<T: NodeStore + ?Sized> NodeStore for Arc<T> {
    type Error = T::Error;

    fn get(&self, hash: &B256) -> Result<Option<Bytes>, Self::Error> {
        (**self).get(hash)
    }
}

impl<T: NodeStore + ?Sized> NodeStore for Box<T> {
    type Error = T::Error;

    fn get(&self, hash: &B256) -> Result<Option<Bytes>, Self::Error> {
        (**self).get(hash)
    }
}
