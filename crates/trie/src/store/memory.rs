//! A `HashMap` node store for tests and dev mode.

use super::NodeStore;
use crate::TrieUpdate;
use alloy_primitives::{B256, Bytes, map::B256Map};
use core::convert::Infallible;

/// In-memory, append-only node store.
///
/// Like the persistent store it never forgets a node, so every root ever committed into it stays
/// readable. Not internally synchronised: share it behind an `RwLock` if one thread writes while
/// others read.
#[derive(Debug, Clone, Default)]
pub struct MemoryNodeStore {
    nodes: B256Map<Bytes>,
}

impl MemoryNodeStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the nodes of a commit. Nodes already present are left as they are (same hash, same
    /// bytes).
    pub fn apply(&mut self, update: &TrieUpdate) {
        self.extend(update.new_nodes.iter().map(|(h, b)| (*h, b.clone())));
    }

    /// Adds nodes by hash. The caller vouches that each hash is the keccak256 of its bytes.
    pub fn extend(&mut self, nodes: impl IntoIterator<Item = (B256, Bytes)>) {
        for (hash, rlp) in nodes {
            self.nodes.entry(hash).or_insert(rlp);
        }
    }

    /// Number of stored nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True if no node is stored.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Total bytes of stored node RLP (excluding the 32-byte keys).
    pub fn size_bytes(&self) -> usize {
        self.nodes.values().map(|rlp| rlp.len()).sum()
    }
}

impl NodeStore for MemoryNodeStore {
    type Error = Infallible;

    fn get(&self, hash: &B256) -> Result<Option<Bytes>, Infallible> {
        Ok(self.nodes.get(hash).cloned())
    }
}
